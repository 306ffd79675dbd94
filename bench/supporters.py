"""Supporter records at scale: search, bulk invalidation and CSV export with N signatures,
each side by side with the least possible doing the same work, in one run.

    PYTHONPATH=. .venv/bin/python bench/supporters.py                        # both engines, 1,000,000
    PYTHONPATH=. .venv/bin/python bench/supporters.py --engine sqlite --signatures 50000 --part search

For each engine: a fresh database (the local PostgreSQL database `bench_supporters`, or a
temporary SQLite file) with the demo campaign and one petition holding N confirmed
signatures (bench.common.fill: 240 first and last name pairs, a phone on one in four, every
tenth from one address hash, a third in Spanish) plus 20,000 pending. Then, in-process:

- search: each supporter search (no text, a name, an email, a ZIP, a phone, filters) 20 times
  through the app (the organizer page: the query, the counts, the template), against the
  bare statement that reads the same page of rows over one connection (baseline);
- bulk invalidation: every signature of the bot address (N / 10) invalidated by the bulk
  job, batch by batch, while a second thread signs the petition through the public form;
  the signing times during the job against those before it, and the job against one bare
  UPDATE of the same rows (baseline);
- export: the whole petition as CSV through the app's streamed response, chunk by chunk,
  its peak Python memory (tracemalloc) at N and at N / 10 rows, against a bare cursor
  written through csv.writer (baseline).

Prints one Markdown table per engine with the ratios and the targets (search p95 < 200 ms,
bulk of N / 10 < 30 s, export memory flat). Needs PostgreSQL on loopback (trust auth).
"""

from __future__ import annotations

import argparse
import csv
import io
import logging
import statistics
import sys
import threading
import time
import tracemalloc
import urllib.parse
from dataclasses import dataclass
from datetime import timedelta
from unittest import mock

import sqlalchemy as sa

from bench.common import BOT_IP_HASH, bench_app, create_petition, prepare_database, vacuum

ENGINES = ("sqlite", "postgresql")
PARTS = ("search", "export", "bulk")
DATABASE_NAME = "bench_supporters"
RUNS = 20
TARGET_SEARCH_P95_MS = 200
TARGET_BULK_SECONDS = 30
ORGANIZER_EMAIL = "bench-organizer@example.org"


@dataclass
class Search:
    name: str
    args: dict
    # The bare statement reading the same page: {p} is the petition id.
    baseline: str


SEARCHES = (
    Search(
        "everyone, newest first",
        {},
        "SELECT id, first_name, last_name, created_at FROM signatures"
        " WHERE petition_id = {p} ORDER BY created_at DESC, id DESC LIMIT 50",
    ),
    Search(
        "name prefix 'maria gar'",
        {"q": "maria gar"},
        "SELECT id, first_name, last_name, created_at"
        " FROM signatures WHERE petition_id = {p} AND name_key >= 'maria gar' AND name_key < 'maria gas'"
        " ORDER BY created_at DESC, id DESC LIMIT 50",
    ),
    Search(
        "email",
        {"q": "b777777@example.org"},
        "SELECT id, first_name, last_name, created_at FROM signatures WHERE petition_id = {p} AND person_id IN"
        " (SELECT id FROM people WHERE email_normalized = 'b777777@example.org')",
    ),
    Search(
        "ZIP",
        {"q": "54301"},
        "SELECT id, first_name, last_name, created_at FROM signatures"
        " WHERE petition_id = {p} AND zip_code = '54301' ORDER BY created_at DESC, id DESC LIMIT 50",
    ),
    Search(
        "phone",
        {"q": "(920) 555-4444"},
        "SELECT id, first_name, last_name, created_at FROM signatures"
        " WHERE petition_id = {p} AND phone_digits = '9205554444'",
    ),
    Search(
        "county Milwaukee",
        {"county": "55079"},
        "SELECT id, first_name, last_name, created_at FROM signatures"
        " WHERE petition_id = {p} AND county_fips = '55079' ORDER BY created_at DESC, id DESC LIMIT 50",
    ),
    Search(
        "source fox-valley",
        {"source": "fox-valley"},
        "SELECT id, first_name, last_name, created_at FROM signatures WHERE petition_id = {p}"
        " AND referral = 'fox-valley' ORDER BY created_at DESC, id DESC LIMIT 50",
    ),
    Search(
        "Spanish",
        {"language": "es"},
        "SELECT id, first_name, last_name, created_at FROM signatures WHERE petition_id = {p}"
        " AND locale = 'es' ORDER BY created_at DESC, id DESC LIMIT 50",
    ),
    Search(
        "Spanish, consented",
        {"language": "es", "consent": "yes"},
        "SELECT id, first_name, last_name, created_at FROM signatures WHERE petition_id = {p}"
        " AND locale = 'es' AND email_updates ORDER BY created_at DESC, id DESC LIMIT 50",
    ),
    Search(
        "pending",
        {"status": "pending"},
        "SELECT id, first_name, last_name, created_at FROM signatures"
        " WHERE petition_id = {p} AND status = 'pending' ORDER BY created_at DESC, id DESC LIMIT 50",
    ),
)


