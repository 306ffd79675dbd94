"""The fraud panel: volume by IP hash and email domain, bursts, spellings of one mailbox and
households, over the last hour and day, each row linking to its signatures."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.people.models import Person
from campaign.petitions import fraud, listing
from campaign.petitions.models import Signature, SignatureStatus

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
IP_A, IP_B, IP_C, IP_D = ("a" * 64, "b" * 64, "c" * 64, "d" * 64)


def add(petition, at: datetime, ip: str | None = None, person: Person | None = None, times: int = 1) -> list[int]:
    rows = [
        Signature(
            petition=petition,
            person=person,
            first_name="Test",
            last_name=f"Signer{number}",
            zip_code="54301",
            county_fips="55009",
            consent_text="[ ] ...",
            status=SignatureStatus.CONFIRMED,
            confirmed_at=at,
            created_at=at,
            ip_hash=ip,
        )
        for number in range(times)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def person(email: str, canonical: str, first_name: str = "Test", last_name: str = "Person") -> Person:
    row = Person(email=email, email_normalized=canonical, first_name=first_name, last_name=last_name, zip_code="54301")
    db.session.add(row)
    db.session.commit()
    return row


def window(windows, key):
    return next(item for item in windows if item.key == key)


def test_ip_volume_per_window_with_its_threshold(make_petition):
    petition = make_petition()
    other = make_petition()
    add(petition, NOW - timedelta(minutes=30), IP_A, times=10)  # the hour's threshold
    add(petition, NOW - timedelta(minutes=30), IP_B, times=9)  # one short
    add(petition, NOW - timedelta(hours=5), IP_C, times=50)  # the day's threshold, hours ago
    add(petition, NOW - timedelta(days=2), IP_B, times=60)  # before the day
    add(other, NOW - timedelta(minutes=5), IP_D, times=20)  # another petition
    hour, day = window(fraud.panel(petition, NOW), "hour"), window(fraud.panel(petition, NOW), "day")

    assert [(signal.filter.ip_hash, signal.count) for signal in hour.ips] == [(IP_A, 10)]
    assert [(signal.filter.ip_hash, signal.count) for signal in day.ips] == [(IP_C, 50)]
    assert hour.ips[0].label == IP_A[:12] + "…"
    assert hour.ips[0].filter.to_args() == {
        "ip": IP_A,
        "since": "2026-05-01T11:00:00",
        "until": "2026-05-01T12:00:00",
    }


def test_bursts_are_minutes_with_three_from_one_address(make_petition):
    petition = make_petition()
    minute = NOW - timedelta(minutes=20)
    for second in (5, 20, 40):
        add(petition, minute + timedelta(seconds=second), IP_A)
    for spread in (0, 1, 2):  # three minutes apart: a person's pace
        add(petition, minute + timedelta(minutes=spread), IP_B)
    [burst] = window(fraud.panel(petition, NOW), "hour").bursts
    assert (burst.count, burst.detail) == (3, "2026-05-01 11:40 UTC")
    assert burst.filter.to_args() == {"ip": IP_A, "since": "2026-05-01T11:40:00", "until": "2026-05-01T11:41:00"}
    rows = db.session.scalars(db.select(Signature.id).where(*burst.filter.conditions(petition)))
    assert len(list(rows)) == 3


def test_small_domains_with_volume_are_listed_and_big_providers_are_not(make_petition):
    petition = make_petition()
    for number in range(10):
        add(
            petition,
            NOW - timedelta(minutes=10),
            person=person(f"bot{number}@Bots.example", f"bot{number}@bots.example"),
        )
    for number in range(12):
        add(petition, NOW - timedelta(minutes=10), person=person(f"fan{number}@gmail.com", f"fan{number}@gmail.com"))
    [domain] = window(fraud.panel(petition, NOW), "hour").domains
    assert (domain.label, domain.count, domain.filter.email_domain) == ("bots.example", 10, "bots.example")


def test_spellings_of_one_mailbox_and_households(app, make_petition):
    petition = make_petition()
    first = person("A.B@gmail.com", "ab@gmail.com", "María", "García")
    second = person("ab+x@gmail.com", "ab@gmail.com", "José", "García")
    alone = person("solo@example.org", "solo@example.org")
    for someone in (first, second, alone):
        add(petition, NOW - timedelta(hours=3), person=someone)
    day = window(fraud.panel(petition, NOW), "day")
    [spelling] = day.spellings
    [household] = day.households
    assert (spelling.label, spelling.detail, spelling.count) == ("a…@gmail.com", "2", 2)
    limit = app.config["HOUSEHOLD_LIMIT"]
    assert (household.label, household.detail, household.filter.mailbox) == ("a…@gmail.com", f"2 / {limit}", first.id)
    assert not window(fraud.panel(petition, NOW), "hour").households, "three hours ago is not the last hour"
    wanted = household.filter
    matched = set(db.session.scalars(db.select(Signature.person_id).where(*wanted.conditions(petition))))
    assert matched == {first.id, second.id}
    assert "Mailbox: a…@gmail.com" in wanted.describe()


def test_the_page_links_each_row_to_its_signatures(client, login_as, make_petition):
    petition = make_petition()
    now = utcnow()
    suspect = add(petition, now - timedelta(minutes=10), IP_A, times=10)
    add(petition, now - timedelta(minutes=10), IP_B, times=2)
    earlier = add(petition, now - timedelta(hours=2), IP_A, times=3)  # a burst of the day, not the hour
    login_as("viewer")
    page = client.get(f"/organize/petitions/{petition.slug}/fraud")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Last hour" in text and "Last day" in text and IP_A[:12] in text
    assert IP_B[:12] not in text, "two signatures from one address are no signal"
    links = {html.unescape(href) for href in re.findall(r'href="([^"]*/signatures\?[^"]*)"', text)}
    behind = set()
    for link in links:
        args = {key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}
        wanted = listing.SignatureFilter.from_args(args)
        behind.add(frozenset(db.session.scalars(db.select(Signature.id).where(*wanted.conditions(petition)))))
    # The hour's volume and bursts, and the day's two bursts: each link lists exactly its rows.
    assert behind == {frozenset(suspect), frozenset(earlier)}
    listed = client.get(min(links)).get_data(as_text=True)
    assert "IP hash: " + IP_A[:12] in listed and "Clear the filters" in listed


def test_anonymous_visitors_go_to_login(client, make_petition):
    petition = make_petition()
    assert client.get(f"/organize/petitions/{petition.slug}/fraud").status_code == 302
