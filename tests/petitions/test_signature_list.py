"""The organizers' signature list: filters, status tabs counted under the other filters,
pages, and one action bar for the ticked rows."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event, select

from campaign.core.errors import NotFound
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.petitions import counts, listing, moderation
from campaign.petitions.models import Signature, SignatureSource, SignatureStatus

ZIP_OF = {"55009": "54301", "55087": "54911", "27053": "55401"}
CONFIRMED, PENDING, INVALIDATED = SignatureStatus.CONFIRMED, SignatureStatus.PENDING, SignatureStatus.INVALIDATED
ONLINE, PAPER = SignatureSource.ONLINE, SignatureSource.PAPER


def add(petition, first_name, fips="55009", status=CONFIRMED, source=ONLINE, referral=None, times=1) -> list[int]:
    rows = []
    for number in range(times):
        row = Signature(
            petition=petition,
            first_name=first_name,
            last_name=f"Signer{number}",
            zip_code=ZIP_OF[fips],
            county_fips=fips,
            consent_text="[ ] ...",
            status=status,
            source=source,
            referral=referral,
            confirmed_at=utcnow() if status is not PENDING else None,
        )
        db.session.add(row)
        rows.append(row)
    db.session.commit()
    return [row.id for row in rows]


@pytest.fixture
def mixed(make_petition):
    """Ten signatures, counted by hand:

    Brown (55009):       Alba x2 confirmed online lwv-brown, Bea confirmed paper,
                         Cruz pending online, Dora invalidated online lwv-brown
    Outagamie (55087):   Elsa x3 confirmed online, Fina pending paper
    Hennepin (27053):    Gala confirmed online lwv-brown
    """
    petition = make_petition()
    add(petition, "Alba", referral="lwv-brown", times=2)
    add(petition, "Bea", source=PAPER)
    add(petition, "Cruz", status=PENDING)
    add(petition, "Dora", status=INVALIDATED, referral="lwv-brown")
    add(petition, "Elsa", fips="55087", times=3)
    add(petition, "Fina", fips="55087", status=PENDING, source=PAPER)
    add(petition, "Gala", fips="27053", referral="lwv-brown")
    return petition


def page_of(client, petition, query: str = "", status: int = 200) -> str:
    response = client.get(f"/organize/petitions/{petition.slug}/signatures{query}")
    assert response.status_code == status
    return response.get_data(as_text=True)


def names(page: str) -> list[str]:
    """The first names of the rows shown, in order."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<td>(\w+) Signer\d+</td>", body)


def tabs(page: str) -> dict[str, int]:
    nav = page.split('aria-label="Filter by status"', 1)[1].split("</nav>", 1)[0]
    return {label: int(number) for label, number in re.findall(r">(\w+) \((\d+)\)</a>", nav)}


def links(page: str, text: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(rf'<a href="([^"]+)"[^>]*>{re.escape(text)}', page)]


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


# --- filters ------------------------------------------------------------------------------


def test_status_filter_and_tabs(client, login_as, mixed):
    login_as("viewer")
    page = page_of(client, mixed, "?status=confirmed")
    assert sorted(names(page)) == ["Alba", "Alba", "Bea", "Elsa", "Elsa", "Elsa", "Gala"]
    assert tabs(page) == {"All": 10, "Confirmed": 7, "Pending": 2, "Invalidated": 1}
    assert names(page_of(client, mixed, "?status=invalidated")) == ["Dora"]


def test_county_filter_counts_the_tabs_in_that_county(client, login_as, mixed):
    login_as("viewer")
    page = page_of(client, mixed, "?county=55009")
    assert sorted(names(page)) == ["Alba", "Alba", "Bea", "Cruz", "Dora"]
    assert tabs(page) == {"All": 5, "Confirmed": 3, "Pending": 1, "Invalidated": 1}
    assert "County: Brown County, WI" in page

    confirmed = page_of(client, mixed, "?county=55009&status=confirmed")
    assert sorted(names(confirmed)) == ["Alba", "Alba", "Bea"]
    assert tabs(confirmed) == {"All": 5, "Confirmed": 3, "Pending": 1, "Invalidated": 1}
    # Every tab keeps the county; the "All" tab drops only the status.
    (pending_tab,) = links(confirmed, "Pending (1)")
    assert query_of(pending_tab) == {"county": ["55009"], "status": ["pending"]}
    (all_tab,) = links(confirmed, "All (5)")
    assert query_of(all_tab) == {"county": ["55009"]}


def test_channel_and_source_filters(client, login_as, mixed):
    login_as("organizer")
    assert sorted(names(page_of(client, mixed, "?channel=paper"))) == ["Bea", "Fina"]
    assert sorted(names(page_of(client, mixed, "?channel=online"))) == sorted(
        ["Alba", "Alba", "Cruz", "Dora", "Elsa", "Elsa", "Elsa", "Gala"]
    )
    by_source = page_of(client, mixed, "?source=lwv-brown")
    assert sorted(names(by_source)) == ["Alba", "Alba", "Dora", "Gala"]
    assert tabs(by_source) == {"All": 4, "Confirmed": 3, "Pending": 0, "Invalidated": 1}
    assert "Source: lwv-brown" in by_source
    # A code is kept as it is written on links: upper case is read as the same code.
    assert sorted(names(page_of(client, mixed, "?source=LWV-Brown"))) == ["Alba", "Alba", "Dora", "Gala"]


