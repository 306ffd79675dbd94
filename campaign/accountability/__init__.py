"""Public pages that read across areas: "287(g) in your county" and "Where your officials stand"."""
