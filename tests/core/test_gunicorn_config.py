"""gunicorn refuses to start several workers that would each keep their own rate-limit counts."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from types import SimpleNamespace

import pytest

from campaign.config import PROJECT_ROOT

MESSAGE = "2 worker processes need REDIS_URL"


@pytest.fixture
def environment(database_url, monkeypatch) -> dict[str, str]:
    """What the server reads: the test database, no Redis."""
    values = {"DATABASE_URL": database_url, "SECRET_KEY": "gunicorn-test", "REDIS_URL": "", "MAIL_SERVER": ""}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def start(workers: int) -> None:
    """gunicorn.conf.py's start-up hook, as gunicorn calls it."""
    on_starting = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))["on_starting"]
    warnings: list[str] = []
    on_starting(SimpleNamespace(cfg=SimpleNamespace(workers=workers), log=SimpleNamespace(warning=warnings.append)))


def test_two_workers_without_redis_refuse_with_one_line(environment):
    with pytest.raises(SystemExit) as stopped:
        start(workers=2)
    assert MESSAGE in str(stopped.value.code) and "\n" not in str(stopped.value.code)


def test_one_worker_without_redis_starts(environment):
    start(workers=1)


def test_two_workers_sharing_redis_start(environment, redis_url, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_url)
    start(workers=2)


def test_the_real_server_exits_with_the_message(environment):
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", "127.0.0.1:0", "wsgi:app"],
        cwd=PROJECT_ROOT,
        env=os.environ | environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _output, errors = server.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.communicate()
        pytest.fail("gunicorn started two workers without a shared rate-limit store")
    assert server.returncode != 0
    assert MESSAGE in errors
