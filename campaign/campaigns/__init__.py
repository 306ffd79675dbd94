"""Organizations and the campaigns they run (jurisdiction, target agreement, officials, partners)."""
