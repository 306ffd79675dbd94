"""Hostile input answered with a 4xx, never a 500 or a dead worker: digits of other scripts,
panics in native code, control characters in text and paths, integers out of range,
time zones that are folders, and query keys that collide with url_for's own."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from campaign.core.errors import DomainError, NotFound
from campaign.core.types import utcnow
from campaign.extensions import db

FULL_WIDTH_ZIP = "５４３０１"
OTHER_SCRIPT_DIGITS = [FULL_WIDTH_ZIP, "٥٤٣٠١", "۵۴۳۰۱", "५४३०१", "54３01", "５４３０１-１２３４"]


class NativePanic(BaseException):
    """What pyo3 raises when Rust code panics (zipcodes' PanicException): not an Exception."""


# --- 1. no request kills a worker -------------------------------------------------------


def test_the_zipcodes_panic_this_guards_against_is_real():
    import zipcodes

    with pytest.raises(BaseException) as caught:
        zipcodes.matching(FULL_WIDTH_ZIP)
    assert not isinstance(caught.value, Exception)


@pytest.mark.parametrize("zip_code", OTHER_SCRIPT_DIGITS)
def test_a_zip_in_other_digits_is_refused_beside_the_field(client, zip_code):
    response = client.get(f"/where?zip_code={quote(zip_code)}")
    assert response.status_code == 422
    assert "Enter a 5-digit ZIP code." in response.get_data(as_text=True)


@pytest.mark.parametrize("zip_code", OTHER_SCRIPT_DIGITS)
def test_only_ascii_digits_make_a_zip_or_a_fips_code(app, zip_code):
    from campaign.geo.services import normalize_zip, resolve_county

    with pytest.raises(DomainError) as caught:
        normalize_zip(zip_code)
    assert caught.value.field == "zip_code"
    with pytest.raises(NotFound):
        resolve_county("５５００９")
    assert normalize_zip(" 54301-1234 ") == "54301"


def test_signing_with_a_full_width_zip_is_refused_and_writes_nothing(client, make_petition):
    from campaign.petitions.models import Signature

    petition = make_petition()
    response = client.post(
        f"/p/{petition.slug}",
        data={"first_name": "Ana", "last_name": "Ruiz", "email": "ana@example.org", "zip_code": FULL_WIDTH_ZIP},
    )
    assert response.status_code == 422
    assert "Enter a 5-digit ZIP code." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 0


def test_a_panic_in_the_zip_list_is_a_message_not_a_dead_worker(app, monkeypatch):
    import zipcodes

    from campaign.geo import services

    def panics(zip_code):
        raise NativePanic("end byte index 5 is not a char boundary")

    monkeypatch.setattr(zipcodes, "matching", panics)
    services._zip_record.cache_clear()
    try:
        with pytest.raises(DomainError) as caught:
            services.lookup_zip("54301")
    finally:
        services._zip_record.cache_clear()
    assert caught.value.field == "zip_code" and "5-digit ZIP code" in caught.value.message


def test_a_view_raising_a_base_exception_answers_500_and_the_app_keeps_serving(app):
    def panicking_view():
        raise NativePanic("native code panicked")

    app.add_url_rule("/tests/panic", "tests_panic", panicking_view)
    client = app.test_client()
    response = client.get("/tests/panic")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert client.get("/").status_code == 200


def test_a_county_goal_in_other_digits_is_refused(app):
    from campaign.petitions.services import parse_county_lines

    with pytest.raises(NotFound):
        parse_county_lines("55009 ５００")
    assert parse_county_lines("55009 500") == [("55009", 500)]


# --- 5. control characters in text and paths ---------------------------------------------


def test_the_cleaner_strips_controls_and_keeps_lines_only_where_they_belong():
    from campaign.core.text import clean_control

    hostile = "Ana\x00 \u202eRuiz\rBcc: evil@example.org\r\n\tX\x85\x7f\u2066"
    assert clean_control(hostile, multiline=False) == "Ana Ruiz Bcc: evil@example.org X"
    assert clean_control(hostile, multiline=True) == "Ana Ruiz\nBcc: evil@example.org\n\tX"
    assert clean_control(None, multiline=False) is None


def test_every_form_in_the_project_uses_the_cleaning_base_form():
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm

    import campaign
    from campaign.core.forms import BaseForm

    for module in pkgutil.walk_packages(campaign.__path__, "campaign."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)

    def every_subclass(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from every_subclass(sub)

    ours = [form for form in every_subclass(FlaskForm) if form.__module__.startswith("campaign.")]
    assert len(ours) > 10
    assert [form.__name__ for form in ours if not issubclass(form, BaseForm)] == []


def test_an_organizer_title_with_a_bare_cr_is_stored_on_one_line(client, login_as, make_campaign):
    from campaign.petitions.models import Petition

    login_as("organizer")
    campaign = make_campaign()
    response = client.post(
        f"/organize/campaigns/{campaign.slug}/petitions/new",
        data={
            "title": "End it\rBcc: evil@example.org\x07",
            "ask": "We call on the Sheriff\r\nto end it.\x1b\u202e",
            "counties": "55009",
            "status": "open",
        },
    )
    assert response.status_code == 302
    petition = db.session.scalar(select(Petition))
    assert petition.title == "End it Bcc: evil@example.org"
    assert petition.ask == "We call on the Sheriff\nto end it."


def test_walk_in_names_are_cleaned(client, login_as, make_forum):
    from campaign.forums import checkin
    from campaign.forums.models import RSVP

    forum = make_forum()
    record = checkin.walk_in(forum, checkin.WalkInInput(first_name="  Ana\r\nMaría\x00 ", last_name="Ruiz\u202e"))
    db.session.commit()
    stored = db.session.get(RSVP, record.id)
    assert (stored.first_name, stored.last_name) == ("Ana María", "Ruiz")
    with pytest.raises(DomainError) as caught:
        checkin.walk_in(forum, checkin.WalkInInput(first_name="\x00\r\n", last_name="Ruiz"))
    assert caught.value.field == "first_name"


@pytest.mark.parametrize(
    "path",
    [
        "/p/%00",
        "/p/a%00b",
        "/p/%0d%0a",
        "/c/%00",
        "/forums/%00",
        "/forums/%00.ics",
        "/pledges/%00",
        "/packets/verify/%00",
        "/p/x/confirm/%00",
        "/reset/%00",
        "/organize/petitions/%00/signatures",
        "/organize/forums/%00",
        "/organize/paper-imports/99999999999999999999",
        "/organize/paper-imports/2147483648",
        "/organize/paper-imports/%EF%BC%95",
        "/organize/petitions/x/signatures/moderate",
    ],
)
def test_a_path_argument_that_cannot_exist_is_a_404(client, login_as, path):
    login_as("admin")
    method = client.post if path.endswith("/moderate") else client.get
    assert method(path).status_code == 404


@pytest.mark.parametrize("query", ["/forums/?county=%00", "/where?zip_code=%00", "/forums/?%00=1", "/?lang=%00"])
def test_nul_in_a_query_string_is_a_400(client, query):
    assert client.get(query).status_code == 400


def test_nul_in_a_posted_form_is_a_400_and_writes_nothing(client, make_petition):
    from campaign.petitions.models import Signature

    petition = make_petition()
    data = {"first_name": "Ana\x00", "last_name": "Ruiz", "email": "ana@example.org", "zip_code": "54301"}
    assert client.post(f"/p/{petition.slug}", data=data).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 0


# --- 6. every integer is bounded ---------------------------------------------------------


@pytest.mark.parametrize("page", ["99999999999999999999", "2147483648", "５", "-1", "0"])
def test_a_page_number_out_of_range_is_a_404(client, login_as, make_petition, make_pledge, page):
    login_as("admin")
    petition, pledge = make_petition(), make_pledge()
    for path in (f"/organize/petitions/{petition.slug}/signatures", f"/organize/pledges/{pledge.slug}"):
        assert client.get(f"{path}?page={page}").status_code == 404, path
        assert client.get(f"{path}?page=2").status_code == 200, path


def test_the_paper_import_report_bounds_its_page(client, login_as, make_forum, make_petition):
    from campaign.petitions.models import PaperImport

    login_as("admin")
    forum = make_forum()
    record = PaperImport(forum_id=forum.id, filename="sheets.csv", petition=make_petition(campaign=forum.campaign))
    db.session.add(record)
    db.session.commit()
    assert client.get(f"/organize/paper-imports/{record.id}?page=99999999999999999999").status_code == 404
    assert client.get(f"/organize/paper-imports/{record.id}?page=1").status_code == 200


PETITION = {"title": "End it", "ask": "End the agreement.", "counties": "55009", "status": "open"}
PLEDGE = {"title": "Pack the room", "kind": "attend_meeting", "action": "I will attend.", "status": "open"}


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("petitions", "goal", "3000000000"),
        ("petitions", "goal", "99999999999999999999"),
        ("petitions", "goal", "５"),
        ("petitions", "goal", "10000001"),
        ("pledges", "goal", "3000000000"),
        ("pledges", "threshold", "3000000000"),
        ("pledges", "forum_id", "3000000000"),
        ("pledges", "official_id", "99999999999999999999"),
        ("forums", "capacity", "3000000000"),
        ("forums", "capacity", "100001"),
    ],
)
def test_an_integer_out_of_range_is_refused_beside_its_field(client, login_as, make_campaign, kind, field, value):
    from campaign.forums.models import Forum
    from campaign.petitions.models import Petition
    from campaign.pledges.models import Pledge

    login_as("organizer")
    campaign = make_campaign()
    starts = (utcnow() + timedelta(days=9)).strftime("%Y-%m-%dT18:00")
    ends = (utcnow() + timedelta(days=9)).strftime("%Y-%m-%dT20:00")
    forum = {
        "title": "Forum",
        "kind": "community_forum",
        "starts_at": starts,
        "ends_at": ends,
        "venue_address": "1 Main",
    }
    data = {"petitions": PETITION, "pledges": PLEDGE | {"forum_id": 0, "official_id": 0}, "forums": forum}[kind]
    response = client.post(f"/organize/campaigns/{campaign.slug}/{kind}/new", data=data | {field: value})
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    model = {"petitions": Petition, "pledges": Pledge, "forums": Forum}[kind]
    assert db.session.scalar(select(func.count()).select_from(model)) == 0


