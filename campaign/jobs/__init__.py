"""Background jobs: one interface, an in-process runner by default and RQ when Redis is set."""
