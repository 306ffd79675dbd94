"""Counties (FIPS) and the ZIP-to-county lookup."""