@pytest.mark.parametrize(
    ("kind", "fields"),
    [("petitions", ("goal",)), ("pledges", ("goal", "threshold")), ("forums", ("capacity",))],
)
def test_a_blank_number_box_means_none_and_saves(client, login_as, make_campaign, kind, fields):
    """A browser sends an empty number box as "": no goal, no capacity, not an error."""
    from campaign.forums.models import Forum
    from campaign.petitions.models import Petition
    from campaign.pledges.models import Pledge

    login_as("organizer")
    campaign = make_campaign()
    starts = (utcnow() + timedelta(days=9)).strftime("%Y-%m-%dT18:00")
    ends = (utcnow() + timedelta(days=9)).strftime("%Y-%m-%dT20:00")
    forum = {"title": "Forum", "kind": "community_forum", "starts_at": starts, "ends_at": ends, "venue_address": "1"}
    data = {"petitions": PETITION, "pledges": PLEDGE | {"forum_id": 0, "official_id": 0}, "forums": forum}[kind]
    response = client.post(f"/organize/campaigns/{campaign.slug}/{kind}/new", data=data | dict.fromkeys(fields, " "))
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    model = {"petitions": Petition, "pledges": Pledge, "forums": Forum}[kind]
    saved = db.session.scalars(select(model)).one()
    assert all(getattr(saved, field) is None for field in fields)


