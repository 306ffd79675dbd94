"""The audit log: what admins see and export at /organize/audit, and the event each sensitive
action leaves there (once, by whom, and never with a supporter's details)."""

from __future__ import annotations

import csv
import getpass
import io
import json
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from campaign.accounts import services
from campaign.accounts.audit import action_label
from campaign.accounts.models import AuditEvent, Role, User
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.petitions import services as petition_services
from campaign.petitions.models import PaperImport
from tests.accounts.helpers import PASSWORD
from tests.hostile.kit import read_page


def add_event(user: User | None, action: str, at: datetime, **details) -> AuditEvent:
    event = AuditEvent(user=user, action=action, details=details, created_at=at)
    db.session.add(event)
    db.session.commit()
    return event


def events(action: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))


def event_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def table_rows(html: str) -> list[str]:
    """The text of the log's body rows, tags stripped, in page order."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = body.split("<tr>")[1:]
    return [" ".join(_strip_tags(row).split()) for row in rows]


def _strip_tags(html: str) -> str:
    out, inside = [], False
    for char in html:
        if char == "<":
            inside = True
        elif char == ">":
            inside = False
            out.append(" ")
        elif not inside:
            out.append(char)
    return "".join(out)


@pytest.fixture
def admin(login_as):
    admin = login_as("admin")
    admin.name = "Ada Admin"
    db.session.commit()
    return admin


@pytest.fixture
def history(admin, make_user):
    """Five days: two logins, a packet, a refused login by nobody, an action without a label."""
    ana = make_user(Role.ORGANIZER, email="ana@example.org")
    ana.name = "Ana Ruiz"
    db.session.commit()
    db.session.execute(db.delete(AuditEvent))  # the user_created events of the fixtures
    db.session.commit()
    day = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    add_event(ana, "login", day)
    add_event(ana, "packet_requested", day + timedelta(days=1), packet="ABC123", petition="brown")
    add_event(None, "login_failed", day + timedelta(days=1, hours=1), reason="unknown_email", failures=1)
    add_event(admin, "login", day + timedelta(days=3))
    add_event(ana, "someone_elses_new_action", day + timedelta(days=4), count=2)
    return ana


# --- the page ----------------------------------------------------------------------------------


def test_admin_sees_the_log_newest_first_with_labels_and_details(client, history):
    response = client.get("/organize/audit")
    assert response.status_code == 200
    rows = table_rows(response.get_data(as_text=True))
    assert len(rows) == 5
    assert rows[0].endswith("Ana Ruiz ana@example.org someone_elses_new_action count: 2")  # unknown: the raw code
    assert "Ada Admin" in rows[1] and "Logged in" in rows[1]
    assert "No account Login refused failures: 1 reason: unknown_email" in rows[2]
    assert "Signature packet built packet: ABC123 petition: brown" in rows[3]
    assert "11/2/26, 3:00" in rows[4] and "Logged in" in rows[4]  # the organizers' clock, UTC here
    assert '<time datetime="2026-11-02T15:00:00+00:00">' in response.get_data(as_text=True)


def test_filter_by_who(client, history):
    rows = table_rows(client.get(f"/organize/audit?user={history.id}").get_data(as_text=True))
    assert len(rows) == 3 and all("Ana Ruiz" in row for row in rows)


def test_filter_by_what(client, history):
    html = client.get("/organize/audit?action=login").get_data(as_text=True)
    rows = table_rows(html)
    assert len(rows) == 2 and all("Logged in" in row for row in rows)
    filters = next(form for form in read_page("/organize/audit", html).forms if form.method == "get")
    what = next(field for field in filters.fields if field.name == "action")
    # The choices are the actions in the log, each once.
    assert what.options == ["", "login", "login_failed", "packet_requested", "someone_elses_new_action"]


def test_filter_by_days_both_included(client, history):
    rows = table_rows(client.get("/organize/audit?since=2026-11-03&until=2026-11-05").get_data(as_text=True))
    assert [row.split(" ", 3)[0] for row in rows] == ["11/5/26,", "11/3/26,", "11/3/26,"]
    assert ["Ada Admin" in rows[0], "Login refused" in rows[1], "Signature packet built" in rows[2]] == [True] * 3


def test_filters_combine_and_say_when_nothing_matches(client, history):
    html = client.get(f"/organize/audit?user={history.id}&action=login&since=2026-11-03").get_data(as_text=True)
    assert table_rows(html) == ["No event matches."]


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("user=999999", "user", "Not a valid choice"),
        ("user=%EF%BC%91", "user", "Not a valid choice"),  # a fullwidth digit one
        ("action=made_up", "action", "Not a valid choice"),
        ("since=2026-13-45", "since", "Enter a day from 2000 to 2999 written as 2026-11-21."),
        ("since=%EF%BC%92026-01-01", "since", "Enter a day from 2000 to 2999 written as 2026-11-21."),
        ("until=0001-01-01", "until", "Enter a day from 2000 to 2999 written as 2026-11-21."),
        ("since=2026-11-05&until=2026-11-01", "until", "The last day comes before the first one."),
    ],
    ids=["unknown-user", "fullwidth-user", "unknown-action", "no-such-day", "fullwidth-day", "year-1", "reversed"],
)
def test_a_bad_filter_is_422_with_its_message_beside_the_field(client, history, query, field, message):
    before = event_count()
    response = client.get(f"/organize/audit?{query}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert "<tbody>" not in html  # no list under a filter that could not be applied
    assert event_count() == before


def test_pages_of_100(client, admin):
    start = datetime(2026, 11, 1, tzinfo=UTC)
    db.session.add_all(
        AuditEvent(user=admin, action="login", details={"n": n}, created_at=start + timedelta(minutes=n))
        for n in range(150)
    )
    db.session.commit()
    first = table_rows(client.get("/organize/audit?action=login").get_data(as_text=True))
    second_html = client.get("/organize/audit?action=login&page=2").get_data(as_text=True)
    second = table_rows(second_html)
    assert len(first) == 100 and first[0].endswith("n: 149")
    assert len(second) == 50 and second[-1].endswith("n: 0")
    assert 'rel="prev"' in second_html and 'rel="next"' not in second_html
    assert client.get("/organize/audit?page=0").status_code == 404


@pytest.mark.parametrize("role", ["organizer", "viewer"])
def test_organizers_and_viewers_get_403(client, login_as, role):
    login_as(role)
    assert client.get("/organize/audit").status_code == 403
    assert client.post("/organize/audit/export").status_code == 403
    assert events("audit_exported") == []


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get("/organize/audit").status_code == 302
    assert client.post("/organize/audit/export").status_code == 302


def test_the_organizer_home_links_the_log_for_admins_only(client, login_as):
    login_as("organizer")
    assert "/organize/audit" not in client.get("/organize/").get_data(as_text=True)
    login_as("admin")
    assert 'href="/organize/audit"' in client.get("/organize/").get_data(as_text=True)


# --- the export ------------------------------------------------------------------------------


def export(client, query: str = ""):
    return client.post(f"/organize/audit/export{'?' + query if query else ''}", buffered=True)


def parsed(response) -> list[dict]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_export_is_the_filtered_log_as_csv_and_is_logged_once(client, history, admin):
    response = export(client, f"user={history.id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-log-')
    rows = parsed(response)
    assert [row["action"] for row in rows] == ["someone_elses_new_action", "packet_requested", "login"]
    assert rows[1] | {"details": json.loads(rows[1]["details"])} == {
        "time_utc": "2026-11-03T15:00:00Z",
        "user_id": str(history.id),
        "user_name": "Ana Ruiz",
        "user_email": "ana@example.org",
        "action": "packet_requested",
        "action_label": "Signature packet built",
        "details": {"packet": "ABC123", "petition": "brown"},
    }
    logged = events("audit_exported")
    assert len(logged) == 1
    assert (logged[0].user_id, logged[0].details) == (admin.id, {"filter": {"user": str(history.id)}, "rows": 3})
    # It shows in the log, and the next export holds the first one, not itself.
    assert "Audit log exported" in client.get("/organize/audit").get_data(as_text=True)
    again = parsed(export(client, "action=audit_exported"))
    assert len(again) == 1 and json.loads(again[0]["details"])["rows"] == 3
    assert len(events("audit_exported")) == 2


def test_export_neutralises_formulas(client, admin, make_user):
    mallory = make_user(Role.ORGANIZER, email="mallory@example.org")
    mallory.name = '=HYPERLINK("http://x","y")'
    db.session.commit()
    add_event(mallory, "petition_saved", datetime(2026, 11, 2, tzinfo=UTC), petition="=cmd|' /C calc'!A0")
    row = parsed(export(client, "action=petition_saved"))[0]
    assert row["user_name"] == '\'=HYPERLINK("http://x","y")'  # shown as text, never run
    assert row["details"][0] not in "=+-@\t\r"
    assert json.loads(row["details"]) == {"petition": "=cmd|' /C calc'!A0"}  # the value kept whole


def test_export_with_a_bad_filter_is_422_and_writes_nothing(client, history):
    before = event_count()
    response = export(client, "since=yesterday")
    assert response.status_code == 422
    assert "Enter a day from 2000 to 2999" in response.get_data(as_text=True)
    assert event_count() == before


def test_export_is_a_post(client, admin):
    assert client.get("/organize/audit/export").status_code == 405
    assert events("audit_exported") == []


def test_export_needs_the_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        user = services.create_user("ada@example.org", PASSWORD, Role.ADMIN)
        services.start_session(user)
        db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
        assert client.post("/organize/audit/export").status_code == 400
        page = client.get("/organize/audit").get_data(as_text=True)
        form = next(form for form in read_page("/organize/audit", page).forms if form.method == "post")
        token = next(field.value for field in form.fields if field.name == "csrf_token")
        done = client.post("/organize/audit/export", data={"csrf_token": token}, buffered=True)
        assert done.status_code == 200
        assert [event.user_id for event in events("audit_exported")] == [user.id]


# --- every sensitive action leaves one event -------------------------------------------------


class EditForm(HTMLParser):
    """What a browser sends for the page's POST form as it stands: checked boxes only, the
    selected options (the first one when none is), textareas without their first newline."""

    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.pairs = action, False, []
        self._select, self._textarea = None, None

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.inside = attributes.get("method") == "post" and attributes.get("action", self.action) == self.action
        elif not self.inside:
            return
        elif tag == "input" and attributes.get("name") and attributes.get("type") not in ("submit", "file"):
            # An empty number box is left out: sent empty, core.forms refuses it (reported).
            if attributes.get("type") == "number" and not attributes.get("value"):
                return
            if attributes.get("type") not in ("checkbox", "radio") or "checked" in attributes:
                default = "on" if attributes.get("type") in ("checkbox", "radio") else ""
                self.pairs.append((attributes["name"], attributes.get("value", default)))
        elif tag == "select":
            self._select = {"name": attributes["name"], "multiple": "multiple" in attributes, "options": []}
        elif tag == "option" and self._select is not None:
            self._select["options"].append((attributes.get("value", ""), "selected" in attributes))
        elif tag == "textarea":
            self._textarea = [attributes["name"], ""]

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._select["options"] if selected]
            if not chosen and not self._select["multiple"] and self._select["options"]:
                chosen = [self._select["options"][0][0]]
            self.pairs += [(self._select["name"], value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self.pairs.append((name, text[2:] if text.startswith("\r\n") else text.removeprefix("\n")))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data


def resave(client, url: str, **changes) -> None:
    """Open an organizer's edit form and send it back with `changes`, as a browser would."""
    reader = EditForm(url)
    reader.feed(client.get(url).get_data(as_text=True))
    pairs = [(name, value) for name, value in reader.pairs if name not in changes] + list(changes.items())
    response = client.post(url, data=MultiDict(pairs))
    assert response.status_code == 302, response.get_data(as_text=True)


