"""Public pages are cached and revalidated, and a cached page never shows one visitor's data
to another (core.caching); posts from another site are refused on every rule (core.security)."""

from __future__ import annotations

import threading
import time

import pytest
from flask import template_rendered
from sqlalchemy import update
from werkzeug.routing import IntegerConverter

from campaign.extensions import db
from campaign.petitions.models import Petition, PetitionStatus
from tests.petitions.helpers import GOOD, count_signatures

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def retitle(petition, title: str) -> None:
    db.session.execute(update(Petition).where(Petition.id == petition.id).values(title=title))
    db.session.commit()


def test_a_storm_of_anonymous_visitors_is_served_one_rendering(client, make_petition):
    petition = make_petition(title="First title")
    first = client.get(f"/p/{petition.slug}")
    retitle(petition, "Second title")
    again = client.get(f"/p/{petition.slug}")
    assert "First title" in again.get_data(as_text=True)  # the database was not asked
    assert again.headers["Cache-Control"] in ("public, max-age=5", "max-age=5, public")
    assert {"Cookie", "Accept-Language"} <= set(again.headers["Vary"].replace(" ", "").split(","))
    assert again.headers["ETag"] == first.headers["ETag"]


def test_a_browser_revalidates_with_its_etag(client, make_petition):
    petition = make_petition()
    etag = client.get(f"/p/{petition.slug}").headers["ETag"]
    revalidated = client.get(f"/p/{petition.slug}", headers={"If-None-Match": etag})
    assert revalidated.status_code == 304
    assert revalidated.get_data() == b""


def test_the_window_ends(app, client, make_petition):
    app.config["PAGE_CACHE_SECONDS"] = 0  # switched off: every page is rendered
    petition = make_petition(title="First title")
    client.get(f"/p/{petition.slug}")
    retitle(petition, "Second title")
    assert "Second title" in client.get(f"/p/{petition.slug}").get_data(as_text=True)


def test_languages_are_cached_apart(app, make_petition):
    petition = make_petition()
    spanish = app.test_client().get(f"/p/{petition.slug}", headers={"Accept-Language": "es"})
    english = app.test_client().get(f"/p/{petition.slug}", headers={"Accept-Language": "en"})
    by_cookie = app.test_client()
    by_cookie.set_cookie("lang", "es")
    assert '<html lang="es">' in spanish.get_data(as_text=True)
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert '<html lang="es">' in by_cookie.get(f"/p/{petition.slug}").get_data(as_text=True)


@pytest.mark.parametrize("organizer_first", [True, False])
def test_an_organizers_page_is_theirs_alone(app, client, login_as, make_petition, organizer_first):
    """Logged in: drafts, the Organize menu, a logout form with its token. None of it may
    reach a visitor, whichever of the two comes first."""
    petition = make_petition()
    visitor = app.test_client()
    if not organizer_first:
        visitor.get(f"/p/{petition.slug}")
    login_as("organizer")
    organizer_page = client.get(f"/p/{petition.slug}")
    assert "Log out" in organizer_page.get_data(as_text=True)
    assert organizer_page.headers["Cache-Control"] == "private, no-cache"
    assert "ETag" not in organizer_page.headers
    visitor_page = visitor.get(f"/p/{petition.slug}").get_data(as_text=True)
    assert "Log out" not in visitor_page and "csrf_token" not in visitor_page


def test_a_draft_previewed_by_an_organizer_stays_hidden(app, client, login_as, make_petition):
    draft = make_petition(status=PetitionStatus.DRAFT)
    login_as("organizer")
    assert client.get(f"/p/{draft.slug}").status_code == 200
    assert app.test_client().get(f"/p/{draft.slug}").status_code == 404


def test_a_form_sent_back_with_its_errors_is_never_cached(app, client, make_petition):
    petition = make_petition()
    refused = client.post(f"/p/{petition.slug}", data=GOOD | {"last_name": "Zyxwvut", "email": ""})
    assert refused.status_code == 422 and "Zyxwvut" in refused.get_data(as_text=True)
    assert "Cache-Control" not in refused.headers or "public" not in refused.headers["Cache-Control"]
    assert "Zyxwvut" not in app.test_client().get(f"/p/{petition.slug}").get_data(as_text=True)


