"""A broadcast to N supporters, queued, handed to the outbox and delivered over SMTP to a
local aiosmtpd, against the same number of bare SMTP sends, in one run.

    PYTHONPATH=. .venv/bin/python bench/broadcast.py                       # both engines, 100,000
    PYTHONPATH=. .venv/bin/python bench/broadcast.py --engines sqlite --recipients 10000

For each engine and for N / 10 and N recipients: a fresh database (the local PostgreSQL
database `bench_h3`, or a temporary SQLite file) with the demo campaign and one petition
(bench.common.fill) signed by N mailable people and about N / 9 more who cannot be mailed:
in turn, no "email me", unsubscribed after signing, or a suppressed address (a bounce or a
complaint). Then, each in a fresh interpreter, against an SMTP sink in a process of its
own (bench/smtp_sink.py):

- app: the organizer's recipient count (`audience.reach`) and `services.send`, then the
  steps the jobs would run, timed one by one with the job runner held: `delivery.queue`
  (delivery rows, 1,000 people a batch), `delivery.hand_over` called once per simulated
  minute at --rate until every delivery is in the outbox (messages rendered and written),
  and `outbox.deliver_pending` (a lease and a commit per message, one SMTP session);
- baseline: the least possible doing the same: one query for the mailable people and one
  bulk INSERT of their rows, then an email.message.EmailMessage (text and HTML alternative,
  the app's own bodies) built and sent with smtplib for each, over ONE reused connection;
  plus a sample sent with a new connection per message, to price the connection.

Memory is the growth of the peak resident size (VmHWM, the process's own ru_maxrss, reset
before the steps) over queue, hand-over and delivery, at N / 10 and at N: flat when they
match. With --tracemalloc, tracemalloc's peak over the same steps too; it slows them 2 to 7
times, so its times are not comparable. Prints one Markdown table per engine with the
ratios app/baseline. Needs PostgreSQL on loopback (trust auth).
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import subprocess
import sys
import time
import tracemalloc
from contextlib import contextmanager
from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import sqlalchemy as sa

from bench.harness import PROJECT_ROOT, free_ports

ENGINES = ("sqlite", "postgresql")
DATABASE_NAME = "bench_h3"
# Every FILTERED_EVERY-th person cannot be mailed: no consent, unsubscribed or suppressed, in turn.
FILTERED_EVERY = 10
CONNECTION_SAMPLE = 2_000  # bare sends with a new connection each
SMALL_SHARE = 10  # memory is also measured at N / SMALL_SHARE, to see that it is flat
SENDER = "campaigns@example.org"

SUBJECT_EN = "We delivered 1,204 signatures today"
SUBJECT_ES = "Hoy entregamos 1.204 firmas"
BODY_EN = """## Thank you

This morning we handed the County Board **1,204 signatures** asking it to end the 287(g)
agreement with ICE. Supervisors from three districts came out to receive them.

What happens next:

- the Public Safety committee takes it up on **Tuesday at 6 pm** in room 200;
- public comment is open: two minutes each, sign up at the door;
- we will send the agenda as soon as it is posted.

Read the full letter we delivered at https://example.org/letter and share the petition with
one neighbour who has not signed yet. Every signature from their county counts twice: once on
the total, once on their supervisor's desk.

See you Tuesday.
"""
BODY_ES = """## Gracias

Esta mañana entregamos a la Junta del Condado **1.204 firmas** pidiendo que termine el
acuerdo 287(g) con ICE. Supervisores de tres distritos vinieron a recibirlas.

Lo que sigue:

- el comité de Seguridad Pública lo trata el **martes a las 6 pm** en la sala 200;
- hay comentario público: dos minutos cada persona, inscríbase en la puerta;
- enviaremos la agenda en cuanto se publique.

Lea la carta completa en https://example.org/letter y comparta la petición con un vecino que
todavía no ha firmado.

