"""Shared by the benchmarks: a fresh database holding one petition with N signatures."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa

from campaign.extensions import db

FIRST_NAMES = ("Maria", "Jose", "Ana", "Luis", "Sarah", "John", "Mai", "Tou", "Fatima", "Ahmed", "Linda", "James")
LAST_NAMES = (
    "Garcia",
    "Hernandez",
    "Lopez",
    "Smith",
    "Johnson",
    "Vang",
    "Xiong",
    "Nguyen",
    "Miller",
    "Davis",
    "Martinez",
    "Rodriguez",
    "Wilson",
    "Anderson",
    "Thao",
    "Moua",
    "Lee",
    "Brown",
    "Jones",
    "Khan",
)
# Every BOT_EVERY-th signature comes from one address (one keyed hash): a bot for bulk moderation.
BOT_EVERY = 10
BOT_IP_HASH = "b0" * 32

WISCONSIN_WEIGHTS = {"55009": 30, "55087": 8, "55139": 6, "55025": 10, "55079": 12, "55061": 2, "55083": 2}


def prepare_database(engine_name: str, name: str | None = None) -> str:
    """A fresh, empty database: a file in a new temporary folder (SQLite), or the PostgreSQL
    database `name` (default: the one BENCH_DATABASE_URL names, `bench` when unset) dropped and
    created again."""
    if engine_name == "sqlite":
        return f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench")
    server_url, default_name = url.rsplit("/", 1)
    name = name or default_name
    server = sa.create_engine(server_url + "/postgres", isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return f"{server_url}/{name}"


def series(engine_name: str, count: int) -> str:
    if engine_name == "sqlite":
        return f"WITH RECURSIVE seq(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM seq WHERE g < {count}) "
    return f"WITH seq(g) AS (SELECT generate_series(1, {count})) "


def fill(
    engine_name: str,
    petition_id: int,
    count: int,
    *,
    weights: dict[str, int] = WISCONSIN_WEIGHTS,
    spread_days: int = 0,
    referrals: Sequence[str] = (),
    referral_every: int = 10,
    paper_every: int = 0,
    pending: int = 0,
) -> None:
    """`count` people with a confirmed signature each, spread over counties by `weights`
    (FIPS -> relative share; by default seven Wisconsin counties, Brown the largest), then
    `pending` more people whose signature waits for its email confirmation.

    Optional: confirmation times spread evenly over the last `spread_days` days (default:
    all now); every `referral_every`-th online signature carries one of `referrals` in turn;
    every `paper_every`-th signature is a paper one (never with a referral). All in two
    INSERT ... SELECT over a generated series, whatever the count."""
    buckets = [fips for fips, weight in weights.items() for _ in range(weight)]
    db.session.execute(sa.text("CREATE TEMPORARY TABLE bench_counties (idx INTEGER PRIMARY KEY, fips VARCHAR(5))"))
    db.session.execute(
        sa.text("INSERT INTO bench_counties (idx, fips) VALUES (:idx, :fips)"),
        [{"idx": index, "fips": fips} for index, fips in enumerate(buckets)],
    )
    now = utc_timestamp(engine_name)
    first = _pick(FIRST_NAMES, "g")
    last = _pick(LAST_NAMES, f"(g / {len(FIRST_NAMES)})")
    db.session.execute(
        sa.text(
            series(engine_name, count + pending)
            + "INSERT INTO people (email, email_normalized, email_domain, first_name, last_name, name_key, zip_code,"
            " county_fips, locale, created_at, updated_at) SELECT 'b' || g || '@example.org',"
            f" 'b' || g || '@example.org', 'example.org', {first}, {last}, lower({first} || ' ' || {last}),"
            f" '54301', c.fips, CASE WHEN g % 3 = 0 THEN 'es' ELSE 'en' END, {now}, {now}"
            f" FROM seq JOIN bench_counties c ON c.idx = g % {len(buckets)}"
        )
    )
    # g: the number in the person's email ('b' + g + '@example.org'), 1 to count + pending.
    number = "CAST(substr(p.email, 2, length(p.email) - 13) AS BIGINT)"
    paper = f"g % {paper_every} = 0" if paper_every else "1 = 0"
    if referrals:
        choices = " ".join(f"WHEN {index} THEN '{code}'" for index, code in enumerate(referrals))
        referral = (
            f"CASE WHEN NOT ({paper}) AND g % {referral_every} = 1"
            f" THEN CASE (g / {referral_every}) % {len(referrals)} {choices} END END"
        )
    else:
        referral = "NULL"
    # Spread evenly (a multiplicative step modulo the period) over the last spread_days days.
    at = utc_timestamp(engine_name, f"(g * 7919) % {spread_days * 86400}" if spread_days else None)
    db.session.execute(
        sa.text(
            "INSERT INTO signatures (petition_id, person_id, status, source, referral, first_name, last_name,"
            " name_key, zip_code, city, county_fips, phone, phone_digits, ip_hash, show_publicly, email_updates,"
            " consent_text, consented_at, locale, created_at, confirmed_at)"
            f" SELECT {petition_id}, p.id, CASE WHEN g > {count} THEN 'pending' ELSE 'confirmed' END,"
            f" CASE WHEN {paper} THEN 'paper' ELSE 'online' END, {referral},"
            " p.first_name, p.last_name, p.name_key, p.zip_code, 'Green Bay', p.county_fips,"
            " CASE WHEN g % 4 = 0 THEN '920-555-' || g END, CASE WHEN g % 4 = 0 THEN '920555' || g END,"
            f" CASE WHEN g % {BOT_EVERY} = 0 THEN '{BOT_IP_HASH}' END,"
            f" (p.id % 3 = 0), (g % 2 = 0), '[ ] consent', {at}, p.locale, {at},"
            f" CASE WHEN g > {count} THEN NULL ELSE {at} END"
            f" FROM (SELECT p.*, {number} AS g FROM people p WHERE p.email LIKE 'b%@example.org') p"
        )
    )
    db.session.commit()
    if engine_name == "postgresql":
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def vacuum(engine_name: str) -> None:
    """PostgreSQL: the visibility map and statistics autovacuum would have caught up with,
    done now rather than during the load."""
    if engine_name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))


def _pick(names: Sequence[str], index: str) -> str:
    """SQL choosing one of `names` by an integer SQL expression, in turn."""
    choices = " ".join(f"WHEN {position} THEN '{name}'" for position, name in enumerate(names))
    return f"(CASE ({index}) % {len(names)} {choices} END)"


def utc_timestamp(engine_name: str, seconds_ago: str | None = None) -> str:
    """SQL for the current UTC time (as UTCDateTime stores it), `seconds_ago` (an SQL integer
    expression) earlier when given."""
    if engine_name == "sqlite":
        shift = f", '-' || ({seconds_ago}) || ' seconds'" if seconds_ago else ""
        return f"(datetime('now'{shift}) || '.000000')"
    shift = f" - ({seconds_ago}) * INTERVAL '1 second'" if seconds_ago else ""
    return f"((CURRENT_TIMESTAMP AT TIME ZONE 'UTC'){shift})"


def bench_app(url: str):
    from campaign import create_app

    config = {"SQLALCHEMY_DATABASE_URI": url, "JOBS_RUNNER": "eager", "MAIL_SERVER": None, "RATELIMIT_ENABLED": False}
    return create_app(config, instance_path=Path(tempfile.mkdtemp()))


def create_petition(
    engine_name: str, signatures: int, *, spread_days: int = 0, referrals: Sequence[str] = (), pending: int = 0
):
    """Migrate the empty database, add the demo campaign, one petition and its signatures."""
    import time

    from flask_migrate import upgrade

    from campaign.campaigns import demo as campaigns_demo
    from campaign.petitions.models import Petition, PetitionCounty, PetitionStatus

    upgrade()
    petition = Petition(
        campaign=campaigns_demo.seed(),
        slug="bench",
        title="Bench petition",
        ask="End it.",
        goal=2_000_000,
        status=PetitionStatus.OPEN,
        counties=[PetitionCounty(county_fips="55009", goal=500_000)],
    )
    db.session.add(petition)
    db.session.commit()
    started = time.perf_counter()
    fill(engine_name, petition.id, signatures, spread_days=spread_days, referrals=referrals, pending=pending)
    print(f"engine={engine_name} signatures={signatures:,} fill={time.perf_counter() - started:.1f} s")
    return petition
