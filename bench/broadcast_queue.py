"""The queuing step of a broadcast alone, against the least possible doing the same: for N / 10
and N recipients on each engine, the organizer's preview count (`audience.reach`) and
`delivery.queue` (one delivery row per recipient, 1,000 per transaction), against one query
and one bulk INSERT (`bench.broadcast.bare_queue`). bench/broadcast.py measures the whole
broadcast, delivery included; this one shows how queuing grows with the audience."""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.broadcast import BODY_EN, BODY_ES, ENGINES, SUBJECT_EN, SUBJECT_ES, HeldRunner, bare_queue, prepare  # noqa: E402


def measure(url: str) -> dict[str, float]:
    from bench.common import bench_app
    from campaign.accounts.services import create_user
    from campaign.broadcasts import delivery, services
    from campaign.campaigns.models import Campaign
    from campaign.extensions import db

    app = bench_app(url)
    app.extensions["jobs_runner"] = HeldRunner()
    with app.app_context():
        campaign = db.session.scalar(sa.select(Campaign))
        user = create_user("bench-queue@example.org", "bench-password-long-enough", "organizer")
        broadcast = services.create(campaign, services.Draft(SUBJECT_EN, BODY_EN, SUBJECT_ES, BODY_ES), user)
        db.session.commit()
        started = time.perf_counter()
        reach = services.preview_reach(broadcast)
        preview = time.perf_counter() - started
        services.send(broadcast, user)
        db.session.commit()
        app.config["BROADCAST_RATE_PER_MINUTE"] = 0  # queue only: the closing hand-over hands nothing over
        started = time.perf_counter()
        written = delivery.queue(broadcast.id)["written"]
        queued = time.perf_counter() - started
        db.session.remove()
        started = time.perf_counter()
        bare_written = bare_queue(db.engine)
        bare = time.perf_counter() - started
        db.engine.dispose()
    assert written == reach.recipients == bare_written, (written, reach.recipients, bare_written)
    return {"recipients": written, "preview": preview, "queue": queued, "bare": bare}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated: sqlite,postgresql")
    parser.add_argument("--recipients", type=int, default=100_000)
    options = parser.parse_args()
    lines = [
        "| engine | recipients | preview | queue | bare query + INSERT | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for engine_name in [name.strip() for name in options.engines.split(",") if name.strip()]:
        for size in (options.recipients // 10, options.recipients):
            url = prepare(engine_name, size)
            found = measure(url)
            if engine_name == "sqlite":  # a temporary file: not kept
                shutil.rmtree(Path(sa.make_url(url).database).parent)
            lines.append(
                f"| {engine_name} | {found['recipients']:,} | {found['preview'] * 1000:.0f} ms | {found['queue']:.2f} s"
                f" | {found['bare']:.2f} s | {found['queue'] / found['bare']:.1f} |"
            )
            print(lines[-1], flush=True)
    print("\n".join(lines))
    print(f"\ncommand: PYTHONPATH=. {shlex.join([sys.executable, *sys.argv])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