def quantile(times: list[float], percent: int) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[percent - 1] if len(times) > 1 else times[0]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def logged_in_client(app):
    from campaign.accounts.services import create_user, start_session
    from campaign.extensions import db

    user = create_user(ORGANIZER_EMAIL, "bench-password-long-enough", "organizer")
    start_session(user)
    db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client, user


def timed(action, runs: int = RUNS) -> list[float]:
    for _ in range(2):  # templates, first statements
        action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def bench_search(client, campaign_slug: str, petition_id: int) -> list[str]:
    from campaign.extensions import db

    rows = []
    for search in SEARCHES:
        path = f"/organize/campaigns/{campaign_slug}/supporters?" + urllib.parse.urlencode(search.args)

        def page(path=path) -> None:
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")

        app_times = timed(page)
        statement = sa.text(search.baseline.format(p=petition_id))
        with db.engine.connect() as connection:
            baseline_times = timed(
                lambda statement=statement, connection=connection: connection.execute(statement).all()
            )
        app_p95, baseline_p95 = quantile(app_times, 95), quantile(baseline_times, 95)
        verdict = "yes" if app_p95 * 1000 < TARGET_SEARCH_P95_MS else "NO"
        rows.append(
            f"| search: {search.name} | {ms(statistics.median(app_times))} / {ms(app_p95)} ms"
            f" | {ms(statistics.median(baseline_times))} / {ms(baseline_p95)} ms"
            f" | {app_p95 / baseline_p95:,.0f} | p95 < {TARGET_SEARCH_P95_MS} ms: {verdict} |"
        )
        print(rows[-1], flush=True)
    return rows


def peak_export(client, path: str) -> tuple[float, int, int]:
    """Seconds, rows and peak traced bytes of one streamed export, read chunk by chunk."""
    tracemalloc.start()
    started = time.perf_counter()
    response = client.post(path, data={"csrf_token": "", "submit": "1"}, buffered=False)
    if response.status_code != 200:
        raise SystemExit(f"export {path} answered {response.status_code}: {response.get_data(as_text=True)[:300]}")
    lines = 0
    for chunk in response.response:
        lines += (chunk.decode() if isinstance(chunk, bytes) else chunk).count("\n")
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    response.close()
    return seconds, lines - 1, peak


def bare_export(petition_id: int) -> tuple[float, int, int]:
    from campaign.extensions import db

    tracemalloc.start()
    started = time.perf_counter()
    statement = sa.text(
        "SELECT first_name, last_name, zip_code, city, county_fips, status, source, referral, created_at,"
        f" confirmed_at, locale, email_updates FROM signatures WHERE petition_id = {petition_id} ORDER BY id"
    )
    rows = 0
    with db.engine.connect() as connection:
        result = connection.execution_options(yield_per=1000).execute(statement)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in result:
            writer.writerow(row)
            rows += 1
            if rows % 500 == 0:
                buffer.seek(0)
                buffer.truncate()
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, rows, peak


def bench_export(client, campaign_slug: str, petition_id: int) -> list[str]:
    base = f"/organize/campaigns/{campaign_slug}/supporters/export?action=petition:bench"
    with mock.patch.dict(client.application.config, {"WTF_CSRF_ENABLED": False}):
        small_seconds, small_rows, small_peak = peak_export(client, base + "&county=55079")
        seconds, rows, peak = peak_export(client, base)
    bare_seconds, bare_rows, bare_peak = bare_export(petition_id)
    row = (
        f"| export CSV, {rows:,} rows (and {small_rows:,}) | {seconds:,.1f} s, peak {peak / 1e6:,.1f} MB"
        f" ({small_peak / 1e6:,.1f} MB at {small_rows:,}) | {bare_seconds:,.1f} s, peak {bare_peak / 1e6:,.1f} MB"
        f" ({bare_rows:,} rows) | {seconds / bare_seconds:,.1f}"
        f" | memory flat: {'yes' if peak < 2 * small_peak + 5e6 else 'NO'} |"
    )
    print(row, flush=True)
    return [row]