def test_filters_combine(client, login_as, mixed):
    login_as("viewer")
    page = page_of(client, mixed, "?county=55009&source=lwv-brown&status=confirmed&channel=online")
    assert names(page) == ["Alba", "Alba"]
    assert tabs(page) == {"All": 3, "Confirmed": 2, "Pending": 0, "Invalidated": 1}
    for label in ("Status: Confirmed", "County: Brown County, WI", "Channel: Online", "Source: lwv-brown"):
        assert label in page
    (clear,) = links(page, "Clear the filters")
    assert urlsplit(clear).path == f"/organize/petitions/{mixed.slug}/signatures" and not urlsplit(clear).query
    assert len(names(page_of(client, mixed, "?county=27053&channel=paper"))) == 0


def test_unknown_status_channel_and_invalid_source_are_ignored(client, login_as, mixed):
    login_as("viewer")
    for query in ("?status=deleted", "?channel=fax", "?source=not a code!", "?source=" + "x" * 41, "?county="):
        page = page_of(client, mixed, query)
        assert len(names(page)) == 10, query
        assert "Showing only" not in page, query


@pytest.mark.parametrize("county", ["99999", "5500", "550090", "abcde", "５５００９", "55009 "])
def test_an_unknown_or_malformed_county_is_a_404(client, login_as, mixed, county):
    login_as("viewer")
    page_of(client, mixed, f"?county={county}", status=404)


def test_the_filter_reads_and_writes_the_same_parameters(app, mixed):
    with app.test_request_context("/?status=pending&county=55087&channel=paper&source=Flyer-1&page=2"):
        from flask import request

        wanted = listing.SignatureFilter.from_args(request.args)
    assert wanted == listing.SignatureFilter(PENDING, "55087", PAPER, "flyer-1")
    assert wanted.to_args() == {"status": "pending", "county": "55087", "channel": "paper", "source": "flyer-1"}
    assert listing.SignatureFilter.from_args({}) == listing.SignatureFilter()
    with pytest.raises(NotFound):
        listing.SignatureFilter.from_args({"county": "00000"})


def test_a_page_loads_its_counties_without_a_query_per_row(app, mixed):
    statements = []

    def count(*_args):
        statements.append(1)

    db.session.expire_all()
    assert mixed.id  # the petition itself is loaded already on the page
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = listing.signature_page(mixed, listing.SignatureFilter(), 1)
        labels = {row.county.label for row in page.rows}
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert labels == {"Brown County, WI", "Outagamie County, WI", "Hennepin County, MN"}
    assert len(statements) == 3, "rows, their counties, the counts per status"


# --- pages --------------------------------------------------------------------------------


def test_101_rows_make_two_pages_and_the_links_keep_the_filters(client, login_as, make_petition):
    login_as("viewer")
    petition = make_petition()
    add(petition, "Hana", times=101)
    add(petition, "Ines", fips="55087", times=2)
    first = page_of(client, petition, "?county=55009&status=confirmed")
    assert len(names(first)) == 100
    assert f"{petition.title}: 101 signatures (1 to 100 shown)" in first
    assert not links(first, "Previous page")
    (next_link,) = links(first, "Next page")
    assert query_of(next_link) == {"county": ["55009"], "status": ["confirmed"], "page": ["2"]}

    second = client.get(next_link).get_data(as_text=True)
    assert names(second) == ["Hana"]
    assert f"{petition.title}: 101 signatures (101 to 101 shown)" in second
    assert not links(second, "Next page")
    (previous,) = links(second, "Previous page")
    assert query_of(previous) == {"county": ["55009"], "status": ["confirmed"]}


# --- the action bar -----------------------------------------------------------------------


def moderate(client, petition, data, query: str = ""):
    return client.post(f"/organize/petitions/{petition.slug}/signatures/moderate{query}", data=data)


def counted(petition) -> int:
    db.session.refresh(petition)
    return petition.confirmed_count


def test_the_page_has_one_action_form_with_a_labelled_box_per_row(client, login_as, make_petition):
    login_as("organizer")
    petition = make_petition()
    add(petition, "Ana", times=5)
    page = page_of(client, petition)
    forms = re.findall(r'<form method="post" action="([^"]+)"', page)
    assert [action for action in forms if "/signatures" in action] == [
        f"/organize/petitions/{petition.slug}/signatures/moderate"
    ]
    assert page.count('name="signature_ids"') == 5
    assert page.count("Select Ana S.") == 5
    assert page.count("<legend>With the selected signatures</legend>") == 1
    assert page.count('name="reason"') == 1


