"""The app and a bare Flask app (bench/baseline.py) side by side, under the same gunicorn, loaded by wrk.

    PYTHONPATH=. .venv/bin/python bench/side_by_side.py                      # both engines, 1,000,000 signatures
    PYTHONPATH=. .venv/bin/python bench/side_by_side.py --engine sqlite --duration 3 --signatures 20000

For each engine: a fresh database (bench/common.py) with the demo data and N confirmed signatures
on the demo petition, the app (wsgi:app) and the baseline each served by gunicorn on a free
loopback port, and wrk from its own process against each in turn. Prints one Markdown table per
engine with the ratio app/baseline, and checks that every acknowledged signature was stored
once. Exits non-zero when that check fails. Needs PostgreSQL (trust auth) and Redis on loopback;
installs Debian's wrk when missing.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import secrets
import shlex
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from redis import Redis

from bench.common import bench_app, fill, prepare_database
from bench.harness import PROJECT_ROOT, LoadResult, LoadSettings, Server, fetch, free_ports, gunicorn, run_wrk

ENGINES = ("sqlite", "postgresql")
REDIS_URL = "redis://127.0.0.1:6379/14"
# High enough never to refuse, so the limiter's bookkeeping is measured but not its 429s.
SIGN_RATE_LIMIT = "10000000 per minute"
BASELINE_PAGE = "/page"
BASELINE_SIGN = "/sign"
STABLE_FOR = 1.0  # seconds without a new row before counting what the servers stored
# Long enough for first-request costs (templates, the ZIP list) to be paid in every worker thread.
WARM_UP_SECONDS = 2


@dataclass(frozen=True)
class DemoSite:
    petition_id: int
    petition_path: str
    page_paths: dict[str, str]  # benchmark name -> path of a public page


@dataclass(frozen=True)
class Comparison:
    name: str
    app: LoadResult
    baseline: LoadResult

    @property
    def ratio(self) -> float:
        return self.app.per_second / self.baseline.per_second


def prepare(engine_name: str, signatures: int) -> tuple[str, DemoSite]:
    """A fresh database, migrated, with the demo data and `signatures` more on the demo petition."""
    from flask import url_for
    from flask_migrate import upgrade

    from campaign.campaigns import demo as campaigns_demo
    from campaign.extensions import db
    from campaign.forums import demo as forums_demo
    from campaign.petitions import demo as petitions_demo
    from campaign.petitions.models import Petition
    from campaign.pledges import demo as pledges_demo

    url = prepare_database(engine_name)
    app = bench_app(url)
    app.logger.setLevel(logging.ERROR)  # the demo's confirmation mails, one log entry each
    runner = app.test_cli_runner()
    with app.app_context():
        upgrade()
        flask_command(runner, "seed-demo")
        petition_id = db.session.scalar(sa.select(Petition.id).where(Petition.slug == petitions_demo.DEMO_SLUG))
        started = time.perf_counter()
        fill(engine_name, petition_id, signatures)
        print(f"filled {signatures:,} confirmed signatures in {time.perf_counter() - started:.1f} s", flush=True)
        flask_command(runner, "petitions", "refresh-counts", "--all")
        with app.test_request_context():
            petition_path = url_for("petitions.show", slug=petitions_demo.DEMO_SLUG)
            page_paths = {
                "home page": url_for("campaigns.index"),
                "campaign page": url_for("campaigns.show", slug=campaigns_demo.DEMO_CAMPAIGN_SLUG),
                "forum page": url_for("forums.show", slug=forums_demo.DEMO_SLUG),
                "pledge page": url_for("pledges.show", slug=pledges_demo.DEMO_SLUG),
            }
        db.engine.dispose()
    return url, DemoSite(petition_id, petition_path, page_paths)


def flask_command(runner, *args: str) -> None:
    result = runner.invoke(args=list(args))
    if result.exit_code:
        raise RuntimeError(f"flask {' '.join(args)} failed: {result.output}") from result.exception
    print(f"flask {' '.join(args)}: {result.output.strip().splitlines()[-1]}", flush=True)


def server_environment(database_url: str, app_port: int) -> dict[str, str]:
    """The same environment for the app and the baseline, built from scratch so that none of the
    caller's settings (MAIL_SERVER, JOBS_RUNNER, ...) changes what is measured."""
    inherited = {name: value for name, value in os.environ.items() if name in ("PATH", "HOME", "LANG")}
    return inherited | {
        "PYTHONPATH": str(PROJECT_ROOT),
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "BASE_URL": f"http://127.0.0.1:{app_port}",
        "SIGN_RATE_LIMIT": SIGN_RATE_LIMIT,
        "SECRET_KEY": secrets.token_urlsafe(32),
    }


