"""The one place that reads the environment.

Every setting comes from an environment variable; a `.env` file in the project
root is read first when present (real environment variables win).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE_PATH = PROJECT_ROOT / "instance"


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalize_database_url(url: str) -> str:
    """Point PostgreSQL URLs at the psycopg 3 driver whatever spelling was given."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def persistent_secret_key(instance_path: Path) -> str:
    """A secret generated once and kept under instance/, so sessions survive restarts."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Created with owner-only permissions: the key signs sessions and mail links.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def load_config(instance_path: Path = DEFAULT_INSTANCE_PATH) -> dict:
    """Build the Flask configuration from the environment."""
    load_dotenv(PROJECT_ROOT / ".env", override=False)
    env = os.environ
    instance_path.mkdir(parents=True, exist_ok=True)

    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'campaign.db'}"
    # Links follow where `flask run` serves (FLASK_RUN_HOST/PORT, which `make run` sets from
    # HOST and PORT) unless BASE_URL says otherwise.
    served_at = f"http://{env.get('FLASK_RUN_HOST') or '127.0.0.1'}:{env.get('FLASK_RUN_PORT') or 5000}"
    base_url = (env.get("BASE_URL") or served_at).rstrip("/")
    https = base_url.startswith("https://")
    redis_url = env.get("REDIS_URL") or None
    session_days = int(env.get("SESSION_MAX_DAYS") or 30)

    return {
        "SECRET_KEY": env.get("SECRET_KEY") or persistent_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": normalize_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BASE_URL": base_url,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        # Cookies only travel over HTTPS when the site is served over HTTPS.
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_SECURE": https,
        "SESSION_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PROXY_FIX_HOPS": int(env.get("PROXY_FIX_HOPS") or 0),
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(env.get("MAIL_PORT") or 25),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _flag(env.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _flag(env.get("MAIL_USE_SSL")),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER") or "campaigns@localhost",
        "MAIL_TIMEOUT": int(env.get("MAIL_TIMEOUT") or 30),
        "MAIL_FILE_DIR": str(instance_path / "mail"),
        "OUTBOX_MAX_ATTEMPTS": int(env.get("OUTBOX_MAX_ATTEMPTS") or 8),
        "OUTBOX_BACKOFF_SECONDS": int(env.get("OUTBOX_BACKOFF_SECONDS") or 60),
        # Mail anyone can cause (confirmations, password resets): at most this many messages to
        # one address in the window, so nobody can make the app mail someone again and again.
        "OUTBOX_RECIPIENT_LIMIT": int(env.get("OUTBOX_RECIPIENT_LIMIT") or 5),
        "OUTBOX_RECIPIENT_WINDOW_MINUTES": int(env.get("OUTBOX_RECIPIENT_WINDOW_MINUTES") or 60),
        # Sent bodies hold live links (password resets, cancel links): kept this long, then emptied.
        "OUTBOX_KEEP_BODIES_DAYS": int(env.get("OUTBOX_KEEP_BODIES_DAYS") or 30),
        # Broadcasts to supporters: at most this many handed to the mail server a minute (the
        # provider's limit), replies going to BROADCAST_REPLY_TO (an organizer's mailbox), and
        # unsubscribe links that work this many days.
        "BROADCAST_RATE_PER_MINUTE": int(env.get("BROADCAST_RATE_PER_MINUTE") or 120),
        "BROADCAST_REPLY_TO": env.get("BROADCAST_REPLY_TO") or None,
        # At least a day: 0 would make the links never expire.
        "UNSUBSCRIBE_LINK_DAYS": max(1, int(env.get("UNSUBSCRIBE_LINK_DAYS") or 365)),
        # Retention (`flask privacy purge`): signers of petitions closed this long are anonymised,
        # their counts by county kept; address hashes of actions and logins go after IP_HASH_DAYS.
        "RETENTION_MONTHS": int(env.get("RETENTION_MONTHS") or 12),
        "IP_HASH_DAYS": int(env.get("IP_HASH_DAYS") or 30),
        # People who may sign from one shared mailbox under different names (a household).
        "HOUSEHOLD_LIMIT": int(env.get("HOUSEHOLD_LIMIT") or 3),
        "REDIS_URL": redis_url,
        "JOBS_RUNNER": env.get("JOBS_RUNNER") or ("rq" if redis_url else "thread"),
        "JOBS_MAX_ATTEMPTS": int(env.get("JOBS_MAX_ATTEMPTS") or 3),
        "JOBS_BACKOFF_SECONDS": int(env.get("JOBS_BACKOFF_SECONDS") or 30),
        # Public pages are rendered once per this many seconds for visitors without a session
        # (core.caching), in each process: fresher than the counts they show (petitions.counts).
        "PAGE_CACHE_SECONDS": int(env.get("PAGE_CACHE_SECONDS") or 5),
        "CACHE_TYPE": "SimpleCache",
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        # Always set: Flask-Limiter otherwise keeps the previous app's choice (one limiter per process).
        "RATELIMIT_ENABLED": _flag(env.get("RATELIMIT_ENABLED"), default=True),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Per address: a forum of 60 behind one venue Wi-Fi signs in 10 minutes; a script does not.
        "SIGN_RATE_LIMIT": env.get("SIGN_RATE_LIMIT") or "100 per 10 minutes;400 per day",
        # Per typed email, known or not: after LOGIN_MAX_FAILURES failures it is refused for
        # LOGIN_LOCK_MINUTES, doubling with each further failure (accounts.services).
        "LOGIN_MAX_FAILURES": int(env.get("LOGIN_MAX_FAILURES") or 5),
        "LOGIN_LOCK_MINUTES": int(env.get("LOGIN_LOCK_MINUTES") or 15),
        # Per client address, across emails (Flask-Limiter syntax): slows trying one password on many accounts.
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT") or "10 per minute;100 per day",
        # A login lasts at most this long on the server, "keep me logged in" included.
        "SESSION_MAX_DAYS": session_days,
        "REMEMBER_COOKIE_DURATION": timedelta(days=session_days),
        "PASSWORD_RESET_MAX_AGE": int(env.get("PASSWORD_RESET_MAX_AGE") or 3600),
        "BABEL_DEFAULT_LOCALE": "en",
        "LANGUAGES": ("en", "es"),
        "WTF_CSRF_TIME_LIMIT": 4 * 3600,
        # ICE's list of 287(g) agreements (`flask agreements import`, the organizer page): a larger
        # file is refused before it is read (the real list is some 100 KB).
        "AGREEMENTS_IMPORT_MAX_BYTES": int(env.get("AGREEMENTS_IMPORT_MAX_MB") or 10) * 1024 * 1024,
        # Uploads: packet copies to verify (a 100,000-signature packet is 6 MB) and CSV imports.
        "MAX_CONTENT_LENGTH": int(env.get("MAX_UPLOAD_MB") or 100) * 1024 * 1024,
        # A campaign document's file (a PDF, a spreadsheet, a scan) is kept in the database: at most this big.
        "DOCUMENT_MAX_BYTES": int(env.get("DOCUMENT_MAX_MB") or 10) * 1_000_000,
    }