def test_invalidating_three_ticked_rows_keeps_the_reason_and_recounts(client, login_as, make_petition):
    organizer = login_as("organizer")
    petition = make_petition()
    ids = add(petition, "Ana", times=5)
    counts.refresh_counts(petition.id)
    db.session.commit()
    assert counted(petition) == 5

    ticked = ids[:3]
    data = {"action": "invalidate", "reason": "One household, three made-up names", "signature_ids": ticked}
    response = moderate(client, petition, data, "?county=55009&status=confirmed&page=1")
    assert response.status_code == 303
    assert query_of(response.headers["Location"]) == {"county": ["55009"], "status": ["confirmed"]}
    rows = db.session.scalars(select(Signature).where(Signature.id.in_(ticked))).all()
    assert {row.status for row in rows} == {INVALIDATED}
    assert {row.invalidated_reason for row in rows} == {"One household, three made-up names"}
    assert {row.invalidated_by_id for row in rows} == {organizer.id}
    assert counted(petition) == 2

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 signatures invalidated: they no longer count." in page
    assert tabs(page) == {"All": 5, "Confirmed": 2, "Pending": 0, "Invalidated": 3}


def test_restore_changes_only_invalidated_rows_and_says_how_many(client, login_as, make_petition):
    login_as("organizer")
    petition = make_petition()
    invalidated = add(petition, "Ana", status=INVALIDATED, times=2)
    confirmed = add(petition, "Bo")
    counts.refresh_counts(petition.id)
    db.session.commit()
    assert counted(petition) == 1

    response = moderate(client, petition, {"action": "restore", "signature_ids": invalidated + confirmed})
    assert response.status_code == 303
    rows = db.session.scalars(select(Signature).where(Signature.petition_id == petition.id)).all()
    assert {row.status for row in rows} == {CONFIRMED}
    assert all(row.invalidated_reason is None for row in rows)
    assert counted(petition) == 3
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 signatures restored." in page
    assert "1 ticked signature was not invalidated" in page


def test_a_foreign_signature_in_the_batch_refuses_all(client, login_as, make_petition):
    login_as("organizer")
    petition, other = make_petition(), make_petition()
    ours = add(petition, "Ana", times=2)
    theirs = add(other, "Zoe")
    response = moderate(client, petition, {"action": "invalidate", "reason": "Spam", "signature_ids": ours + theirs})
    assert response.status_code == 404
    assert "not on this petition: nothing was changed" in response.get_data(as_text=True)
    statuses = db.session.scalars(select(Signature.status)).all()
    assert statuses == [CONFIRMED] * 3


def test_invalidating_without_a_reason_changes_nothing(client, login_as, make_petition):
    login_as("organizer")
    petition = make_petition()
    ids = add(petition, "Ana", times=2)
    response = moderate(client, petition, {"action": "invalidate", "reason": "   ", "signature_ids": ids})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Give the reason: it is kept with the signatures." in page
    assert page.count(" checked>") == 2, "the ticked rows stay ticked"
    assert db.session.scalars(select(Signature.status)).all() == [CONFIRMED] * 2


def test_nothing_ticked_says_so(client, login_as, make_petition):
    login_as("organizer")
    petition = make_petition()
    add(petition, "Ana")
    response = moderate(client, petition, {"action": "invalidate", "reason": "Spam"})
    assert response.status_code == 422
    assert "Tick the signatures to change first." in response.get_data(as_text=True)
    assert db.session.scalars(select(Signature.status)).all() == [CONFIRMED]


def test_a_viewer_sees_no_boxes_and_cannot_post(client, login_as, make_petition):
    login_as("viewer")
    petition = make_petition()
    ids = add(petition, "Ana", times=2)
    page = page_of(client, petition)
    assert names(page) == ["Ana", "Ana"]
    assert 'name="signature_ids"' not in page and "With the selected signatures" not in page
    assert "/moderate" not in page
    response = moderate(client, petition, {"action": "invalidate", "reason": "x", "signature_ids": ids})
    assert response.status_code == 403
    assert db.session.scalars(select(Signature.status)).all() == [CONFIRMED] * 2


# --- the services -------------------------------------------------------------------------


def test_services_refuse_a_mixed_batch_and_count_what_changed(app, make_petition, make_user):
    user = make_user("organizer")
    petition, other = make_petition(), make_petition()
    ours = add(petition, "Ana", times=3)
    theirs = add(other, "Zoe")
    with pytest.raises(NotFound):
        moderation.invalidate_many(petition, ours + theirs, "Spam", user)
    db.session.rollback()
    assert moderation.invalidate_many(petition, ours[:2], "Spam", user) == 2
    assert moderation.invalidate_many(petition, ours, "Again", user) == 1, "the two already invalidated keep theirs"
    assert moderation.restore_many(petition, ours[:1], user) == 1
    db.session.commit()
    assert counted(petition) == 1