Nos vemos el martes.
"""


@contextmanager
def smtp_sink(port: int):
    """The sink in its own process; yields a dict filled with its counts when it stops."""
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("smtp_sink.py")), str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    counts: dict[str, int] = {}
    try:
        if process.stdout.readline().strip() != "ready":
            raise RuntimeError("the SMTP sink did not start")
        yield counts
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=60)
        if output.strip():
            counts.update(json.loads(output.strip().splitlines()[-1]))


def prepare(engine_name: str, mailable: int) -> str:
    """A fresh database: the demo campaign, one petition, `mailable` people who can be mailed
    and about mailable / 9 who cannot."""
    from bench.common import bench_app, create_petition, prepare_database, utc_timestamp, vacuum
    from campaign.extensions import db

    url = prepare_database(engine_name, DATABASE_NAME)
    people = mailable + mailable // (FILTERED_EVERY - 1)
    with bench_app(url).app_context():
        petition = create_petition(engine_name, people)
        number = "CAST(substr(email, 2, length(email) - 13) AS BIGINT)"  # g in 'b<g>@example.org'
        # The filtered people: number % 10 = 0, then (number / 10) % 3 chooses why.
        filtered = f"{number} % {FILTERED_EVERY} = 0 AND ({number} / {FILTERED_EVERY}) % 3"
        now = utc_timestamp(engine_name)
        # A minute after signing: the unsubscribe outweighs the consent.
        if engine_name == "sqlite":
            later = "(datetime('now', '+60 seconds') || '.000000')"
        else:
            later = "((CURRENT_TIMESTAMP AT TIME ZONE 'UTC') + INTERVAL '1 minute')"
        for statement in (
            f"UPDATE signatures SET email_updates = (person_id NOT IN (SELECT id FROM people WHERE {filtered} = 0))",
            "INSERT INTO unsubscribes (person_id, campaign_id, via, created_at)"
            f" SELECT id, {petition.campaign_id}, 'page', {later} FROM people WHERE {filtered} = 1",
            "INSERT INTO suppressions (address, reason, source, created_at)"
            f" SELECT lower(email), CASE WHEN id % 2 = 0 THEN 'bounce' ELSE 'complaint' END, 'import', {now}"
            f" FROM people WHERE {filtered} = 2",
        ):
            db.session.execute(sa.text(statement))
        db.session.commit()
        vacuum(engine_name)
    return url


def resident_mb(field: str) -> float:
    """VmRSS (resident now) or VmHWM (its peak) of this process, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak_rss() -> float:
    """Start the resident peak again from the size now (clear_refs 5), so that it is the
    steps' own and not the set-up's; returns that size in MB. Not ru_maxrss: in a child
    that never goes below the parent's size at the fork."""
    Path("/proc/self/clear_refs").write_text("5")
    return resident_mb("VmRSS")


class Phases:
    """Seconds per named phase, and the memory peaks over all of them."""

    def __init__(self, traced: bool):
        self.seconds: dict[str, float] = {}
        self.traced = traced
        self.rss_before = 0.0

    def start_memory(self) -> None:
        self.rss_before = reset_peak_rss()
        if self.traced:
            tracemalloc.start()

    def stop_memory(self) -> dict[str, float | None]:
        peak = None
        if self.traced:
            peak = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
        return {"traced_peak_mb": peak, "rss_before_mb": self.rss_before, "rss_after_mb": resident_mb("VmHWM")}

    @contextmanager
    def phase(self, name: str):
        started = time.perf_counter()
        yield
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started


class HeldRunner:
    """Keeps the jobs the app asks for queued: the bench runs each step itself, timed."""

    def submit(self, job_id: int, delay: timedelta | None = None) -> None:
        pass


def child_app(url: str, port: int, rate: int, traced: bool) -> dict:
    from bench.common import bench_app
    from campaign.accounts.services import create_user
    from campaign.broadcasts import delivery, services
    from campaign.campaigns.models import Campaign
    from campaign.core.types import utcnow
    from campaign.extensions import db
    from campaign.outbox import services as outbox

    app = bench_app(url)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_DEFAULT_SENDER=SENDER)
    app.extensions["jobs_runner"] = HeldRunner()
    phases = Phases(traced)
    with app.app_context():
        campaign = db.session.scalar(sa.select(Campaign))
        user = create_user("bench-organizer@example.org", "bench-password-long-enough", "organizer")
        draft = services.Draft(SUBJECT_EN, BODY_EN, SUBJECT_ES, BODY_ES)
        broadcast = services.create(campaign, draft, user)
        db.session.commit()
        with phases.phase("reach"):
            reach = services.preview_reach(broadcast)
        with phases.phase("send"):
            services.send(broadcast, user)
            db.session.commit()
        broadcast_id = broadcast.id
        db.session.expunge_all()

        phases.start_memory()
        # Queue only: at a rate of 0 the hand-over that ends queuing hands nothing over.
        app.config["BROADCAST_RATE_PER_MINUTE"] = 0
        with phases.phase("queue"):
            written = delivery.queue(broadcast_id)["written"]
        app.config["BROADCAST_RATE_PER_MINUTE"] = rate
        now, minutes = utcnow(), 0
        with phases.phase("hand_over"):
            while delivery.hand_over(now):  # one call per minute of the rate; 0 once all are handed over
                now += delivery.RATE_WINDOW + timedelta(seconds=1)
                minutes += 1
            db.session.expunge_all()
        with phases.phase("deliver"):
            totals = outbox.deliver_pending()
        memory = phases.stop_memory()

        progress = delivery.progress(services.get(broadcast_id))
        # One message per language, for the baseline to send bodies of the same size.
        sample = db.session.execute(
            sa.text(
                "SELECT d.locale, m.body_text, m.body_html FROM broadcast_deliveries d"
                " JOIN outbox_messages m ON m.id = d.message_id"
                " WHERE d.id IN (SELECT min(id) FROM broadcast_deliveries GROUP BY locale)"
            )
        ).all()
    return {
        "reach": reach.recipients,
        "unsubscribed": reach.unsubscribed,
        "suppressed": reach.suppressed,
        "written": written,
        "minutes": minutes,
        "totals": totals,
        "sent": progress.sent,
        "seconds": phases.seconds,
        "memory": memory,
        "bodies": {locale: {"text": text, "html": html} for locale, text, html in sample},
    }


