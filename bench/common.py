"""Shared by the benchmarks: a fresh database holding one petition with N signatures."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import sqlalchemy as sa

from campaign.extensions import db

WISCONSIN_WEIGHTS = {"55009": 30, "55087": 8, "55139": 6, "55025": 10, "55079": 12, "55061": 2, "55083": 2}


def prepare_database(engine_name: str) -> str:
    if engine_name == "sqlite":
        return f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench")
    server = sa.create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(sa.text("DROP DATABASE IF EXISTS bench WITH (FORCE)"))
        connection.execute(sa.text("CREATE DATABASE bench"))
    server.dispose()
    return url


def series(engine_name: str, count: int) -> str:
    if engine_name == "sqlite":
        return f"WITH RECURSIVE seq(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM seq WHERE g < {count}) "
    return f"WITH seq(g) AS (SELECT generate_series(1, {count})) "


def fill(engine_name: str, petition_id: int, count: int) -> None:
    """People and confirmed signatures spread over Wisconsin counties, Brown the largest."""
    buckets = [fips for fips, weight in WISCONSIN_WEIGHTS.items() for _ in range(weight)]
    db.session.execute(sa.text("CREATE TEMPORARY TABLE bench_counties (idx INTEGER PRIMARY KEY, fips VARCHAR(5))"))
    db.session.execute(
        sa.text("INSERT INTO bench_counties (idx, fips) VALUES (:idx, :fips)"),
        [{"idx": index, "fips": fips} for index, fips in enumerate(buckets)],
    )
    now = "CURRENT_TIMESTAMP"
    db.session.execute(
        sa.text(
            series(engine_name, count)
            + "INSERT INTO people (email, email_normalized, first_name, last_name, zip_code, county_fips, locale,"
            " created_at, updated_at) SELECT 'b' || g || '@example.org', 'b' || g || '@example.org',"
            f" 'First', 'Last', '54301', c.fips, 'en', {now}, {now}"
            f" FROM seq JOIN bench_counties c ON c.idx = g % {len(buckets)}"
        )
    )
    db.session.execute(
        sa.text(
            "INSERT INTO signatures (petition_id, person_id, status, source, first_name, last_name, name_key,"
            " zip_code, city, county_fips, show_publicly, email_updates, consent_text, consented_at, locale,"
            " created_at, confirmed_at)"
            f" SELECT {petition_id}, p.id, 'confirmed', 'online', p.first_name, p.last_name, 'first last', p.zip_code,"
            f" 'Green Bay', p.county_fips, (p.id % 3 = 0), false, '[ ] consent', {now}, 'en', {now}, {now}"
            " FROM people p WHERE p.email LIKE 'b%'"
        )
    )
    db.session.commit()
    if engine_name == "postgresql":
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def bench_app(url: str):
    from campaign import create_app

    config = {"SQLALCHEMY_DATABASE_URI": url, "JOBS_RUNNER": "eager", "MAIL_SERVER": None, "RATELIMIT_ENABLED": False}
    return create_app(config, instance_path=Path(tempfile.mkdtemp()))


def create_petition(engine_name: str, signatures: int):
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
    fill(engine_name, petition.id, signatures)
    print(f"engine={engine_name} signatures={signatures:,} fill={time.perf_counter() - started:.1f} s")
    return petition
