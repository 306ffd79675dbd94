"""Petitions: public signing by county, double opt-in, counts and goals."""
