"""Public meetings watched: agenda items, officials' votes, observers and public comment."""
