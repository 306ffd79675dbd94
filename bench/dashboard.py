"""Organizer dashboard, county and home pages with N signatures over Wisconsin's 72 counties,
side by side with a bare Flask app (bench/baseline.py) under the same gunicorn, loaded by wrk.

    PYTHONPATH=. .venv/bin/python bench/dashboard.py                      # both engines, 1,000,000 signatures
    PYTHONPATH=. .venv/bin/python bench/dashboard.py --engine sqlite --signatures 20000 --duration 2

For each engine: a fresh database (the local PostgreSQL database `bench_dashboard`, or a
temporary SQLite file removed afterwards) with the demo data and N confirmed signatures on the
demo petition, spread unevenly over the 72 Wisconsin counties (county of rank r weighs 1/r,
Brown first), confirmed over the last 60 days, one in ten online ones with one of five share
codes, one in a hundred on paper, plus 20,000 waiting for their email confirmation. Then:

- the background cost of the maintained count tables: a forced full recount, and the
  incremental one after 1,000 more confirmations, statement by statement;
- each page in-process, one request at a time: its time, its queries and theirs, and a
  profile of the slowest page;
- the app (wsgi:app) and the baseline each served by gunicorn with the same settings, a
  VIEWER logged in through POST /login, and wrk sending that session cookie, page by page,
  with 1 then 4 connections (--connections).

Prints one Markdown table per engine: requests/s and p50/p95/p99 of each page and of the
baseline doing the least of the same work, their ratios, and p95 against the 200 ms target.
Exits non-zero when a page answered anything but 200. Needs PostgreSQL (trust auth) and
Redis on loopback (db 10); installs Debian's wrk when missing.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import html
import http.client
import io
import logging
import os
import pstats
import re
import secrets
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from redis import Redis

from bench.common import bench_app, fill, prepare_database, utc_timestamp, vacuum
from bench.harness import WRK_SCRIPT, LoadResult, LoadSettings, Server, ensure_wrk, free_ports, gunicorn, parse_wrk
from bench.side_by_side import flask_command, server_environment

ENGINES = ("sqlite", "postgresql")
DATABASE_NAME = "bench_dashboard"
REDIS_URL = "redis://127.0.0.1:6379/10"
WARM_UP_SECONDS = 2
TARGET_P95_MS = 200
PENDING = 20_000
NEW_CONFIRMATIONS = 1_000  # confirmed after the full recount, for the incremental one
SPREAD_DAYS = 60
# Share codes: the demo petition's three (two partners' links and a flyer's) and two more.
SHARE_CODES = ("fox-valley", "voters-league", "library-flyer", "radio-ad", "facebook")
# Wisconsin's largest counties by population first (Brown, the demo's target, leads the campaign);
# the other counties follow by FIPS code. The county of rank r weighs 1/r.
LEADING_COUNTIES = ("55009", "55079", "55025", "55133", "55087", "55139", "55105", "55101", "55059", "55117")
USER_AGENT = "bench-dashboard"  # the same for the login and for wrk: Flask-Login's session protection
VIEWER_EMAIL = "bench-viewer@example.org"
IN_PROCESS_RUNS = 20
PROFILED_RUNS = 5
PRIME_REQUESTS = 16  # twice gunicorn's 2 workers x 4 threads
QUIET_AFTER_CONFIRMATIONS = 75  # seconds: COMMIT_SLACK and one refresh period (petitions.counts)


@dataclass(frozen=True)
class Page:
    name: str
    app_path: str
    baseline_path: str
    baseline_name: str


@dataclass(frozen=True)
class Comparison:
    page: Page
    connections: int
    app: LoadResult
    baseline: LoadResult

    @property
    def rate_ratio(self) -> float:
        return self.app.per_second / self.baseline.per_second if self.baseline.requests else 0.0

    @property
    def p95_ratio(self) -> float:
        return self.app.latency_ms[95] / self.baseline.latency_ms[95] if self.baseline.latency_ms[95] else 0.0

    @property
    def passed(self) -> bool:
        """Under the target, with every request answered 200 (wrk leaves timeouts out of its
        percentiles)."""
        return only_200(self.app) and self.app.latency_ms[95] < TARGET_P95_MS


@dataclass
class Preparation:
    database_url: str
    password: str
    pages: list[Page]
    notes: list[str]  # lines for the report: fill, refresh timings, page anatomy
    confirmed_at: float  # time.monotonic() of the last confirmations


# --- SQL timing ----------------------------------------------------------------------------


@contextlib.contextmanager
def timed_statements(engine: sa.Engine):
    """Every statement run on `engine` in the block, with its execution time (seconds)."""
    statements: list[tuple[float, str]] = []

    def before(_connection, _cursor, _statement, _parameters, context, _many):
        context._bench_started = time.perf_counter()

    def after(_connection, _cursor, statement, _parameters, context, _many):
        statements.append((time.perf_counter() - context._bench_started, statement))

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)


def short(statement: str, length: int = 90) -> str:
    return " ".join(statement.split())[:length]


def refresh_timed(label: str, petition_id: int, force: bool, notes: list[str]) -> None:
    from campaign.extensions import db
    from campaign.petitions import counts

    with timed_statements(db.engine) as statements:
        started = time.perf_counter()
        recounted = counts.refresh_counts(petition_id, force=force)
        db.session.commit()
        elapsed = time.perf_counter() - started
    slowest = sorted(statements, reverse=True)[:3]
    line = f"{label}: {elapsed * 1000:,.0f} ms (recounted: {recounted}); slowest statements: " + "; ".join(
        f"{seconds * 1000:,.0f} ms {short(statement, 70)}" for seconds, statement in slowest
    )
    print(line, flush=True)
    notes.append(line)


# --- the data --------------------------------------------------------------------------------


def county_weights() -> dict[str, int]:
    """FIPS -> share of the signatures, for every Wisconsin county in the counties table."""
    from campaign.extensions import db
    from campaign.geo.models import County

    fips_codes = list(db.session.scalars(sa.select(County.fips).where(County.state == "WI").order_by(County.fips)))
    ranked = [fips for fips in LEADING_COUNTIES if fips in fips_codes]
    ranked += [fips for fips in fips_codes if fips not in ranked]
    return {fips: max(1, round(1000 / rank)) for rank, fips in enumerate(ranked, start=1)}


def add_share_links(campaign) -> None:
    """Share links for the codes the demo has not made yet (no partner organization)."""
    from campaign.campaigns.models import ShareLink, ShareTarget
    from campaign.extensions import db
    from campaign.petitions import demo as petitions_demo

    existing = set(db.session.scalars(sa.select(ShareLink.code)))
    for code in SHARE_CODES:
        if code not in existing:
            db.session.add(
                ShareLink(
                    campaign=campaign, code=code, target=ShareTarget.PETITION, target_slug=petitions_demo.DEMO_SLUG
                )
            )
    db.session.commit()


def confirm_pending(engine_name: str, petition_id: int, number: int) -> None:
    """`number` waiting signatures confirmed now, as the confirmation link does."""
    from campaign.extensions import db

    db.session.execute(
        sa.text(
            f"UPDATE signatures SET status = 'confirmed', confirmed_at = {utc_timestamp(engine_name)}"
            " WHERE id IN (SELECT id FROM signatures WHERE petition_id = :petition_id AND status = 'pending'"
            " ORDER BY id LIMIT :number)"
        ),
        {"petition_id": petition_id, "number": number},
    )
    db.session.commit()


def prepare(engine_name: str, signatures: int) -> Preparation:
    from flask import url_for
    from flask_migrate import upgrade

    from campaign.accounts.models import Role
    from campaign.accounts.services import create_user
    from campaign.campaigns import demo as campaigns_demo
    from campaign.campaigns.models import Campaign
    from campaign.extensions import db
    from campaign.petitions import demo as petitions_demo
    from campaign.petitions.models import Petition, PetitionCountyCount, Signature, SignatureStatus

    url = prepare_database(engine_name, DATABASE_NAME)
    app = bench_app(url)
    app.logger.setLevel(logging.ERROR)  # the demo's confirmation mails, one log entry each
    notes: list[str] = []
    with app.app_context():
        upgrade()
        flask_command(app.test_cli_runner(), "seed-demo")
        campaign = db.session.scalar(sa.select(Campaign).where(Campaign.slug == campaigns_demo.DEMO_CAMPAIGN_SLUG))
        petition_id = db.session.scalar(sa.select(Petition.id).where(Petition.slug == petitions_demo.DEMO_SLUG))
        add_share_links(campaign)
        weights = county_weights()
        started = time.perf_counter()
        fill(
            engine_name,
            petition_id,
            signatures - NEW_CONFIRMATIONS,
            weights=weights,
            spread_days=SPREAD_DAYS,
            referrals=SHARE_CODES,
            paper_every=100,
            pending=PENDING + NEW_CONFIRMATIONS,
        )
        line = (
            f"fill: {signatures - NEW_CONFIRMATIONS:,} confirmed + {PENDING + NEW_CONFIRMATIONS:,} pending signatures"
            f" over {len(weights)} counties in {time.perf_counter() - started:.1f} s"
        )
        print(line, flush=True)
        notes.append(line)

        refresh_timed("full recount (refresh_counts force=True)", petition_id, True, notes)
        confirm_pending(engine_name, petition_id, NEW_CONFIRMATIONS)
        confirmed_at = time.monotonic()
        refresh_timed(
            f"incremental recount after {NEW_CONFIRMATIONS:,} new confirmations (force=False)",
            petition_id,
            False,
            notes,
        )
        vacuum(engine_name)

        by_county = db.session.execute(
            sa.select(PetitionCountyCount.county_fips, PetitionCountyCount.confirmed)
            .where(PetitionCountyCount.petition_id == petition_id)
            .order_by(PetitionCountyCount.confirmed.desc(), PetitionCountyCount.county_fips)
        ).all()
        (big, big_count), (small, small_count) = by_county[0], by_county[-1]
        status_counts = dict(
            db.session.execute(
                sa.select(Signature.status, sa.func.count())
                .where(Signature.petition_id == petition_id)
                .group_by(Signature.status)
            ).all()
        )
        line = (
            f"petition: {status_counts.get(SignatureStatus.CONFIRMED, 0):,} confirmed,"
            f" {status_counts.get(SignatureStatus.PENDING, 0):,} pending, {len(by_county)} counties;"
            f" biggest {big} ({big_count:,}), smallest {small} ({small_count:,})"
        )
        print(line, flush=True)
        notes.append(line)

        password = secrets.token_urlsafe(16)
        create_user(VIEWER_EMAIL, password, Role.VIEWER, "Bench viewer")
        db.session.commit()

        with app.test_request_context():
            slug = campaigns_demo.DEMO_CAMPAIGN_SLUG
            counts_path = f"/counts/{petition_id}"
            pages = [
                Page("campaign dashboard", url_for("dashboard.campaign", slug=slug), counts_path, "county counts"),
                Page(
                    f"county page, biggest ({big}: {big_count:,})",
                    url_for("dashboard.county", slug=slug, fips=big),
                    f"{counts_path}/{big}",
                    "county GROUP BY hour",
                ),
                Page(
                    f"county page, smallest ({small}: {small_count:,})",
                    url_for("dashboard.county", slug=slug, fips=small),
                    f"{counts_path}/{small}",
                    "county GROUP BY hour",
                ),
                Page("organizer home", url_for("dashboard.home"), counts_path, "county counts"),
            ]
        notes += anatomy(app, pages)
        db.engine.dispose()
    return Preparation(url, password, pages, notes, confirmed_at)


def anatomy(app, pages: list[Page]) -> list[str]:
    """Each page in-process (no HTTP, no concurrency): median time, queries and their time,
    the slowest query; then a profile of the slowest page. Where a page's time goes.
    The counts are taken as fresh here: no page view runs a refresh (the eager job runner
    of bench_app would run it inside the request)."""
    from unittest import mock

    with mock.patch("campaign.petitions.counts.COUNT_MAX_AGE", timedelta(days=1)):
        return _anatomy(app, pages)


def _anatomy(app, pages: list[Page]) -> list[str]:
    from campaign.accounts.services import find_user, start_session
    from campaign.extensions import db

    user = find_user(VIEWER_EMAIL)
    start_session(user)
    db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    lines = [f"in-process, one request at a time, {IN_PROCESS_RUNS} requests a page after 2 unmeasured:"]
    medians = {}
    for page in pages:
        for _ in range(2):  # templates, the county map, first queries
            check(client.get(page.app_path), page)
        times = []
        for _ in range(IN_PROCESS_RUNS):
            with timed_statements(db.engine) as statements:
                started = time.perf_counter()
                check(client.get(page.app_path), page)
                times.append(time.perf_counter() - started)
        medians[page] = statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[-1]
        sql = sum(seconds for seconds, _ in statements)  # those of the last request
        slowest_seconds, slowest = max(statements)
        line = (
            f"  {page.name}: p50 {medians[page] * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms; {len(statements)} queries"
            f" taking {sql * 1000:.1f} ms, the slowest {slowest_seconds * 1000:.1f} ms: {short(slowest)}"
        )
        print(line, flush=True)
        lines.append(line)
    slowest_page = max(medians, key=medians.get)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(PROFILED_RUNS):
        client.get(slowest_page.app_path)
    profiler.disable()
    output = io.StringIO()
    pstats.Stats(profiler, stream=output).sort_stats("cumulative").print_stats(r"campaign/|sqlalchemy/engine|pygal", 30)
    profile = f"profile of the slowest page, {slowest_page.name}, {PROFILED_RUNS} requests:\n" + output.getvalue()
    print(profile, flush=True)
    lines.append(profile)
    return lines


def check(response, page: Page) -> None:
    if response.status_code != 200:
        raise RuntimeError(f"{page.app_path} answered {response.status_code}")


# --- HTTP: login and load ---------------------------------------------------------------------


def log_in(server: Server, email: str, password: str) -> str:
    """POST /login as a browser does (the form's CSRF token, the session cookie it came with);
    returns the Cookie header of the logged-in session."""
    host = urllib.parse.urlsplit(server.base_url)
    connection = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    headers = {"User-Agent": USER_AGENT}
    connection.request("GET", "/login", headers=headers)
    response = connection.getresponse()
    form = response.read().decode()
    cookie = session_cookie(response)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', form
    )
    if response.status != 200 or cookie is None or token is None:
        raise RuntimeError(f"GET /login: {response.status}, no session cookie or CSRF token")
    body = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": html.unescape(token[1])})
    connection.request(
        "POST",
        "/login",
        body=body,
        headers=headers
        | {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, "Origin": server.base_url},
    )
    response = connection.getresponse()
    response.read()
    cookie = session_cookie(response)
    connection.close()
    if response.status != 302 or cookie is None:
        raise RuntimeError(f"POST /login answered {response.status}: see {server.log}")
    return cookie


def session_cookie(response) -> str | None:
    for header in response.headers.get_all("Set-Cookie") or []:
        if header.startswith("session="):
            return header.split(";", 1)[0]
    return None


def run_wrk(url: str, load: LoadSettings, cookie: str) -> LoadResult:
    """harness.run_wrk with the session cookie and the login's User-Agent on every request."""
    command = [
        ensure_wrk(),
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{load.duration}s",
        "--timeout",
        "10s",
        "--latency",
        "-H",
        f"Cookie: {cookie}",
        "-H",
        f"User-Agent: {USER_AGENT}",
        "-s",
        str(WRK_SCRIPT),
        url,
        "--",
        "get",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=load.duration + 60).stdout
    return parse_wrk(output)


def prime(server: Server, path: str, cookie: str) -> None:
    """PRIME_REQUESTS at once, each waited for: every worker process of the server pays its
    first-request costs (the county atlas, templates, chart styles) before wrk's warm-up. The
    page must answer 200 (not a redirect to the login page); server errors are left for the
    measure to count."""
    host = urllib.parse.urlsplit(server.base_url)

    def get(_index: int) -> int:
        connection = http.client.HTTPConnection(host.hostname, host.port, timeout=120)
        try:
            connection.request("GET", path, headers={"Cookie": cookie, "User-Agent": USER_AGENT})
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    with ThreadPoolExecutor(PRIME_REQUESTS) as pool:
        statuses = list(pool.map(get, range(PRIME_REQUESTS)))
    if 200 not in statuses or any(status < 500 and status != 200 for status in statuses):
        raise RuntimeError(f"{server.name} {path} answered {sorted(set(statuses))}: see {server.log}")


def load_page(server: Server, path: str, load: LoadSettings, cookie: str) -> LoadResult:
    """Primed, then a warm-up of the same load, unmeasured, then the measure."""
    prime(server, path, cookie)
    run_wrk(server.base_url + path, LoadSettings(WARM_UP_SECONDS, load.connections, load.threads), cookie)
    result = run_wrk(server.base_url + path, load, cookie)
    print(f"  {server.name} {path}: {result.describe()}", flush=True)
    return result


def only_200(result: LoadResult) -> bool:
    return result.requests > 0 and set(result.statuses) == {200} and result.socket_errors == 0


def run_engine(
    engine_name: str, signatures: int, loads: list[LoadSettings]
) -> tuple[list[Comparison], list[str], bool]:
    print(f"\n== {engine_name}", flush=True)
    prepared = prepare(engine_name, signatures)
    Redis.from_url(REDIS_URL).flushdb()
    app_port, baseline_port = free_ports(2)
    # Refresh jobs run in a thread of the web process (the embedded set-up): the counts stay
    # fresh as in production instead of piling up in a queue nobody reads.
    environment = server_environment(prepared.database_url, app_port) | {
        "REDIS_URL": REDIS_URL,
        "JOBS_RUNNER": "thread",
    }
    logs = Path(tempfile.mkdtemp(prefix=f"bench-dashboard-{engine_name}-"))
    comparisons = []
    all_200 = True
    try:
        with (
            gunicorn("app", "wsgi:app", app_port, environment, logs) as app,
            gunicorn("baseline", "bench.baseline:app", baseline_port, environment, logs) as baseline,
        ):
            print(f"servers up, logs in {logs}", flush=True)
            cookie = log_in(app, VIEWER_EMAIL, prepared.password)
            # Refreshes recount while the last confirmation is under COMMIT_SLACK (1 min) old;
            # then they only note that nothing changed. The pages are measured in that steady
            # state; the recount's own cost is the one measured above.
            wait = prepared.confirmed_at + QUIET_AFTER_CONFIRMATIONS - time.monotonic()
            if wait > 0:
                print(f"waiting {wait:.0f} s for the refreshes to find nothing new", flush=True)
                time.sleep(wait)
            for load in loads:
                print(f"{load.connections} connection(s):", flush=True)
                baseline_results: dict[str, LoadResult] = {}
                for page in prepared.pages:
                    app_result = load_page(app, page.app_path, load, cookie)
                    if page.baseline_path not in baseline_results:
                        baseline_results[page.baseline_path] = load_page(baseline, page.baseline_path, load, cookie)
                    comparison = Comparison(page, load.connections, app_result, baseline_results[page.baseline_path])
                    all_200 &= only_200(comparison.app) and only_200(comparison.baseline)
                    comparisons.append(comparison)
        errors = app.log.read_text(errors="replace")
        line = (
            f"app log: {errors.count('ERROR in handlers')} unhandled errors,"
            f" {errors.count('database is locked')} lines with 'database is locked',"
            f" {errors.count('job runner failed')} failed jobs"
        )
        print(line, flush=True)
        prepared.notes.append(line)
    finally:
        if engine_name == "sqlite":
            # A temporary file of N signatures (about 500 MB at a million): not kept after the run.
            shutil.rmtree(Path(sa.make_url(prepared.database_url).database).parent, ignore_errors=True)
    return comparisons, prepared.notes, all_200


def latency(result: LoadResult) -> str:
    return "/".join(f"{result.latency_ms[p]:.1f}" for p in (50, 95, 99))


def markdown_table(engine_name: str, comparisons: list[Comparison]) -> str:
    lines = [
        f"### {engine_name}",
        "",
        "| page | clients | app req/s | app p50/p95/p99 ms | baseline | baseline req/s | baseline p50/p95/p99 ms"
        " | req/s ratio app/baseline | p95 ratio app/baseline | errors app/baseline | app p95 < 200 ms |",
        "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in comparisons:
        lines.append(
            f"| {row.page.name} | {row.connections} | {row.app.per_second:,.0f} | {latency(row.app)}"
            f" | {row.page.baseline_name}"
            f" | {row.baseline.per_second:,.0f} | {latency(row.baseline)} | {row.rate_ratio:.3f}"
            f" | {row.p95_ratio:.1f} | {row.app.errors:,}/{row.baseline.errors:,}"
            f" | {'PASS' if row.passed else 'FAIL'} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=ENGINES, help="one engine (default: both)")
    parser.add_argument("--signatures", type=int, default=1_000_000, help="confirmed signatures on the petition")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument(
        "--connections", type=int, nargs="+", default=[1, 4], help="wrk connections: one load per number given"
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (at most the connections)")
    args = parser.parse_args()
    if args.signatures <= NEW_CONFIRMATIONS:
        parser.error(f"--signatures must be over {NEW_CONFIRMATIONS:,}")
    # A plain `kill` unwinds like Ctrl-C does, through the blocks that stop the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    loads = [LoadSettings(args.duration, number, min(args.threads, number)) for number in args.connections]
    started = datetime.now().astimezone()
    reports = []
    all_200 = True
    for engine_name in [args.engine] if args.engine else ENGINES:
        comparisons, notes, answered = run_engine(engine_name, args.signatures, loads)
        reports.append(markdown_table(engine_name, comparisons) + "\n\n" + "\n".join(notes))
        all_200 &= answered
    print("\n" + "\n\n".join(reports))
    print(
        "\ngunicorn -k gthread -w 2 --threads 4 (app and baseline, JOBS_RUNNER=thread); "
        + "; ".join(f"wrk -t{load.threads} -c{load.connections} -d{load.duration}s --latency" for load in loads)
        + f", each after {PRIME_REQUESTS} requests at once and a {WARM_UP_SECONDS} s warm-up, with a VIEWER's"
        " session cookie"
    )
    print(f"started {started:%Y-%m-%d %H:%M %Z}, {os.cpu_count()} CPUs")
    print(f"command: PYTHONPATH=. {shlex.join([sys.executable, *sys.argv])}")
    if not all_200:
        print("FAILED: some requests were not answered 200", file=sys.stderr)
    return 0 if all_200 else 1


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: the servers were stopped on the way out
        sys.exit(main())
    sys.exit(130)
