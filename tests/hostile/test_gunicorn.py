"""A real gunicorn with two workers gets the full-width ZIP code that used to kill a worker (a
Rust panic is a BaseException: it escapes Flask and the worker exits with every request it had
in flight). Every answer must be the app's own page, and both workers must still be the same
processes afterwards. Runs once, not per engine: gunicorn gets its own SQLite database."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from http.client import HTTPException
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urljoin, urlsplit
from urllib.request import HTTPCookieProcessor, build_opener

import pytest

from campaign.forums.demo import DEMO_SLUG as FORUM_SLUG
from campaign.petitions.demo import DEMO_SLUG as PETITION_SLUG
from campaign.pledges.demo import DEMO_SLUG as PLEDGE_SLUG
from tests.hostile.kit import FULL_WIDTH_ZIP, read_page, replace, urlencode, valid_pairs

PROJECT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# gunicorn refuses several workers without a shared rate-limit store.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/8")
TIMES = 3  # each form, each time from a fresh page


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _flush_redis() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).flushdb()
    except redis.exceptions.ConnectionError as error:
        pytest.fail(f"Redis at {REDIS_URL} is needed to run gunicorn with two workers: {error}")


def _send(opener, url: str, pairs=None) -> tuple[int | str, str]:
    """(status, body), or (the error, "") when the connection dropped."""
    data = urlencode(pairs).encode() if pairs is not None else None
    try:
        with opener.open(url, data=data, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")
    except (URLError, HTTPException, OSError) as error:
        return f"{type(error).__name__}: {error}", ""


def _log_tail(tmp_path: Path) -> str:
    lines = (tmp_path / "gunicorn.log").read_text().splitlines()
    return "\n".join(line for line in lines[-200:] if not line.startswith("  "))[-3_000:]


def _is_answer(status, body: str) -> bool:
    """The app's own page: a 200, or a 4xx with a message beside the field."""
    if status == 200:
        return "<html" in body
    return isinstance(status, int) and 400 <= status < 500 and ('class="error"' in body or "form-errors" in body)


def test_full_width_zip_codes_do_not_kill_gunicorn_workers(tmp_path):
    _flush_redis()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'gunicorn.db'}",
        "SECRET_KEY": secrets.token_hex(16),
        "BASE_URL": base,
        "REDIS_URL": REDIS_URL,
    }
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(
            [BIN / "flask", "--app", "wsgi", *command], cwd=PROJECT, env=env, check=True, capture_output=True
        )
    log = (tmp_path / "gunicorn.log").open("w")
    # gthread is the worker class production gets (gunicorn.conf.py sets threads); with one
    # thread gunicorn would pick the sync worker, which answers a bare 500 instead of dying.
    server = subprocess.Popen(
        [
            BIN / "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "1",
            "--worker-class",
            "gthread",
        ]
        + ["wsgi:app"],
        cwd=PROJECT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        opener = build_opener(HTTPCookieProcessor(CookieJar()))
        deadline = time.monotonic() + 60
        while _send(opener, f"{base}/")[0] != 200 or len(_children(server.pid)) < 2:
            assert server.poll() is None, _log_tail(tmp_path)
            assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
            time.sleep(0.5)
        workers = _children(server.pid)
        assert len(workers) == 2, workers

        answers = [
            (
                f"GET /where?zip_code={FULL_WIDTH_ZIP}",
                *_send(opener, f"{base}/where?{urlencode([('zip_code', FULL_WIDTH_ZIP)])}"),
            )
        ]
        for number in range(TIMES):
            for page in (f"/p/{PETITION_SLUG}", f"/pledges/{PLEDGE_SLUG}", f"/forums/{FORUM_SLUG}"):
                status, body = _send(opener, base + page)  # the CSRF token and its cookie
                assert status == 200, (page, status)
                form = next(
                    f for f in read_page(base + page, body).forms if f.method == "post" and "zip_code" in f.names
                )
                pairs = replace(valid_pairs(form, f"gunicorn.{number}@example.org"), "zip_code", FULL_WIDTH_ZIP)
                action = urljoin(base, urlsplit(form.action).path)
                answers.append((f"POST {urlsplit(action).path}", *_send(opener, action, pairs)))
        answers.append(
            (
                f"GET /where?zip_code={FULL_WIDTH_ZIP}",
                *_send(opener, f"{base}/where?{urlencode([('zip_code', FULL_WIDTH_ZIP)])}"),
            )
        )

        time.sleep(1)  # a worker that died is replaced within a second
        problems = [f"{request}: {status}" for request, status, body in answers if not _is_answer(status, body)]
        if server.poll() is not None:
            problems.append("the gunicorn master exited")
        if (now := _children(server.pid)) != workers:
            problems.append(f"workers {sorted(workers)} are now {sorted(now)}: a worker died and was replaced")
        log.flush()
        assert not problems, "\n".join(problems) + "\n\ngunicorn's log ends:\n" + _log_tail(tmp_path)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        _flush_redis()
