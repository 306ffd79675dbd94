"""CSV import of paper signatures: 100,000 rows against a petition that already has online
signatures, with duplicates (by email and by name and ZIP) and bad rows mixed in.

    PYTHONPATH=. .venv/bin/python bench/paper_import.py --engine sqlite
    PYTHONPATH=. .venv/bin/python bench/paper_import.py --engine postgresql --rows 100000

Prints the time to check the file at upload (what the organizer waits for), the time to
apply it (the background job), rows per second, the outcome counts and peak memory.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import resource
import time


def make_csv(rows: int, online: int) -> bytes:
    """Every 50th row repeats an online signer's email, every 40th repeats an earlier row's
    name and ZIP, every 100th has an unknown ZIP code; the rest are new people."""
    picker = random.Random(7)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["first_name", "last_name", "zip", "email", "sheet", "comment"])
    zips = ["54301", "54302", "54303", "54304", "54115", "54911", "54901", "53703"]
    for number in range(1, rows + 1):
        if number % 100 == 0:
            writer.writerow([f"Bad{number}", "Zip", "00000", "", number // 20 + 1, ""])
        elif number % 50 == 0:
            email = f"b{picker.randint(1, online)}@example.org"
            writer.writerow(["First", "Last", "54301", email, number // 20 + 1, ""])
        elif number % 40 == 0:
            earlier = number - 39
            writer.writerow([f"Paper{earlier}", "Signer", zips[earlier % len(zips)], "", number // 20 + 1, ""])
        else:
            comment = "Vine al foro con mi familia." if number % 7 == 0 else ""
            writer.writerow([f"Paper{number}", "Signer", zips[number % len(zips)], "", number // 20 + 1, comment])
    return buffer.getvalue().encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--online", type=int, default=100_000, help="online signatures already on the petition")
    arguments = parser.parse_args()

    from bench.common import bench_app, create_petition, prepare_database
    from campaign.extensions import db

    app = bench_app(prepare_database(arguments.engine))
    with app.app_context(), app.test_request_context():
        from campaign.petitions import paper_import
        from campaign.petitions.models import PaperImport

        petition = create_petition(arguments.engine, arguments.online)
        data = make_csv(arguments.rows, arguments.online)
        started = time.perf_counter()
        record = paper_import.start_import(petition, "bench.csv", data)
        db.session.info.pop("jobs_to_dispatch", None)  # applied below, timed on its own
        db.session.commit()
        checked = time.perf_counter() - started
        started = time.perf_counter()
        paper_import.apply_import(record.id)
        db.session.commit()
        applied = time.perf_counter() - started
        record = db.session.get(PaperImport, record.id)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"engine={arguments.engine} rows={arguments.rows:,} file={len(data) / 1e6:.1f} MB "
        f"check={checked:.2f} s apply={applied:.1f} s ({arguments.rows / applied:,.0f} rows/s) "
        f"accepted={record.accepted:,} merged={record.merged:,} rejected={record.rejected:,} peak={peak_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