def test_a_visitor_with_a_session_gets_a_page_of_their_own(app, make_petition):
    petition = make_petition(title="First title")
    app.test_client().get(f"/p/{petition.slug}")  # cached
    retitle(petition, "Second title")
    with_session = app.test_client()
    with with_session.session_transaction() as session:
        session["_flashes"] = [("message", "Only for me")]
    page = with_session.get(f"/p/{petition.slug}").get_data(as_text=True)
    assert "Second title" in page and "Only for me" in page
    assert "Only for me" not in app.test_client().get(f"/p/{petition.slug}").get_data(as_text=True)


def test_every_cached_page_sets_no_cookie(app, make_petition, make_forum, make_pledge):
    petition, forum, pledge = make_petition(), make_forum(), make_pledge()
    campaign = petition.campaign
    for path in ("/", f"/c/{campaign.slug}", f"/p/{petition.slug}", "/forums/", f"/forums/{forum.slug}"):
        response = app.test_client().get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers and "ETag" in response.headers, path
    response = app.test_client().get(f"/pledges/{pledge.slug}")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


def _unsafe_rules(app, proved_by_token: bool = False):
    """The rules that change something; those whose signed token is the whole proof (the
    one-click unsubscribe, core.security.proved_by_token) apart, or only those."""
    for rule in app.url_map.iter_rules():
        if getattr(app.view_functions[rule.endpoint], "proved_by_token", False) is not proved_by_token:
            continue
        for method in sorted(UNSAFE & (rule.methods or set())):
            values = {
                name: 1 if isinstance(converter, IntegerConverter) else "x"
                for name, converter in rule._converters.items()
            }
            yield method, app.url_map.bind("localhost").build(rule.endpoint, values, method=method)


@pytest.mark.parametrize(
    "headers",
    [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "same-site"}],
)
def test_every_rule_refuses_a_post_from_another_site(app, client, login_as, headers):
    """Built from app.url_map: a route added later is covered. Logged in as an admin, so that
    nothing else (a login, a role) is what refuses."""
    login_as("admin")
    rules = list(_unsafe_rules(app))
    assert len(rules) > 20
    for method, path in rules:
        response = client.open(path, method=method, headers=headers, data={"x": "1"})
        assert response.status_code == 400, (method, path, response.status_code)
        assert "did not come from this site" in response.get_data(as_text=True), (method, path)


def test_only_token_proved_posts_are_taken_from_another_site(app, client):
    """The one-click unsubscribe comes from the mail provider or a webmail page: where it
    comes from gives it no power (no cookie does), its token does. A forged token is refused
    by the view itself."""
    rules = list(_unsafe_rules(app, proved_by_token=True))
    assert [path for _method, path in rules] == ["/unsubscribe/x"]
    for method, path in rules:
        response = client.open(path, method=method, headers={"Sec-Fetch-Site": "cross-site"})
        assert response.status_code == 400 and "did not come from this site" not in response.get_data(as_text=True)
        assert "This unsubscribe link is not valid" in response.get_data(as_text=True)


def test_a_same_site_post_still_needs_its_token_on_organizer_forms(app, client, login_as):
    app.config["WTF_CSRF_ENABLED"] = True
    login_as("organizer")
    headers = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}
    response = client.post("/organize/campaigns/new", data={"title": "A campaign"}, headers=headers)
    assert response.status_code == 400


def test_a_typed_address_and_a_non_browser_client_may_post(app, client, make_petition):
    """'none' is a request the person started (a bookmark); no header at all is no browser,
    which has no visitor's cookies to ride."""
    petition = make_petition()
    assert client.post(f"/p/{petition.slug}", data=GOOD, headers={"Sec-Fetch-Site": "none"}).status_code == 303
    assert client.post(f"/p/{petition.slug}", data=GOOD | {"email": "b@example.org"}).status_code == 303
    assert count_signatures() == 2


def test_an_expired_page_is_rendered_once_however_many_ask_at_that_moment(app, make_petition):
    path = f"/p/{make_petition().slug}"
    renders = []

    def slow_render(sender, template, context, **extra):
        if template.name == "petitions/show.html":
            renders.append(1)
            time.sleep(0.3)  # the others arrive while it renders

    template_rendered.connect(slow_render, app)
    start = threading.Barrier(6)
    statuses = []

    def visit():
        start.wait()
        statuses.append(app.test_client().get(path).status_code)

    visitors = [threading.Thread(target=visit) for _ in range(6)]
    for visitor in visitors:
        visitor.start()
    for visitor in visitors:
        visitor.join(timeout=30)
    template_rendered.disconnect(slow_render, app)
    assert statuses == [200] * 6
    assert len(renders) == 1