def count_rows(engine: sa.Engine, query: str, **params) -> int:
    """The row count once it stops moving: requests in flight when wrk stopped still finish."""
    deadline = time.monotonic() + 30
    last = None
    while True:
        with engine.connect() as connection:
            current = connection.execute(sa.text(query), params).scalar_one()
        if current == last or time.monotonic() > deadline:
            return current
        last = current
        time.sleep(STABLE_FOR)


def warm_up(server: Server, path: str, load: LoadSettings, *script_args: str) -> None:
    """The same load, unmeasured, so that the measure sees the steady state."""
    settings = LoadSettings(WARM_UP_SECONDS, load.connections, load.threads)
    result = run_wrk(server.base_url + path, settings, *script_args)
    statuses = dict(sorted(result.statuses.items())) or f"none answered within {WARM_UP_SECONDS} s"
    print(f"  warm-up {server.name} {path}: statuses {statuses}", flush=True)


def measure(server: Server, path: str, load: LoadSettings, *script_args: str) -> LoadResult:
    result = run_wrk(server.base_url + path, load, *script_args)
    print(f"  {server.name} {path}: {result.describe()}", flush=True)
    return result


def check_stored(label: str, new_rows: int, result: LoadResult) -> bool:
    """Each acknowledged (2xx/3xx) request stored exactly one row. Requests wrk left unanswered
    when it stopped may have been stored too: they are the only allowed surplus."""
    stored_once = result.acknowledged <= new_rows <= result.acknowledged + result.unanswered
    surplus = f", up to {result.unanswered} more sent but unanswered when wrk stopped" if result.unanswered else ""
    print(
        f"  check {label}: {new_rows:,} new rows for {result.acknowledged:,} acknowledged responses{surplus}:"
        f" {'OK' if stored_once else 'FAILED'}",
        flush=True,
    )
    return stored_once


def stylesheet_path(home_page: str) -> str:
    # The page links the stylesheet under whatever name the app gives it (hashed for far-future caching).
    match = re.search(r'href="([^"]*/site[^"]*\.css)"', home_page)
    if match is None:
        raise RuntimeError("the home page links no site stylesheet")
    return match.group(1)


def benchmark_sign(
    app: Server, baseline: Server, site: DemoSite, load: LoadSettings, database: sa.Engine
) -> tuple[Comparison, bool]:
    """The sign POST against the baseline's insert, then the check that each acknowledged one was stored once."""
    signatures_query = "SELECT count(*) FROM signatures WHERE petition_id = :petition_id"
    baseline_query = "SELECT count(*) FROM bench_baseline_rows"
    # The email in each request is unique to the phase (the tag), the wrk thread and the request.
    for server, path in ((app, site.petition_path), (baseline, BASELINE_SIGN)):
        warm_up(server, path, load, "sign", "warm-up", app.base_url)
    signatures_before = count_rows(database, signatures_query, petition_id=site.petition_id)
    baseline_before = count_rows(database, baseline_query)
    app_result = measure(app, site.petition_path, load, "sign", "load", app.base_url)
    baseline_result = measure(baseline, BASELINE_SIGN, load, "sign", "load", app.base_url)
    signatures_added = count_rows(database, signatures_query, petition_id=site.petition_id) - signatures_before
    baseline_added = count_rows(database, baseline_query) - baseline_before
    stored_once = check_stored("app signatures", signatures_added, app_result)
    stored_once &= check_stored("baseline rows", baseline_added, baseline_result)
    return Comparison("sign POST", app_result, baseline_result), stored_once


