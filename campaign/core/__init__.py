"""Shared pieces used by every domain area: errors, types, Markdown, i18n, security headers."""