def bare_queue(engine: sa.Engine) -> int:
    """The queue's least possible work: one query for the mailable people, one bulk INSERT."""
    mailable = sa.text(
        "SELECT p.id, p.email, p.locale FROM people p"
        " WHERE p.erased_at IS NULL AND EXISTS (SELECT 1 FROM signatures s WHERE s.person_id = p.id"
        "   AND s.status = 'confirmed' AND s.email_updates)"
        " AND NOT EXISTS (SELECT 1 FROM unsubscribes u WHERE u.person_id = p.id)"
        " AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.address = lower(p.email))"
    )
    with engine.begin() as connection:
        connection.execute(
            sa.text("CREATE TABLE bare_deliveries (person_id INTEGER, mailbox VARCHAR(254), locale VARCHAR(5))")
        )
        rows = [
            {"person_id": row.id, "mailbox": row.email, "locale": row.locale} for row in connection.execute(mailable)
        ]
        connection.execute(
            sa.text("INSERT INTO bare_deliveries (person_id, mailbox, locale) VALUES (:person_id, :mailbox, :locale)"),
            rows,
        )
    return len(rows)


def child_baseline(url: str, port: int, bodies: dict, traced: bool) -> dict:
    """The same work with nothing but a query, a bulk INSERT, EmailMessage and smtplib."""
    import smtplib

    engine = sa.create_engine(url)
    phases = Phases(traced)
    phases.start_memory()
    with phases.phase("queue"):
        written = bare_queue(engine)
    smtp = smtplib.SMTP("127.0.0.1", port, timeout=30)
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=1000).execute(
            sa.text("SELECT mailbox, locale FROM bare_deliveries")
        )
        build = send = 0.0
        for mailbox, locale in result:
            started = time.perf_counter()
            body = bodies.get(locale) or bodies["en"]
            message = EmailMessage()
            message["From"] = SENDER
            message["To"] = mailbox
            message["Subject"] = SUBJECT_ES if locale == "es" else SUBJECT_EN
            message.set_content(body["text"])
            message.add_alternative(body["html"], subtype="html")
            data = message.as_bytes(policy=SMTP)  # CRLF line ends, as the wire needs
            built = time.perf_counter()
            smtp.sendmail(SENDER, [mailbox], data)
            build, send = build + built - started, send + time.perf_counter() - built
    smtp.quit()
    phases.seconds.update(build=build, send=send)
    memory = phases.stop_memory()

    # The connection's price: a sample with a new SMTP conversation per message, as the outbox has.
    started = time.perf_counter()
    for number in range(CONNECTION_SAMPLE):
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as fresh:
            fresh.sendmail(SENDER, [f"sample{number}@example.org"], data)
    per_connection = (time.perf_counter() - started) / CONNECTION_SAMPLE
    engine.dispose()
    return {"written": written, "seconds": phases.seconds, "memory": memory, "per_connection_s": per_connection}


def run_child(kind: str, url: str, port: int, **options) -> dict:
    command = [sys.executable, __file__, "--child", kind, "--url", url, "--port", str(port)]
    command += ["--options", json.dumps(options)]
    result = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"{kind} child failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(engine_name: str, mailable: int, rate: int, traced: bool, baseline: bool) -> dict:
    url = prepare(engine_name, mailable)
    (port,) = free_ports(1)
    with smtp_sink(port) as app_counts:
        app = run_child("app", url, port, rate=rate, traced=traced)
    app["sink"] = app_counts
    print(f"  app, {mailable:,}: {json.dumps({k: v for k, v in app.items() if k != 'bodies'})}", flush=True)
    result = {"app": app}
    if baseline:
        with smtp_sink(port) as bare_counts:
            bare = run_child("baseline", url, port, bodies=app["bodies"], traced=traced)
        bare["sink"] = bare_counts
        print(f"  baseline, {mailable:,}: {json.dumps(bare)}", flush=True)
        result["baseline"] = bare
    if engine_name == "sqlite":  # a temporary file of several hundred MB at 100,000: not kept
        shutil.rmtree(Path(sa.make_url(url).database).parent)
    return result


