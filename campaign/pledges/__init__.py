"""Pledges: commitments to act, conditions on how many commit, reminders, fulfilment."""
