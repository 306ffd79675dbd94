"""Every route a GET answers with an HTML page is checked by axe (test_accessibility.py):
a new page fails here until it is added to PUBLIC or ORGANIZER, or named in NOT_PAGES with
the reason it is not a page. Needs no browser."""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlsplit

from tests.browser.test_accessibility import ORGANIZER, PUBLIC

NOT_PAGES = {
    "static": "CSS, scripts and images",
    "forums.forum_ics": "a calendar file",
    "forums.campaign_ics": "a calendar file",
    "meetings.meeting_ics": "a calendar file",
    "meetings.campaign_calendar": "a calendar file",
    "accountability.national_map": "an SVG image",
    "campaign_documents.public_file": "a document download",
    "campaign_documents.organizer_file": "a document download",
    "packets.download": "a PDF",
    "packets.signin_sheet": "a PDF",
    "forums_organize.import_report_csv": "a CSV",
    "campaigns.share": "a share link: a redirect to the page it names",
}


def endpoints(paths: list[str], app) -> dict[str, str]:
    """{endpoint: path} of the listed paths, the braces filled with a value any rule accepts."""
    adapter = app.url_map.bind("localhost")
    found = {}
    for path in paths:
        filled = urlsplit(path.format_map(defaultdict(lambda: "1"))).path
        endpoint, _arguments = adapter.match(filled, method="GET")
        found[endpoint] = path
    return found


def test_every_get_page_is_checked_by_axe_or_said_not_to_be_a_page(app):
    listed = endpoints(PUBLIC, app) | endpoints(ORGANIZER, app)
    answered = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    missing = sorted(answered - listed.keys() - NOT_PAGES.keys())
    assert not missing, "add these pages to PUBLIC or ORGANIZER in test_accessibility.py, or to NOT_PAGES:\n" + (
        "\n".join(missing)
    )
    assert not NOT_PAGES.keys() - answered, "NOT_PAGES names endpoints that are gone"
    assert not NOT_PAGES.keys() & listed.keys(), "a page is listed and said not to be one"


def test_a_listed_path_that_is_no_route_fails():
    from flask import Flask
    from werkzeug.exceptions import NotFound

    app = Flask(__name__)
    app.add_url_rule("/known/<int:number>", "known", lambda number: "")
    assert endpoints(["/known/{anything}?lang=es"], app) == {"known": "/known/{anything}?lang=es"}
    try:
        endpoints(["/unknown"], app)
    except NotFound:
        return
    raise AssertionError("an unknown path was matched")
