"""287(g) agreements between ICE and local agencies, and their plain-language models."""
