"""How fast a petition page renders with 1,000,000 signatures, alone and under a read storm.

    .venv/bin/python bench/petition_page.py --engine postgresql --signatures 1000000
    .venv/bin/python bench/petition_page.py --engine sqlite --signatures 1000000

PostgreSQL: the database named by BENCH_DATABASE_URL (default: the local `bench` database,
created when missing) is emptied and rebuilt. SQLite: a file under a temporary folder.
Prints the figures recorded in BENCHMARKS.md; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from bench.common import bench_app, create_petition, prepare_database
from campaign.extensions import db


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def figures(label: str, timings: list[float]) -> None:
    ms = [value * 1000 for value in timings]
    print(
        f"{label}: n={len(ms)} p50={statistics.median(ms):.1f} ms p95={percentile(ms, 0.95):.1f} ms"
        f" max={max(ms):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--signatures", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients in the read storm")
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()

    url = prepare_database(args.engine)
    app = bench_app(url)
    with app.app_context():
        from campaign.petitions import counts

        petition = create_petition(args.engine, args.signatures)

        started = time.perf_counter()
        counts.refresh_counts(petition.id, force=True)
        db.session.commit()
        print(
            f"full recount (batch job): {(time.perf_counter() - started) * 1000:.0f} ms,"
            f" confirmed={petition.confirmed_count:,} residents={petition.resident_count:,}"
        )

    client = app.test_client()
    client.get("/p/bench")  # warm caches and templates
    timings = []
    for _ in range(args.requests):
        started = time.perf_counter()
        response = client.get("/p/bench")
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    figures("page, one reader", timings)

    with app.app_context():
        from campaign.jobs.models import Job

        refreshes = db.session.scalar(sa.select(sa.func.count()).select_from(Job))
        print(f"refresh jobs enqueued during {len(timings) + 1} page views: {refreshes}")
    http_storm(url, args.clients, args.seconds)


def _load(port: int, seconds: float, threads: int, results) -> None:
    """One load process: `threads` keep-alive clients hitting the page for `seconds`."""
    import http.client

    timings: list[float] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local = []
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            connection.request("GET", "/p/bench")
            response = connection.getresponse()
            response.read()
            local.append(time.perf_counter() - started)
            assert response.status == 200, response.status
        with lock:
            timings.extend(local)

    workers = [threading.Thread(target=client) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put(timings)


def http_storm(url: str, clients: int, seconds: float) -> None:
    """The page served by gunicorn (2 workers x 4 threads, as in production) while `clients`
    keep-alive connections from separate processes ask for it as fast as they can."""
    import multiprocessing
    import socket
    import subprocess
    import sys

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    env = os.environ | {"DATABASE_URL": url, "SECRET_KEY": "bench", "JOBS_RUNNER": "thread", "PYTHONPATH": str(root)}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "--threads", "4", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        results = multiprocessing.Queue()
        processes = [
            multiprocessing.Process(target=_load, args=(port, seconds, clients // 2, results)) for _ in range(2)
        ]
        for process in processes:
            process.start()
        timings = [value for _ in processes for value in results.get()]
        for process in processes:
            process.join()
    finally:
        server.terminate()
        server.wait(timeout=10)
    figures(f"page over HTTP, gunicorn 2x4, {clients} clients for {seconds:.0f} s", timings)
    print(f"read storm throughput: {len(timings) / seconds:.0f} pages/s on 2 cores (clients included)")


if __name__ == "__main__":
    main()
