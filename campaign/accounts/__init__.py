"""Organizer accounts: login, roles, password reset, audit log."""
