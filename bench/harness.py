"""Servers and load for bench/side_by_side.py: gunicorn on loopback, wrk from another process."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_report.lua"
# The production settings of gunicorn.conf.py, given again on the command line so that the
# app and the baseline run under exactly the same ones (the command line wins over the file).
# No control socket: every master would otherwise claim the same ~/.gunicorn/gunicorn.ctl.
GUNICORN_SETTINGS = ["-k", "gthread", "-w", "2", "--threads", "4", "--graceful-timeout", "5", "--no-control-socket"]
START_TIMEOUT = 60


def free_ports(count: int) -> list[int]:
    """Distinct free loopback ports: all probes stay open until every port is chosen."""
    with contextlib.ExitStack() as stack:
        probes = [stack.enter_context(socket.socket()) for _ in range(count)]
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]


@dataclass(frozen=True)
class Server:
    name: str
    base_url: str
    log: Path


@contextlib.contextmanager
def gunicorn(name: str, app_spec: str, port: int, env: dict[str, str], log_folder: Path) -> Iterator[Server]:
    """A gunicorn serving `app_spec` on 127.0.0.1:`port` until the block ends, whatever ends it."""
    log = log_folder / f"{name}.log"
    command = [sys.executable, "-m", "gunicorn", *GUNICORN_SETTINGS, "-b", f"127.0.0.1:{port}", app_spec]
    with log.open("wb") as output:
        # Its own process group: Ctrl-C reaches only this script, which then stops the server in order.
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        server = Server(name, f"http://127.0.0.1:{port}", log)
        wait_until_listening(process, port, server)
        yield server
    finally:
        stop(process)


def wait_until_listening(process: subprocess.Popen, port: int, server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {process.returncode}: see {server.log}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{server.name} did not listen within {START_TIMEOUT} s: see {server.log}")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM lets gunicorn finish its requests; the whole group is killed if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode()


def ensure_wrk() -> str:
    if not shutil.which("wrk"):
        print("wrk is missing: installing the Debian package", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True, timeout=300)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, timeout=300)
    return shutil.which("wrk")


@dataclass(frozen=True)
class LoadSettings:
    duration: int
    connections: int
    threads: int


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    sent: int
    socket_errors: int
    statuses: dict[int, int] = field(default_factory=dict)
    latency_ms: dict[int, float] = field(default_factory=dict)  # percentile -> milliseconds

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def acknowledged(self) -> int:
        return sum(count for status, count in self.statuses.items() if 200 <= status < 400)

    @property
    def errors(self) -> int:
        """Non-2xx/3xx responses and socket errors."""
        return self.requests - self.acknowledged + self.socket_errors

    @property
    def unanswered(self) -> int:
        """Requests still in flight when wrk stopped: the server may yet have acted on them."""
        return self.sent - self.requests

    def describe(self) -> str:
        statuses = ", ".join(f"{status}: {count}" for status, count in sorted(self.statuses.items()))
        percentiles = " ".join(f"p{p}={ms:.1f}" for p, ms in self.latency_ms.items())
        return (
            f"{self.per_second:,.0f} req/s, {percentiles} ms, statuses {{{statuses}}},"
            f" socket errors {self.socket_errors}"
        )


def run_wrk(url: str, args: LoadSettings, *script_args: str) -> LoadResult:
    command = [
        ensure_wrk(),
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(WRK_SCRIPT),
        url,
        "--",
        *script_args,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=args.duration + 60).stdout
    return parse_wrk(output)


def parse_wrk(output: str) -> LoadResult:
    line = next(line for line in output.splitlines() if line.startswith("bench-result "))
    figures = {key: int(value) for key, value in (token.split("=") for token in line.split()[1:])}
    return LoadResult(
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        sent=figures["sent"],
        socket_errors=sum(figures[key] for key in ("connect_errors", "read_errors", "write_errors", "timeouts")),
        statuses={int(key[7:]): value for key, value in figures.items() if key.startswith("status_")},
        latency_ms={p: figures[f"p{p}_us"] / 1000 for p in (50, 90, 95, 99)},
    )
