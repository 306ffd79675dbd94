"""Supporters: one Person across every petition, pledge and RSVP."""
