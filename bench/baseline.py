"""The bare Flask app the benchmarks compare the campaign app with: the least work of the same kind.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        gunicorn -k gthread -w 2 --threads 4 -b 127.0.0.1:8001 bench.baseline:app

- `POST /sign` inserts one row and answers 303, as a signature does;
- `GET /page` returns a tiny HTML page;
- `GET /static/<file>` serves a file of the project's static/ folder with send_from_directory.

DATABASE_URL names the same database the app uses, so both pay the same engine's costs.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, redirect, request, send_from_directory

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

    return app


app = create_app(os.environ["DATABASE_URL"])