@pytest.mark.parametrize("line", ["55009 3000000000", "55009 99999999999999999999", "55009 0"])
def test_a_county_goal_out_of_range_is_refused_beside_the_field(client, login_as, make_campaign, line):
    from campaign.petitions.models import Petition

    login_as("organizer")
    campaign = make_campaign()
    response = client.post(f"/organize/campaigns/{campaign.slug}/petitions/new", data=PETITION | {"counties": line})
    assert response.status_code == 422
    assert "A county goal must be" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Petition)) == 0


@pytest.mark.parametrize(
    "name", ["America", "America/", "Mars/Olympus_Mons", "../../etc/passwd", "UTC\x00", "A" * 300, "/etc/localtime", ""]
)
def test_a_time_zone_that_is_not_one_is_a_domain_error(app, name):
    from campaign.geo.services import zone_for

    with pytest.raises(DomainError) as caught:
        zone_for(name)
    assert caught.value.field == "timezone"
    assert zone_for("America/Chicago").key == "America/Chicago"


def test_a_forum_in_a_folder_time_zone_is_refused_beside_the_field(client, login_as, make_campaign):
    from campaign.forums.models import Forum

    login_as("organizer")
    campaign = make_campaign()
    starts = (utcnow() + timedelta(days=9)).strftime("%Y-%m-%dT18:00")
    ends = (utcnow() + timedelta(days=9)).strftime("%Y-%m-%dT20:00")
    data = {
        "title": "Forum",
        "kind": "community_forum",
        "starts_at": starts,
        "ends_at": ends,
        "venue_address": "1 Main",
    }
    response = client.post(f"/organize/campaigns/{campaign.slug}/forums/new", data=data | {"timezone": "America"})
    assert response.status_code == 422
    assert "is not a time zone we know" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Forum)) == 0


