"""The bare Flask app the benchmarks compare the campaign app with: the least work of the same kind.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        gunicorn -k gthread -w 2 --threads 4 -b 127.0.0.1:8001 bench.baseline:app

- `POST /sign` inserts one row and answers 303, as a signature does;
- `GET /page` returns a tiny HTML page;
- `GET /static/<file>` serves a file of the project's static/ folder with send_from_directory;
- `GET /counts/<petition id>` (bench/dashboard.py): a logged-in session (the app's signed
  session cookie, same SECRET_KEY) and one SELECT of the petition's counts per county joined
  to the counties, as a tiny HTML table;
- `GET /counts/<petition id>/<fips>`: the same session check and the county page's grouped
  query, confirmed signatures of one county per UTC hour, as a tiny HTML table.

DATABASE_URL names the same database the app uses, so both pay the same engine's costs;
SECRET_KEY the app's, so the app's session cookie opens the baseline's /counts pages.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, abort, redirect, request, send_from_directory, session
from markupsafe import escape

STATIC_FOLDER = Path(__file__).resolve().parent.parent / "static"
PAGE = "<!doctype html><html lang=en><title>Baseline</title><p>Hello.</p></html>"

metadata = sa.MetaData()
rows = sa.Table(
    "bench_baseline_rows",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

COUNTY_COUNTS = sa.text(
    "SELECT c.name, n.confirmed FROM petition_county_counts n JOIN counties c ON c.fips = n.county_fips"
    " WHERE n.petition_id = :petition_id ORDER BY n.confirmed DESC"
)
# campaign.core.timeline.hour_bucket, written out for each engine.
HOUR_BUCKET = {
    "sqlite": "strftime('%Y-%m-%d %H:00:00', confirmed_at)",
    "postgresql": "to_char(date_trunc('hour', confirmed_at), 'YYYY-MM-DD HH24:00:00')",
}


def county_hours(dialect: str) -> sa.TextClause:
    return sa.text(
        f"SELECT {HOUR_BUCKET[dialect]} AS hour, count(*) FROM signatures WHERE petition_id = :petition_id"
        " AND status = 'confirmed' AND county_fips = :fips GROUP BY hour"
    )


def table(rows) -> str:
    cells = "".join(f"<tr><th>{escape(key)}</th><td>{value}</td></tr>" for key, value in rows)
    return f"<!doctype html><html lang=en><title>Baseline</title><table>{cells}</table></html>"


def create_table(engine: sa.Engine) -> None:
    try:
        metadata.create_all(engine)
    except sa.exc.DBAPIError:
        # Every gunicorn worker runs this: another one created the table between the check and CREATE.
        metadata.create_all(engine)


def create_app(database_url: str) -> Flask:
    # SQLite: the app's migrations left the file in WAL mode (it persists), and sqlite3's default
    # 5 s timeout waits for the write lock as the app's busy_timeout does.
    engine = sa.create_engine(database_url)
    create_table(engine)
    app = Flask(__name__, static_folder=None)
    app.secret_key = os.environ.get("SECRET_KEY")
    hours_query = county_hours(engine.dialect.name)

    @app.post("/sign")
    def sign():
        with engine.begin() as connection:
            connection.execute(rows.insert().values(email=request.form["email"], created_at=datetime.now(UTC)))
        return redirect("/page", code=303)

    @app.get("/page")
    def page():
        return PAGE

    @app.get("/static/<path:filename>")
    def static_file(filename: str):
        return send_from_directory(STATIC_FOLDER, filename)

    @app.get("/counts/<int:petition_id>")
    def counts(petition_id: int):
        if "_user_id" not in session:
            abort(403)
        with engine.connect() as connection:
            return table(connection.execute(COUNTY_COUNTS, {"petition_id": petition_id}))

    @app.get("/counts/<int:petition_id>/<fips>")
    def county_counts(petition_id: int, fips: str):
        if "_user_id" not in session:
            abort(403)
        with engine.connect() as connection:
            return table(connection.execute(hours_query, {"petition_id": petition_id, "fips": fips}))

    return app


app = create_app(os.environ["DATABASE_URL"])