SIGNER = {
    "first_name": "Xochitl",
    "last_name": "Quetzalli",
    "email": "xochitl.q@example.org",
    "zip_code": "54301",
    "phone": "(920) 555-0142",
    "street_address": "1234 Quiet Lane",
}
PAPER_SIGNER = ("Yolotzin", "Zacatecas", "yolotzin.z@example.org")


@pytest.fixture
def scene(client, login_as, make_petition, make_forum, make_pledge, make_user):
    """A campaign with a petition (and a supporter who signed it), a pledge, a forum held three
    days ago; an organizer logged in; the audit log emptied."""
    petition = make_petition(slug="brown-petition")
    campaign = petition.campaign
    petition_services.sign(petition, petition_services.SignatureInput(**SIGNER))
    held = (utcnow() - timedelta(days=3)).replace(second=0, microsecond=0)  # to the minute, as the form
    forum = make_forum(campaign=campaign, starts_at=held, ends_at=held + timedelta(hours=2))
    pledge = make_pledge(campaign=campaign)
    organizer = login_as("organizer")
    operator = make_user(Role.ORGANIZER, email="ruth@example.org")
    db.session.execute(db.delete(AuditEvent))
    db.session.commit()
    return {
        "campaign": campaign,
        "petition": petition,
        "forum": forum,
        "pledge": pledge,
        "organizer": organizer,
        "other": operator,
    }


