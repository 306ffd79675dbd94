"""The fraud panel: what a bot attack leaves in a petition's signatures over the last hour and
the last day. Each signal is one GROUP BY over the petition's indexes (ix_signatures_ip,
ix_signatures_created), never a loop over rows, and each row carries the filter that lists
its signatures, ready for bulk moderation. The panel shows; people judge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, select

from campaign.core.timeline import hour_start, minute_bucket
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.people.models import Person
from campaign.petitions.listing import SignatureFilter, masked_mailbox
from campaign.petitions.models import Petition, Signature

# Signatures from one IP hash in a window before it is listed. Low on purpose: a forum on a
# venue's Wi-Fi, or a household, legitimately makes dozens, so the panel lists and people judge.
IP_THRESHOLD = {"hour": 10, "day": 50}
# Signatures from one email domain (a small one: the big providers are left out below).
DOMAIN_THRESHOLD = {"hour": 10, "day": 50}
# Signatures from one IP hash within one minute: the form takes a person well over 20 seconds.
BURST_THRESHOLD = 3
# Where half the country has its mail: volume there says nothing.
CONSUMER_DOMAINS = (
    "gmail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "icloud.com",
    "aol.com",
    "live.com",
    "msn.com",
    "comcast.net",
    "protonmail.com",
)
WINDOWS = {"hour": (_l("Last hour"), timedelta(hours=1)), "day": (_l("Last day"), timedelta(days=1))}
MAX_ROWS = 50  # per signal and window, the largest first


@dataclass(frozen=True)
class Signal:
    label: str  # what the row is about: a shortened IP hash, a domain, a masked mailbox
    count: int  # signatures
    filter: SignatureFilter  # the signatures behind the row
    detail: str = ""


@dataclass(frozen=True)
class Window:
    key: str
    title: str
    since: datetime
    until: datetime
    ips: list[Signal]
    domains: list[Signal]
    bursts: list[Signal]
    spellings: list[Signal]
    households: list[Signal]


def panel(petition: Petition, now: datetime | None = None) -> list[Window]:
    """The last hour and the last day of `petition`, relative to `now`."""
    now = (now or utcnow()).replace(microsecond=0)  # the links carry whole seconds: the same windows
    return [_window(petition, key, title, now - length, now) for key, (title, length) in WINDOWS.items()]


def _window(petition: Petition, key: str, title, since: datetime, until: datetime) -> Window:
    inside = (Signature.petition_id == petition.id, Signature.created_at >= since, Signature.created_at < until)
    bounded = SignatureFilter(since=since, until=until)
    return Window(
        key=key,
        title=str(title),
        since=since,
        until=until,
        ips=_ips(inside, bounded, IP_THRESHOLD[key]),
        domains=_domains(inside, bounded, DOMAIN_THRESHOLD[key]),
        bursts=_bursts(inside),
        spellings=_mailboxes(inside, bounded, func.count(distinct(Person.email)), of_limit=False),
        households=_mailboxes(inside, bounded, func.count(distinct(Signature.person_id)), of_limit=True),
    )


def _ips(inside, bounded: SignatureFilter, threshold: int) -> list[Signal]:
    number = func.count()
    query = (
        select(Signature.ip_hash, number)
        .where(*inside, Signature.ip_hash.is_not(None))
        .group_by(Signature.ip_hash)
        .having(number >= threshold)
        .order_by(number.desc(), Signature.ip_hash)
        .limit(MAX_ROWS)
    )
    return [_signal(f"{ip[:12]}…", count, bounded, ip_hash=ip) for ip, count in db.session.execute(query)]


def _domains(inside, bounded: SignatureFilter, threshold: int) -> list[Signal]:
    number = func.count()
    query = (
        select(Person.email_domain, number)
        .select_from(Signature)
        .join(Person, Signature.person_id == Person.id)
        .where(*inside, Person.email_domain.not_in(CONSUMER_DOMAINS))
        .group_by(Person.email_domain)
        .having(number >= threshold)
        .order_by(number.desc(), Person.email_domain)
        .limit(MAX_ROWS)
    )
    return [_signal(domain, count, bounded, email_domain=domain) for domain, count in db.session.execute(query)]


def _bursts(inside) -> list[Signal]:
    """Minutes in which one IP hash made BURST_THRESHOLD or more signatures; the filter is
    that address in that minute."""
    minute = minute_bucket(Signature.created_at)
    number = func.count()
    query = (
        select(Signature.ip_hash, minute, number)
        .where(*inside, Signature.ip_hash.is_not(None))
        .group_by(Signature.ip_hash, minute)
        .having(number >= BURST_THRESHOLD)
        .order_by(number.desc(), minute.desc())
        .limit(MAX_ROWS)
    )
    signals = []
    for ip, bucket, count in db.session.execute(query):
        start = hour_start(bucket)  # any bucket's text reads back as its start
        wanted = SignatureFilter(ip_hash=ip, since=start, until=start + timedelta(minutes=1))
        signals.append(Signal(f"{ip[:12]}…", count, wanted, detail=start.strftime("%Y-%m-%d %H:%M UTC")))
    return signals


def _mailboxes(inside, bounded: SignatureFilter, measure, of_limit: bool) -> list[Signal]:
    """Mailboxes among the signers where `measure` (distinct spellings, distinct people) is 2
    or more; a mailbox is named by its first person's id (SignatureFilter.mailbox). A
    household's count is shown against HOUSEHOLD_LIMIT."""
    number = func.count()
    query = (
        select(func.min(Person.id), Person.email_normalized, measure, number)
        .select_from(Signature)
        .join(Person, Signature.person_id == Person.id)
        .where(*inside, Person.email_normalized.is_not(None))
        .group_by(Person.email_normalized)
        .having(measure >= 2)
        .order_by(measure.desc(), number.desc(), Person.email_normalized)
        .limit(MAX_ROWS)
    )
    limit = current_app.config["HOUSEHOLD_LIMIT"]
    return [
        _signal(
            masked_mailbox(canonical),
            count,
            bounded,
            f"{measured} / {limit}" if of_limit else str(measured),
            mailbox=person_id,
        )
        for person_id, canonical, measured, count in db.session.execute(query)
    ]


def _signal(label: str, count: int, bounded: SignatureFilter, detail: str = "", **narrowing) -> Signal:
    return Signal(label, count, SignatureFilter(since=bounded.since, until=bounded.until, **narrowing), detail)
