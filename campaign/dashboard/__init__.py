"""Organizer pages that read across areas."""