def run_engine(engine_name: str, signatures: int, load: LoadSettings) -> tuple[list[Comparison], bool]:
    print(f"\n== {engine_name}", flush=True)
    database_url, site = prepare(engine_name, signatures)
    Redis.from_url(REDIS_URL).flushdb()
    app_port, baseline_port = free_ports(2)
    environment = server_environment(database_url, app_port)
    logs = Path(tempfile.mkdtemp(prefix=f"bench-{engine_name}-"))
    database = sa.create_engine(database_url)
    try:
        with (
            gunicorn("app", "wsgi:app", app_port, environment, logs) as app,
            gunicorn("baseline", "bench.baseline:app", baseline_port, environment, logs) as baseline,
        ):
            print(f"servers up, logs in {logs}", flush=True)
            sign_comparison, stored_once = benchmark_sign(app, baseline, site, load, database)
            comparisons = [sign_comparison]

            warm_up(baseline, BASELINE_PAGE, load, "get")
            baseline_page = measure(baseline, BASELINE_PAGE, load, "get")
            pages = {f"petition page, {signatures:,} signatures": site.petition_path} | site.page_paths
            for name, path in pages.items():
                warm_up(app, path, load, "get")
                comparisons.append(Comparison(name, measure(app, path, load, "get"), baseline_page))

            app_stylesheet = stylesheet_path(fetch(app.base_url + site.page_paths["home page"]))
            for server, path in ((app, app_stylesheet), (baseline, "/static/css/site.css")):
                warm_up(server, path, load, "get")
            app_static = measure(app, app_stylesheet, load, "get")
            baseline_static = measure(baseline, "/static/css/site.css", load, "get")
            comparisons.append(Comparison(f"static file {app_stylesheet}", app_static, baseline_static))
    finally:
        database.dispose()
        if engine_name == "sqlite":
            # A temporary file of N signatures (about 470 MB at a million): not kept after the run.
            shutil.rmtree(Path(database.url.database).parent)
    return comparisons, stored_once


def latency(result: LoadResult) -> str:
    return "/".join(f"{result.latency_ms[p]:.1f}" for p in (50, 95, 99))


def markdown_table(engine_name: str, comparisons: list[Comparison]) -> str:
    lines = [
        f"### {engine_name}",
        "",
        "| benchmark | app req/s | app p50/p95/p99 ms | baseline req/s | baseline p50/p95/p99 ms | ratio"
        " | errors app/baseline |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in comparisons:
        lines.append(
            f"| {row.name} | {row.app.per_second:,.0f} | {latency(row.app)} | {row.baseline.per_second:,.0f}"
            f" | {latency(row.baseline)} | {row.ratio:.3f} | {row.app.errors:,}/{row.baseline.errors:,} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=ENGINES, help="one engine (default: both)")
    parser.add_argument("--signatures", type=int, default=1_000_000, help="confirmed signatures on the petition")
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per benchmark")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    args = parser.parse_args()
    # A plain `kill` unwinds like Ctrl-C does, through the blocks that stop the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    load = LoadSettings(args.duration, args.connections, args.threads)
    tables = []
    all_stored_once = True
    for engine_name in [args.engine] if args.engine else ENGINES:
        comparisons, stored_once = run_engine(engine_name, args.signatures, load)
        tables.append(markdown_table(engine_name, comparisons))
        all_stored_once &= stored_once
    print("\n" + "\n\n".join(tables))
    print(
        f"\ngunicorn -k gthread -w 2 --threads 4 (app and baseline); wrk -t{load.threads} -c{load.connections}"
        f" -d{load.duration}s --latency; errors are non-2xx/3xx responses plus socket errors"
    )
    print(f"command: PYTHONPATH=. {shlex.join([sys.executable, *sys.argv])}")
    if not all_stored_once:
        print("FAILED: some acknowledged requests were not stored exactly once", file=sys.stderr)
    return 0 if all_stored_once else 1


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: the servers were stopped on the way out
        sys.exit(main())
    sys.exit(130)
