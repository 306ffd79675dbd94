"""Packet build time and peak memory at 10,000 and 100,000 signatures, against a bare
ReportLab canvas drawing the same rows from the same query.

    .venv/bin/python bench/packet_build.py --engine postgresql
    .venv/bin/python bench/packet_build.py --engine sqlite

Each build runs in a fresh interpreter so its peak resident memory (ru_maxrss) is its own.
Prints the figures recorded in BENCHMARKS.md; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(mode: str, url: str, output: str) -> None:
    from bench.common import bench_app
    from campaign.extensions import db

    app = bench_app(url)
    with app.app_context(), app.test_request_context():
        from sqlalchemy import select

        from campaign.petitions.models import Petition

        petition = db.session.scalar(select(Petition).where(Petition.slug == "bench"))
        started = time.perf_counter()
        if mode == "packet":
            from campaign.packets import services

            packet = services.request_packet(petition, services.PacketRequest([]))
            services.build(packet)
            pages = packet.page_count
        else:
            pages = bare_canvas(petition, output)
        elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": elapsed, "pages": pages, "peak_mb": peak_mb}))


def bare_canvas(petition, output: str) -> int:
    """The floor: the same rows, one drawString per cell at fixed places, no wrapping,
    no header, footer, grouping or totals."""
    from reportlab.pdfgen.canvas import Canvas
    from sqlalchemy import select

    from campaign.extensions import db
    from campaign.packets.fonts import FONT, register_fonts
    from campaign.petitions.models import Signature, SignatureStatus

    register_fonts()
    canvas = Canvas(output, pageCompression=1)
    query = (
        select(
            Signature.first_name,
            Signature.last_name,
            Signature.city,
            Signature.county_fips,
            Signature.zip_code,
            Signature.created_at,
            Signature.source,
            Signature.comment,
        )
        .where(Signature.petition_id == petition.id, Signature.status == SignatureStatus.CONFIRMED)
        .order_by(Signature.county_fips, Signature.created_at, Signature.id)
        .execution_options(yield_per=2000)
    )
    pages, y = 1, 740.0
    for number, (first, last, city, county, zip_code, created, source, _comment) in enumerate(
        db.session.execute(query), start=1
    ):
        if y < 60:
            canvas.showPage()
            pages, y = pages + 1, 740.0
        canvas.setFont(FONT, 8)
        x = 43.0
        for text, width in (
            (str(number), 40),
            (f"{first} {last}", 150),
            (city, 80),
            (county, 90),
            (zip_code, 36),
            (created.strftime("%Y-%m-%d"), 58),
            (source.value, 40),
        ):
            canvas.drawString(x, y, text)
            x += width
        y -= 10.5
    canvas.save()
    return pages


def run_child(mode: str, url: str) -> dict:
    output = str(Path(tempfile.mkdtemp()) / "baseline.pdf")
    result = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--url", url, "--output", output],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--signatures", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--child", choices=["packet", "baseline"])
    parser.add_argument("--url")
    parser.add_argument("--output")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.url, args.output)
        return

    from bench.common import bench_app, create_petition, prepare_database

    for count in args.signatures:
        url = prepare_database(args.engine)
        with bench_app(url).app_context():
            create_petition(args.engine, count)
        packet, baseline = run_child("packet", url), run_child("baseline", url)
        ratio = packet["seconds"] / baseline["seconds"]
        print(
            f"{count:>7,} signatures: packet {packet['seconds']:.1f} s, {packet['pages']:,} pages, "
            f"peak {packet['peak_mb']:.0f} MB | bare canvas {baseline['seconds']:.1f} s, "
            f"peak {baseline['peak_mb']:.0f} MB | ratio {ratio:.2f}"
        )


if __name__ == "__main__":
    main()
