"""Positions on rescission: each with its date and source, never edited, kept as a history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from campaign.core.errors import DomainError
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.officials import services
from campaign.officials.models import Position, Stance

SOURCE = "https://browncounty.example.org/minutes/2026-09-16"


def _position(official, stance=Stance.UNDECIDED, stated_on=date(2026, 3, 11), source=SOURCE, user=None, **fields):
    position = services.record_position(
        official, services.PositionInput(stance=stance, stated_on=stated_on, source_url=source, **fields), user
    )
    db.session.commit()
    return position


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Position))


def test_the_history_is_newest_first_with_who_recorded_each(app, make_official, make_user):
    official = make_official()
    ana, luz = make_user(email="ana@example.org"), make_user(email="luz@example.org")
    _position(official, Stance.UNKNOWN, date(2026, 1, 5), user=ana)
    _position(official, Stance.OPPOSES, date(2026, 9, 16), user=luz, summary="The agreement stays.")
    _position(official, Stance.UNDECIDED, date(2026, 3, 11), user=ana)  # recorded late, stated earlier
    _position(official, Stance.SUPPORTS, date(2026, 9, 16), user=ana)  # same day, recorded after

    history = services.position_history(official)
    assert [(position.stance, position.stated_on, email) for position, email in history] == [
        (Stance.SUPPORTS, date(2026, 9, 16), "ana@example.org"),
        (Stance.OPPOSES, date(2026, 9, 16), "luz@example.org"),
        (Stance.UNDECIDED, date(2026, 3, 11), "ana@example.org"),
        (Stance.UNKNOWN, date(2026, 1, 5), "ana@example.org"),
    ]
    db.session.expire_all()
    assert [position.stance for position in official.positions][0] is Stance.SUPPORTS


def test_the_page_lists_the_history_newest_first(client, login_as, make_official):
    login_as("viewer")
    official = make_official()
    _position(official, Stance.UNDECIDED, date(2026, 3, 11), summary="Under review.")
    _position(official, Stance.OPPOSES, date(2026, 9, 16), summary="The agreement stays.")
    page = client.get(f"/organize/officials/{official.id}").get_data(as_text=True)
    assert "Now: <strong>Opposes rescission</strong> (2026-09-16)" in page
    assert page.index("The agreement stays.") < page.index("Under review.")
    assert f'href="{SOURCE}"' in page


@pytest.mark.parametrize("source", [None, "", "   "])
def test_a_position_without_a_source_is_refused(app, make_official, source):
    official = make_official()
    with pytest.raises(DomainError) as refused:
        _position(official, source=source)
    assert refused.value.field == "source_url"
    assert "Give the source of this position" in refused.value.message
    db.session.rollback()
    assert _count() == 0


@pytest.mark.parametrize("source", ["javascript:alert(1)", "www.example.org/minutes", "ftp://example.org/x", "http://"])
def test_a_source_must_be_a_web_address(app, make_official, source):
    with pytest.raises(DomainError) as refused:
        _position(make_official(), source=source)
    assert refused.value.field == "source_url" and "https://" in refused.value.message


def test_a_position_cannot_be_stated_in_the_future(app, make_official):
    official = make_official()
    with pytest.raises(DomainError) as refused:
        _position(official, stated_on=utcnow().date() + timedelta(days=1))
    assert refused.value.field == "stated_on"
    db.session.rollback()
    assert _count() == 0
    assert _position(official, stated_on=utcnow().date()).stated_on == utcnow().date()


def test_the_form_refuses_a_missing_source_or_a_future_date_beside_the_field(client, login_as, make_official):
    login_as("organizer")
    official = make_official()
    url = f"/organize/officials/{official.id}/positions"
    form = {"stance": "supports", "stated_on": "2026-11-04", "summary": "Will sponsor a resolution."}

    unsourced = client.post(url, data=form)
    assert unsourced.status_code == 422
    page = unsourced.get_data(as_text=True)
    assert 'id="source_url-error"' in page and "Give the source of this position" in page
    assert "Will sponsor a resolution." in page  # what was typed stays in the form
    future = client.post(url, data=form | {"source_url": SOURCE, "stated_on": "2999-01-01"})
    assert future.status_code == 422 and "cannot be stated in the future" in future.get_data(as_text=True)
    assert _count() == 0

    recorded = client.post(url, data=form | {"source_url": SOURCE})
    assert recorded.status_code == 303
    (position,) = db.session.scalars(select(Position))
    assert (position.stance, position.stated_on, position.source_url) == (Stance.SUPPORTS, date(2026, 11, 4), SOURCE)


def test_viewers_cannot_record_a_position(client, login_as, make_official):
    login_as("viewer")
    official = make_official()
    answer = client.post(
        f"/organize/officials/{official.id}/positions",
        data={"stance": "supports", "stated_on": "2026-11-04", "source_url": SOURCE},
    )
    assert answer.status_code == 403 and _count() == 0
