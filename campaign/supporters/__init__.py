"""Supporter records across every action of a campaign: search, the page of one person,
CSV export, erasure on request and the retention purge. It reads the action areas
(petitions, pledges, forums), so it sits below them, like the dashboard."""
