"""The only road out for email: enqueue in the caller's transaction, deliver after commit."""