def _campaign_saved(client, runner, scene):
    slug = scene["campaign"].slug
    resave(client, f"/organize/campaigns/{slug}/edit", title="Rescind it now")
    return "campaign_saved", scene["organizer"], {"campaign": slug, "fields": ["title"]}


def _petition_saved(client, runner, scene):
    resave(client, "/organize/petitions/brown-petition/edit", goal="5000")
    return "petition_saved", scene["organizer"], {"petition": "brown-petition", "fields": ["goal"]}


def _pledge_saved(client, runner, scene):
    slug = scene["pledge"].slug
    resave(client, f"/organize/pledges/{slug}/edit", title="We will be there")
    return "pledge_saved", scene["organizer"], {"pledge": slug, "fields": ["title"]}


def _forum_saved(client, runner, scene):
    slug = scene["forum"].slug
    resave(client, f"/organize/forums/{slug}/edit", title="Forum on 287(g)")
    return "forum_saved", scene["organizer"], {"forum": slug, "fields": ["title"]}


def _paper_import(client, runner, scene):
    first, last, email = PAPER_SIGNER
    rows = [["first_name", "last_name", "zip", "email"], [first, last, "54302", email], ["", "Olson", "54115", ""]]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    response = client.post(
        f"/organize/forums/{scene['forum'].slug}/paper/import",
        data={"petition": "brown-petition", "file": (io.BytesIO(buffer.getvalue().encode()), "sheets.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    record = db.session.scalar(select(PaperImport))
    details = {"petition": "brown-petition", "paper_import": record.id, "accepted": 1, "merged": 0, "rejected": 1}
    return "paper_import", scene["organizer"], details


def _role_changed(client, runner, scene):
    result = runner.invoke(args=["accounts", "set-role", "Ruth@example.org", "viewer"])
    assert (result.exit_code, result.output) == (0, "ruth@example.org is now viewer.\n")
    via = f"cli:{getpass.getuser()}"
    return "role_changed", scene["other"], {"role": "viewer", "previous_role": "organizer", "via": via}


def _login(client, runner, scene):
    assert client.post("/login", data={"email": "ruth@example.org", "password": PASSWORD}).status_code == 302
    return "login", scene["other"], {}


@pytest.mark.parametrize(
    "act",
    [_campaign_saved, _petition_saved, _pledge_saved, _forum_saved, _paper_import, _role_changed, _login],
    ids=lambda act: act.__name__.strip("_"),
)
def test_each_sensitive_action_leaves_one_event_without_supporter_data(client, runner, scene, act):
    action, user, details = act(client, runner, scene)
    logged = events()
    assert [event.action for event in logged] == [action]
    assert (logged[0].user_id, logged[0].details) == (user.id, details)
    written = json.dumps(logged[0].details).lower()
    for private in [*SIGNER.values(), *PAPER_SIGNER, "555", "quiet lane"]:
        if private != SIGNER["zip_code"]:
            assert private.lower() not in written
    assert action_label(action) != action  # the viewer has a label for it


def test_a_new_campaign_is_logged_as_created(client, login_as, make_organization):
    organizer = login_as("organizer")
    organization = make_organization()
    response = client.post(
        "/organize/campaigns/new",
        data={"title": "Brown County", "county": "55009", "organization_id": organization.id, "status": "active"},
    )
    assert response.status_code == 302
    assert [(event.action, event.user_id, event.details) for event in events("campaign_saved")] == [
        ("campaign_saved", organizer.id, {"campaign": "brown-county", "created": True})
    ]


def test_a_refused_save_logs_nothing(client, login_as, make_petition):
    login_as("organizer")
    make_petition(slug="taken")
    petition = make_petition(slug="mine")
    resave_url = f"/organize/petitions/{petition.slug}/edit"
    reader = EditForm(resave_url)
    reader.feed(client.get(resave_url).get_data(as_text=True))
    pairs = [(name, "taken" if name == "slug" else value) for name, value in reader.pairs]
    assert client.post(resave_url, data=MultiDict(pairs)).status_code == 409
    assert events("petition_saved") == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["set-role", "nobody@example.org", "admin"], "Error: No account has the email nobody@example.org.\n"),
        (["set-role", "ruth@example.org", "organizer"], "Error: ruth@example.org already has the role organizer.\n"),
        (
            ["deactivate", "ada@example.org"],
            "Error: ada@example.org is the last active admin. Make another admin first.\n",
        ),
        (
            ["set-role", "ada@example.org", "viewer"],
            "Error: ada@example.org is the last active admin. Make another admin first.\n",
        ),
        (["reactivate", "ruth@example.org"], "Error: ruth@example.org is already active.\n"),
    ],
    ids=["unknown", "same-role", "last-admin-off", "last-admin-down", "already-active"],
)
def test_refused_account_changes_print_one_line_and_log_nothing(runner, make_user, args, message):
    make_user(Role.ADMIN, email="ada@example.org")
    make_user(Role.ORGANIZER, email="ruth@example.org")
    before = event_count()
    result = runner.invoke(args=["accounts", *args])
    assert (result.exit_code, result.stderr) == (1, message)
    assert event_count() == before


def test_deactivation_ends_sessions_and_is_logged(runner, make_user):
    make_user(Role.ADMIN, email="ada@example.org")
    ruth = make_user(Role.ORGANIZER, email="ruth@example.org")
    services.start_session(ruth)
    db.session.commit()
    assert (
        runner.invoke(args=["accounts", "deactivate", "ruth@example.org"]).output
        == "ruth@example.org is deactivated.\n"
    )
    with pytest.raises(services.BadCredentials):
        services.authenticate("ruth@example.org", PASSWORD)
    db.session.rollback()
    assert runner.invoke(args=["accounts", "reactivate", "ruth@example.org"]).exit_code == 0
    assert services.authenticate("ruth@example.org", PASSWORD) == ruth
    assert [event.action for event in events() if event.user_id == ruth.id][-3:] == [
        "user_deactivated",
        "user_reactivated",
        "login",
    ]
