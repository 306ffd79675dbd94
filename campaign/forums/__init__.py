"""Forums: scheduling, RSVPs with capacity and waitlist, calendar files."""
