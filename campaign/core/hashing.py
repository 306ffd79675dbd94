"""Keyed hashes: group or match a value (an address, an email) without storing it."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app


def keyed_hash(purpose: str, value: str) -> str:
    """HMAC-SHA256 of `value` under a key derived from SECRET_KEY and `purpose`: without the
    secret nobody can test a guess against the stored digest, and two purposes never match."""
    key = hashlib.sha256(purpose.encode() + b":" + current_app.config["SECRET_KEY"].encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def ip_hash(ip: str | None) -> str | None:
    """The client address as abuse review sees it. One purpose for signatures and logins, so a
    review can tell the same address at work on both ("signature-ip" keeps older digests valid)."""
    return keyed_hash("signature-ip", ip) if ip else None
