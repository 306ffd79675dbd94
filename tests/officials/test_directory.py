"""The officials directory: organizers add and edit officials, viewers read it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from campaign.accounts.models import AuditEvent
from campaign.core.errors import DomainError, NotFound
from campaign.extensions import db
from campaign.officials import services
from campaign.officials.models import Body, Official


def _input(**fields) -> services.OfficialInput:
    values = {"name": "Dana Kowalski", "title": "Sheriff", "body": Body.SHERIFF, "county": "55009"} | fields
    return services.OfficialInput(**values)


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Official))


FORM = {
    "name": "Karen Lindqvist",
    "title": "Supervisor, District 7",
    "body": "county_board",
    "state": "WI",
    "county": "Brown",
    "district": "7",
    "email": "district7@example.org",
    "phone": "(920) 555-0127",
    "website": "https://browncounty.example.org/district7",
    "term_starts_on": "2026-04-21",
    "term_ends_on": "2028-04-18",
}


def test_a_county_is_found_by_fips_by_label_or_by_name_within_its_state(app):
    by_fips = services.create_official(_input(county="55009"))
    by_label = services.create_official(_input(county="Outagamie County, WI"))
    by_name = services.create_official(_input(county="Brown", state="wi"))
    assert (by_fips.county.label, by_label.county.label, by_name.county.label) == (
        "Brown County, WI",
        "Outagamie County, WI",
        "Brown County, WI",
    )
    assert services.create_official(_input(county="", body=Body.STATE_LEGISLATURE)).county_fips is None


@pytest.mark.parametrize(
    ("fields", "error", "field"),
    [
        ({"county": "Atlantis County, WI"}, NotFound, "county"),
        ({"county": "99999"}, NotFound, "county"),
        ({"county": "Atlantis", "state": "WI"}, NotFound, "county"),
        ({"county": "55009", "state": "MN"}, DomainError, "county"),
        ({"county": "", "state": "WI"}, DomainError, "county"),
        ({"term_starts_on": date(2027, 1, 4), "term_ends_on": date(2023, 1, 2)}, DomainError, "term_ends_on"),
        ({"website": "javascript:alert(1)"}, DomainError, "website"),
        ({"name": "   "}, DomainError, "name"),
    ],
)
def test_bad_details_are_refused_beside_their_field(app, fields, error, field):
    with pytest.raises(error) as refused:
        services.create_official(_input(**fields))
    assert refused.value.field == field
    db.session.rollback()
    assert _count() == 0


def test_a_term_of_one_day_is_accepted(app):
    official = services.create_official(_input(term_starts_on=date(2026, 1, 5), term_ends_on=date(2026, 1, 5)))
    assert official.term_ends_on == official.term_starts_on


def test_an_organizer_adds_an_official_and_finds_it_in_the_directory(client, login_as):
    login_as("organizer")
    saved = client.post("/organize/officials/new", data=FORM)
    assert saved.status_code == 303
    official = db.session.scalar(select(Official))
    assert saved.headers["Location"].endswith(f"/organize/officials/{official.id}")
    assert (official.county_fips, official.body, official.district) == ("55009", Body.COUNTY_BOARD, "7")
    assert (official.term_starts_on, official.term_ends_on) == (date(2026, 4, 21), date(2028, 4, 18))
    (logged,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "official_saved"))
    assert logged.details == {"official": official.id, "created": True}

    page = client.get("/organize/officials/").get_data(as_text=True)
    page = page[page.index("<section>") :]  # the list, after the filter's choices
    assert page.index("Brown County, WI") < page.index("County board") < page.index("Karen Lindqvist")
    assert "2026-04-21 – 2028-04-18" in page
    details = client.get(f"/organize/officials/{official.id}").get_data(as_text=True)
    assert "district7@example.org" in details and "No position recorded yet." in details


def test_an_unknown_county_or_a_term_ending_first_is_shown_beside_the_field(client, login_as, make_official):
    login_as("organizer")
    unknown = client.post("/organize/officials/new", data=FORM | {"county": "Atlantis"})
    assert unknown.status_code == 404
    assert "We could not find the county &#34;Atlantis, WI&#34;" in unknown.get_data(as_text=True)
    assert _count() == 0

    official = make_official(name="Dana Kowalski", title="Sheriff")
    backwards = client.post(
        f"/organize/officials/{official.id}/edit",
        data=FORM | {"name": "Dana Kowalski", "term_starts_on": "2027-01-04", "term_ends_on": "2023-01-02"},
    )
    assert backwards.status_code == 422
    assert "The term cannot end before it starts." in backwards.get_data(as_text=True)
    db.session.refresh(official)
    assert official.title == "Sheriff" and official.term_ends_on is None


def test_an_edit_changes_the_official_and_the_form_shows_what_is_stored(client, login_as, make_official):
    login_as("organizer")
    official = make_official(name="Dana Kowalski", county_fips="55009")
    form = client.get(f"/organize/officials/{official.id}/edit").get_data(as_text=True)
    assert 'value="55009"' in form and '<option selected value="sheriff">' in form
    edited = client.post(
        f"/organize/officials/{official.id}/edit", data=FORM | {"name": "Dana Kowalski", "county": "55087", "state": ""}
    )
    assert edited.status_code == 303
    db.session.refresh(official)
    assert (official.title, official.county_fips, official.body) == (
        "Supervisor, District 7",
        "55087",
        Body.COUNTY_BOARD,
    )


def test_the_directory_groups_by_county_then_body_and_filters(client, login_as, make_official):
    login_as("viewer")
    make_official(name="Ana Outagamie", county_fips="55087", body=Body.SHERIFF)
    make_official(name="Zed Board", title="Chair", county_fips="55009", body=Body.COUNTY_BOARD)
    make_official(name="Amy Sheriff", county_fips="55009", body=Body.SHERIFF)
    make_official(name="Mo Hennepin", county_fips="27053", body=Body.SHERIFF)
    make_official(name="Lee Senate", title="Senator", county_fips=None, body=Body.STATE_LEGISLATURE)

    page = client.get("/organize/officials/").get_data(as_text=True)
    page = page[page.index("<section>") :]  # the list, after the filter's choices
    order = ["Hennepin County, MN", "Mo Hennepin", "Brown County, WI", "Amy Sheriff", "Zed Board"]
    order += ["Outagamie County, WI", "Ana Outagamie", "Offices of no one county", "Lee Senate"]
    positions = [page.index(text) for text in order]
    assert positions == sorted(positions)

    wisconsin = client.get("/organize/officials/?state=WI").get_data(as_text=True)
    assert "Amy Sheriff" in wisconsin and "Ana Outagamie" in wisconsin and "Mo Hennepin" not in wisconsin
    sheriffs = client.get("/organize/officials/?county=55009&body=sheriff").get_data(as_text=True)
    assert "Amy Sheriff" in sheriffs and "Zed Board" not in sheriffs and "Ana Outagamie" not in sheriffs
    nothing = client.get("/organize/officials/?county=55087&body=county_board").get_data(as_text=True)
    assert "No officials match." in nothing

    for body in ("mayor", "   "):
        bad = client.get(f"/organize/officials/?body={body}")
        assert bad.status_code == 400 and "Not a valid choice" in bad.get_data(as_text=True)


def test_viewers_read_but_do_not_edit(client, login_as, make_official):
    official = make_official()
    login_as("viewer")
    page = client.get(f"/organize/officials/{official.id}").get_data(as_text=True)
    assert "Pat Example" in page and "Record a position" not in page and "Edit the details" not in page
    assert client.get("/organize/officials/new").status_code == 403
    assert client.post("/organize/officials/new", data=FORM).status_code == 403
    assert client.post(f"/organize/officials/{official.id}/edit", data=FORM).status_code == 403
    assert client.get("/organize/officials/99999").status_code == 404
    assert _count() == 1


def test_the_directory_is_for_logged_in_organizers_only(client, make_official):
    official = make_official()
    assert client.get("/organize/officials/").status_code == 302
    assert client.get(f"/organize/officials/{official.id}").status_code == 302