class Signer(threading.Thread):
    """Signs the petition through the public form, one signature every `pause` seconds, and
    keeps each request's time, until stopped."""

    def __init__(self, app, start_number: int, pause: float = 0.1):
        super().__init__(daemon=True)
        self.client = app.test_client()
        self.number = start_number
        self.pause = pause
        self.times: list[float] = []
        self.failures = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.number += 1
            form = {
                "first_name": "Concurrent",
                "last_name": f"Signer{self.number}",
                "email": f"concurrent{self.number}@example.net",
                "zip_code": "54301",
            }
            started = time.perf_counter()
            response = self.client.post("/p/bench", data=form)
            self.times.append(time.perf_counter() - started)
            if response.status_code != 303:
                self.failures += 1
            time.sleep(self.pause)

    def stop(self) -> None:
        self.stopping.set()
        self.join()


def bench_bulk(app, user, petition, engine_name: str) -> list[str]:
    from campaign.extensions import db
    from campaign.petitions import bulk
    from campaign.petitions.listing import SignatureFilter
    from campaign.petitions.models import Signature, SignatureStatus

    signature_filter = SignatureFilter.from_args({"ip": BOT_IP_HASH})
    before = Signer(app, 0)
    before.start()
    time.sleep(5)
    before.stop()

    # The job runs here, timed, instead of through the runner.
    with mock.patch.object(bulk.jobs, "enqueue"):
        run = bulk.start(petition, signature_filter, "invalidate", "bench: one address", user)
    db.session.commit()
    signer = Signer(app, 100_000)
    signer.start()
    started = time.perf_counter()
    bulk.apply_bulk(run.id)
    seconds = time.perf_counter() - started
    signer.stop()
    db.session.refresh(run)

    # The baseline: the same rows back, then invalidated again by one bare statement.
    db.session.execute(
        sa.update(Signature)
        .where(Signature.petition_id == petition.id, Signature.ip_hash == BOT_IP_HASH)
        .values(status=SignatureStatus.CONFIRMED, invalidated_at=None, invalidated_reason=None)
    )
    db.session.commit()
    started = time.perf_counter()
    db.session.execute(
        sa.update(Signature)
        .where(Signature.petition_id == petition.id, Signature.ip_hash == BOT_IP_HASH)
        .values(status=SignatureStatus.INVALIDATED, invalidated_reason="bench")
    )
    db.session.commit()
    bare_seconds = time.perf_counter() - started
    row = (
        f"| bulk invalidation of {run.touched:,} | {seconds:,.1f} s; signing meanwhile p50/p95/max"
        f" {ms(statistics.median(signer.times))} / {ms(quantile(signer.times, 95))} / {ms(max(signer.times))} ms"
        f" ({len(signer.times)} signatures, {signer.failures} refused) against"
        f" {ms(statistics.median(before.times))} / {ms(quantile(before.times, 95))} / {ms(max(before.times))} ms"
        f" before | one UPDATE: {bare_seconds:,.1f} s | {seconds / bare_seconds:,.1f}"
        f" | < {TARGET_BULK_SECONDS} s: {'yes' if seconds < TARGET_BULK_SECONDS else 'NO'} |"
    )
    print(row, flush=True)
    return [row]


def run_engine(engine_name: str, signatures: int, parts: tuple[str, ...] = PARTS) -> list[str]:
    url = prepare_database(engine_name, DATABASE_NAME)
    app = bench_app(url)
    with app.app_context(), mock.patch("campaign.petitions.counts.COUNT_MAX_AGE", timedelta(days=1)):
        petition = create_petition(
            engine_name, signatures, spread_days=365, referrals=("fox-valley", "voters-league"), pending=20_000
        )
        vacuum(engine_name)
        client, user = logged_in_client(app)
        slug = petition.campaign.slug
        lines = [
            f"\n### {engine_name}, {signatures:,} signatures\n",
            "| what | app p50 / p95 (or time) | baseline | ratio app/baseline | target |",
            "| --- | --- | --- | --- | --- |",
        ]
        if "search" in parts:
            lines += bench_search(client, slug, petition.id)
        if "export" in parts:
            lines += bench_export(client, slug, petition.id)
        if "bulk" in parts:
            lines += bench_bulk(app, user, petition, engine_name)
    return lines


def main() -> int:
    logging.getLogger("campaign").setLevel(logging.ERROR)  # each concurrent signature's mail
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=ENGINES, action="append")
    parser.add_argument("--signatures", type=int, default=1_000_000)
    parser.add_argument("--part", choices=PARTS, action="append", help="Only these parts (default: all).")
    options = parser.parse_args()
    report = []
    for engine_name in options.engine or ENGINES:
        report += run_engine(engine_name, options.signatures, tuple(options.part or PARTS))
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
