"""`make run HOST=... PORT=...` prints and mails links to where it serves, read through the
configuration each of its commands loads."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from campaign.config import PROJECT_ROOT

# Stands in for `flask` in every line of the run target: prints the BASE_URL the app would use.
PROBE = """
import sys
from pathlib import Path
from campaign.config import load_config
print("BASE_URL=" + load_config(Path(sys.argv[1]))["BASE_URL"])
"""


def base_urls(tmp_path: Path, *arguments: str, **env: str) -> list[str]:
    if shutil.which("make") is None:
        pytest.skip("make is missing")
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE)
    clean = {key: value for key, value in os.environ.items() if key not in {"BASE_URL", "HOST", "PORT"}}
    clean = {key: value for key, value in clean.items() if not key.startswith(("FLASK_", "MAKE"))}
    result = subprocess.run(
        # -o install: the venv is not rebuilt; FLASK is the probe, given an instance folder of its own.
        ["make", "--no-print-directory", "-o", "install", "run", f"FLASK={sys.executable} {probe} {tmp_path}"]
        + list(arguments),
        cwd=PROJECT_ROOT,
        env=clean | {"PYTHONPATH": str(PROJECT_ROOT)} | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [line.removeprefix("BASE_URL=") for line in result.stdout.splitlines() if line.startswith("BASE_URL=")]


def test_links_follow_the_port_and_host_make_run_serves_on(tmp_path):
    urls = base_urls(tmp_path, "PORT=5055", "HOST=127.0.0.2")
    assert urls == ["http://127.0.0.2:5055"] * 4  # check, db upgrade, seed-demo, run


def test_the_default_is_port_5000_on_loopback(tmp_path):
    assert base_urls(tmp_path) == ["http://127.0.0.1:5000"] * 4


def test_base_url_set_by_the_operator_wins(tmp_path):
    assert (
        base_urls(tmp_path, "PORT=5055", BASE_URL="https://campaign.example.org/")
        == ["https://campaign.example.org"] * 4
    )