# --- 7. no query string crashes a page ---------------------------------------------------

HOSTILE_QUERIES = [
    "_method=POST",
    "_external=1",
    "_anchor=x",
    "_scheme=javascript",
    "slug=x",
    "endpoint=x",
    "values=x",
    "lang=es&lang=en&lang=xx",
    "_method=POST&_external=1&_anchor=top&_scheme=ftp&slug=x&endpoint=y&values=z&code=q",
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_query_keys_leave_every_page_working(client, make_petition, query):
    petition = make_petition()
    for path in ("/", f"/p/{petition.slug}", "/where", "/nope"):
        response = client.get(f"{path}?{query}")
        assert response.status_code in (200, 404), (path, query)
        assert 'class="language-switch"' in response.get_data(as_text=True)


def test_the_language_switch_keeps_the_query_and_replaces_lang(client, make_petition):
    import re

    petition = make_petition()
    text = client.get(f"/p/{petition.slug}?slug=x&_anchor=top&lang=en&lang=xx").get_data(as_text=True)
    switch = re.search(r'<nav aria-label="Language".*?</nav>', text, re.S).group(0)
    assert f'href="/p/{petition.slug}?slug=x&amp;_anchor=top&amp;lang=es"' in switch


def test_the_error_page_renders_even_when_the_layout_fails(app, monkeypatch):
    from campaign.core import i18n

    def broken(code):
        raise RuntimeError("the layout broke")

    def failing_view():
        raise ValueError("the view broke")

    app.add_url_rule("/tests/broken", "tests_broken", failing_view)
    app.jinja_env.globals["url_in_language"] = broken
    monkeypatch.setattr(i18n, "url_in_language", broken)
    client = app.test_client()
    for path in ("/tests/broken", "/nope"):
        response = client.get(path)
        assert response.status_code in (404, 500)
        assert "<h1>" in response.get_data(as_text=True)
        assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("kind", ["campaigns", "petitions", "pledges", "forums"])
def test_an_edit_form_posted_without_its_fields_is_refused_not_a_500(
    client, login_as, make_campaign, make_petition, make_pledge, make_forum, kind
):
    """Edit forms are filled from the record (obj=): a field the POST leaves out must not
    keep the record's attribute (a campaign's `county` is a County object)."""
    login_as("organizer")
    record = {"campaigns": make_campaign, "petitions": make_petition, "pledges": make_pledge, "forums": make_forum}[
        kind
    ]()
    response = client.post(f"/organize/{kind}/{record.slug}/edit", data={"title": "Only a title"})
    # Saved with the record's other values, or refused beside a required field: never a 500.
    assert response.status_code in (302, 422)
    if response.status_code == 422:
        assert "-error" in response.get_data(as_text=True)
