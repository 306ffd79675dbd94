"""The factory, configuration from the environment and the start-up checks."""

from __future__ import annotations

import os
import stat

import pytest

from campaign import create_app
from campaign.config import load_config, normalize_database_url
from campaign.startup import check_services


def test_postgres_urls_use_psycopg3():
    assert normalize_database_url("postgresql://u@h:5432/db") == "postgresql+psycopg://u@h:5432/db"
    assert normalize_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_defaults_sqlite_under_instance_and_generates_a_kept_secret(tmp_path, monkeypatch):
    for name in ("DATABASE_URL", "SECRET_KEY", "REDIS_URL", "MAIL_SERVER", "BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    first = load_config(tmp_path)
    second = load_config(tmp_path)
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'campaign.db'}"
    assert len(first["SECRET_KEY"]) >= 40
    assert first["SECRET_KEY"] == second["SECRET_KEY"], "the generated key must survive a restart"
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first["JOBS_RUNNER"] == "thread"
    assert first["RATELIMIT_STORAGE_URI"] == "memory://"
    assert first["SESSION_COOKIE_SECURE"] is False


def test_environment_settings_win(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("BASE_URL", "https://campaigns.example.org/")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("MAIL_USE_TLS", "true")
    config = load_config(tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()
    assert config["JOBS_RUNNER"] == "rq"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert config["BASE_URL"] == "https://campaigns.example.org"
    assert config["SESSION_COOKIE_SECURE"] is True and config["REMEMBER_COOKIE_SECURE"] is True
    assert (config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_USE_TLS"]) == ("smtp.example.org", 587, True)


def test_dotenv_file_is_read_but_environment_wins(tmp_path, monkeypatch):
    from campaign import config as config_module

    monkeypatch.setattr(config_module, "PROJECT_ROOT", tmp_path)
    (tmp_path / ".env").write_text("BASE_URL=https://from-dotenv.example.org\nMAIL_DEFAULT_SENDER=dotenv@example.org\n")
    monkeypatch.delenv("BASE_URL", raising=False)
    monkeypatch.setenv("MAIL_DEFAULT_SENDER", "env@example.org")
    try:
        config = load_config(tmp_path / "instance")
        assert config["BASE_URL"] == "https://from-dotenv.example.org"
        assert config["MAIL_DEFAULT_SENDER"] == "env@example.org"
    finally:
        os.environ.pop("BASE_URL", None)  # set by the .env file, not by monkeypatch


def test_sqlite_has_wal_and_foreign_keys(app, engine_name):
    from sqlalchemy import text

    from campaign.extensions import db

    if engine_name != "sqlite":
        pytest.skip("SQLite pragmas")
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_unreachable_database_gives_one_readable_line(tmp_path):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none", "SECRET_KEY": "x"},
        instance_path=tmp_path,
    )
    fatal, warnings = check_services(app)
    assert len(fatal) == 1
    assert fatal[0].startswith("The database at postgresql+psycopg://nobody@127.0.0.1:1/none is unreachable:")
    assert "\n" not in fatal[0]
    assert warnings == []


def test_unreachable_mail_server_is_a_warning_not_a_stop(app):
    # Sending from a real domain over https: the unreachable server is the one warning.
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=1,
        MAIL_DEFAULT_SENDER="campaigns@example.org",
        BROADCAST_REPLY_TO="team@example.org",
        BASE_URL="https://example.org",
    )
    fatal, warnings = check_services(app)
    assert fatal == []
    assert len(warnings) == 1 and "127.0.0.1:1 is unreachable" in warnings[0]
    assert "outbox" in warnings[0]


def test_check_command_exits_non_zero_with_one_line(tmp_path):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none", "SECRET_KEY": "x"},
        instance_path=tmp_path,
    )
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "is unreachable" in lines[0]
    assert "Traceback" not in result.output