def seconds(value: float) -> str:
    return f"{value:,.1f} s" if value >= 1 else f"{value * 1000:,.0f} ms"


def table(engine_name: str, small: dict, full: dict, recipients: int, rate: int) -> str:
    app, bare = full["app"], full["baseline"]
    a, b = app["seconds"], bare["seconds"]
    app_total = a["queue"] + a["hand_over"] + a["deliver"]
    bare_total = b["queue"] + b["build"] + b["send"]
    n = app["sent"]

    def memory(run: dict) -> str:
        m = run["memory"]
        traced = f"traced peak {m['traced_peak_mb']:,.1f} MB, " if m["traced_peak_mb"] is not None else ""
        return f"{traced}peak RSS +{m['rss_after_mb'] - m['rss_before_mb']:,.1f} MB (to {m['rss_after_mb']:,.0f} MB)"

    rows = [
        ("preview count (reach)", seconds(a["reach"]), "", ""),
        (
            "queue: delivery rows",
            seconds(a["queue"]),
            f"{seconds(b['queue'])} (one query, one bulk INSERT)",
            a["queue"] / b["queue"],
        ),
        (
            f"hand over: rendered and written to the outbox ({app['minutes']} calls, {rate:,} a minute)",
            seconds(a["hand_over"]),
            "(no outbox)",
            "",
        ),
        (
            "deliver: MIME message built and sent",
            seconds(a["deliver"]),
            f"{seconds(b['build'] + b['send'])} (EmailMessage {seconds(b['build'])},"
            f" smtplib on one connection {seconds(b['send'])})",
            a["deliver"] / (b["build"] + b["send"]),
        ),
        ("total", seconds(app_total), seconds(bare_total), app_total / bare_total),
        ("per message", f"{app_total / n * 1000:,.2f} ms", f"{bare_total / n * 1000:,.2f} ms", app_total / bare_total),
        (f"memory at {n:,}", memory(app), memory(bare), ""),
        (f"memory at {small['app']['sent']:,}", memory(small["app"]), "", ""),
    ]
    lines = [
        f"\n### {engine_name}, {recipients:,} recipients\n",
        "| step | app | baseline | ratio app/baseline |",
        "| --- | --- | --- | --- |",
    ]
    for name, app_value, bare_value, ratio in rows:
        lines.append(f"| {name} | {app_value} | {bare_value} | {f'{ratio:,.1f}' if ratio else ''} |")
    sink, bare_sink = app["sink"], bare["sink"]
    lines.append(
        f"\nSink: app {sink['messages']:,} messages to {sink['recipients']:,} addresses"
        f" ({sink['with_unsubscribe']:,} with List-Unsubscribe, {sink['bytes'] / sink['messages']:,.0f} bytes each);"
        f" baseline {bare_sink['messages']:,} ({bare_sink['bytes'] / bare_sink['messages']:,.0f} bytes each)."
        f" Bare smtplib with a new connection per message: {bare['per_connection_s'] * 1000:,.2f} ms a message"
        f" ({CONNECTION_SAMPLE:,} sent). App outbox totals: {app['totals']}; reach {app['reach']:,},"
        f" unsubscribed {app['unsubscribed']:,}, suppressed {app['suppressed']:,}."
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated: sqlite,postgresql")
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--rate", type=int, default=1_000, help="BROADCAST_RATE_PER_MINUTE for the hand-over")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (slow)")
    parser.add_argument("--child", choices=("app", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--options", default="{}", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        run = child_app if options.child == "app" else child_baseline
        print(json.dumps(run(options.url, options.port, **json.loads(options.options))))
        return 0

    engines = [name.strip() for name in options.engines.split(",") if name.strip()]
    if unknown := set(engines) - set(ENGINES):
        parser.error(f"unknown engines: {', '.join(sorted(unknown))}")
    tables = []
    for engine_name in engines:
        print(f"\n== {engine_name}", flush=True)
        small = measure(engine_name, options.recipients // SMALL_SHARE, options.rate, options.tracemalloc, False)
        full = measure(engine_name, options.recipients, options.rate, options.tracemalloc, True)
        tables.append(table(engine_name, small, full, options.recipients, options.rate))
    print("\n".join(tables))
    print(f"\ncommand: PYTHONPATH=. {shlex.join([sys.executable, *sys.argv])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
