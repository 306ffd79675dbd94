"""The CSV export of a search: organizers only, contact details only when ticked, formulas
neutralised, streamed, erased people left out, one audit event each, and the same from
the command line."""

from __future__ import annotations

import contextvars
import csv
import io

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from campaign.accounts.models import AuditEvent
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.petitions.models import SignatureStatus
from tests.supporters.builders import commit, person, register, sign


@pytest.fixture
def campaign(make_campaign, make_petition, make_pledge, make_forum):
    """One signer of each kind, plus a paper signature with a phone and a street."""
    found = make_campaign()
    petition = make_petition(campaign=found, title="End 287(g) in Brown County")
    sign(petition, person("ana@example.org", "Ana", "Lopez"), referral="lwv-brown", email_updates=True)
    sign(
        petition,
        first_name="Paper",
        last_name="Signer",
        phone="920-555-0100",
        street_address="515 Pine St",
        city="Green Bay",
    )
    commit(make_pledge(campaign=found, title="Attend the meeting"), person("bea@example.org", "Bea", "Cruz"))
    register(make_forum(campaign=found, title="Forum"), person("cruz@example.org", "Cruz", "Diaz"))
    return found


def export_url(campaign, query: str = "") -> str:
    return f"/organize/campaigns/{campaign.slug}/supporters/export{query}"


def post(client, url: str, **kwargs):
    """POST and read the whole body in one context, as a server does. (IsolatedClient gives
    each request a context of its own, and a streamed body read outside it cannot pop it.)
    The response comes back with `streamed` noted before the body was read."""
    context = contextvars.Context()
    response = context.run(FlaskClient.open, client, url, method="POST", **kwargs)
    response.streamed = response.is_streamed
    context.run(response.get_data)
    db.session.expire_all()
    return response


def parsed(response) -> list[dict[str, str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def events() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")))


def test_the_export_is_streamed_csv_with_one_row_per_action(campaign, client, login_as):
    login_as("organizer")
    response = post(client, export_url(campaign))
    assert response.status_code == 200
    assert response.streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert ".csv" in response.headers["Content-Disposition"]
    rows = parsed(response)
    assert [(row["Kind"], row["First name"], row["Action"]) for row in rows] == [
        ("signature", "Ana", "End 287(g) in Brown County"),
        ("signature", "Paper", "End 287(g) in Brown County"),
        ("commitment", "Bea", "Attend the meeting"),
        ("rsvp", "Cruz", "Forum"),
    ]
    ana = rows[0]
    assert ana["ZIP code"] == "54301" and ana["County"] == "Brown County" and ana["State"] == "WI"
    assert ana["Status"] == "confirmed" and ana["Channel"] == "online" and ana["Source"] == "lwv-brown"
    assert ana["Email updates"] == "yes" and ana["Language"] == "en"
    assert ana["Created (UTC)"].endswith("Z")
    assert rows[1]["City"] == "Green Bay"
    # No contact details unless ticked.
    assert {"Email", "Phone", "Street address"}.isdisjoint(rows[0])
    assert "ana@example.org" not in response.get_data(as_text=True)


def test_contact_details_only_when_ticked(campaign, client, login_as):
    login_as("organizer")
    rows = parsed(post(client, export_url(campaign), data={"fields": ["email"]}))
    assert rows[0]["Email"] == "ana@example.org"
    assert "Phone" not in rows[0] and "Street address" not in rows[0]

    rows = parsed(post(client, export_url(campaign), data={"fields": ["phone", "street"]}))
    assert "Email" not in rows[0]
    assert (rows[1]["Phone"], rows[1]["Street address"]) == ("920-555-0100", "515 Pine St")
    assert rows[2]["Phone"] == ""  # commitments have no phone


def test_a_formula_in_a_name_is_neutralised(campaign, client, login_as):
    sign(campaign.petitions[0], first_name='=HYPERLINK("http://x","y")', last_name="-2+3")
    login_as("organizer")
    rows = parsed(post(client, export_url(campaign, "?q=hyperlink")))
    assert [(row["First name"], row["Last name"]) for row in rows] == [('\'=HYPERLINK("http://x","y")', "'-2+3")]


def test_one_audit_event_with_the_filter_fields_and_row_count(campaign, client, login_as):
    organizer = login_as("organizer")
    petition = campaign.petitions[0]
    response = post(
        client, export_url(campaign, f"?action=petition:{petition.slug}&status=active"), data={"fields": ["email"]}
    )
    assert len(parsed(response)) == 2
    [event] = events()
    assert event.user_id == organizer.id
    assert event.details == {
        "campaign": campaign.slug,
        "filter": {"action": f"petition:{petition.slug}", "status": "active"},
        "fields": ["email"],
        "rows": 2,
    }
    assert "ana" not in str(event.details).lower()


@pytest.mark.parametrize(
    ("q", "audited"),
    [("Ana Lo", "<name>"), ("ana@example.org", "<email>"), ("920 555 0100", "<phone>"), ("54301", "54301")],
)
def test_the_audit_keeps_what_was_searched_by_never_the_supporters_details(campaign, client, login_as, q, audited):
    login_as("organizer")
    assert post(client, export_url(campaign), query_string={"q": q}).status_code == 200
    [event] = events()
    assert event.details["filter"] == {"q": audited}


def test_erased_people_and_anonymised_rows_are_left_out(campaign, client, login_as):
    petition = campaign.petitions[0]
    gone = person("gone@example.org", "Gone", "Person")
    sign(petition, gone)
    gone.erased_at = utcnow()
    sign(petition, first_name="Anonymised", last_name="Row").anonymised_at = utcnow()
    campaign.forums[0].rsvps[0].anonymised_at = utcnow()  # Cruz's RSVP
    db.session.commit()
    login_as("organizer")
    rows = parsed(post(client, export_url(campaign)))
    assert [row["First name"] for row in rows] == ["Ana", "Paper", "Bea"]
    assert events()[0].details["rows"] == 3


def test_the_export_page_shows_the_filter_and_the_count(campaign, client, login_as):
    login_as("organizer")
    text = client.get(export_url(campaign, "?status=active&county=55009")).get_data(as_text=True)
    assert "Status: Active" in text and "County: Brown County, WI" in text
    assert "4 rows will be exported." in text
    assert 'name="fields" type="checkbox" value="email"' in text or 'value="email"' in text
    assert events() == []  # looking writes nothing


def test_viewers_get_a_403_with_a_message_and_nothing_is_audited(campaign, client, login_as):
    login_as("viewer")
    for response in (client.get(export_url(campaign)), post(client, export_url(campaign), data={"fields": ["email"]})):
        assert response.status_code == 403
        assert "Viewers cannot export supporters" in response.get_data(as_text=True)
    assert events() == []


@pytest.mark.parametrize(
    ("query", "data", "message"),
    [
        ("?foo=1", {}, "foo is not a filter"),
        ("?page=2", {}, "page is not a filter"),
        ("?since=yesterday", {}, "YYYY-MM-DD"),
        ("", {"fields": ["ssn"]}, "Only email, phone and street address"),
        ("", {"fields": ["email", "ssn"]}, "Only email, phone and street address"),
    ],
)
def test_a_filter_or_field_that_is_not_allowed_is_a_400_and_nothing_is_audited(
    campaign, client, login_as, query, data, message
):
    login_as("organizer")
    response = post(client, export_url(campaign, query), data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert events() == []


def test_an_unknown_action_is_a_404(campaign, client, login_as, make_petition):
    login_as("organizer")
    assert post(client, export_url(campaign, f"?action=petition:{make_petition().slug}")).status_code == 404
    assert events() == []


def test_organizer_pages_link_to_the_export_of_their_action(campaign, client, login_as):
    login_as("organizer")
    petition, pledge, forum = campaign.petitions[0], campaign.pledges[0], campaign.forums[0]
    for page, key in (
        (f"/organize/petitions/{petition.slug}/signatures", f"petition:{petition.slug}"),
        (f"/organize/pledges/{pledge.slug}", f"pledge:{pledge.slug}"),
        (f"/organize/forums/{forum.slug}", f"forum:{forum.slug}"),
    ):
        text = client.get(page).get_data(as_text=True)
        assert f'href="{export_url(campaign, f"?action={key}")}"' in text, page


# --- the command line -----------------------------------------------------------------------


def test_the_command_writes_the_petitions_file_and_audits_it(campaign, runner, tmp_path):
    petition = campaign.petitions[0]
    sign(petition, first_name="Waiting", last_name="Signer", status=SignatureStatus.PENDING)
    target = tmp_path / "signers.csv"
    result = runner.invoke(args=["signatures", "export", petition.slug, "-o", str(target), "--with-email"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"3 rows written to {target}"
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert [row["First name"] for row in rows] == ["Ana", "Paper", "Waiting"]
    assert rows[0]["Email"] == "ana@example.org" and "Phone" not in rows[0]
    [event] = events()
    assert event.user_id is None
    assert event.details == {
        "campaign": campaign.slug,
        "filter": {"action": f"petition:{petition.slug}"},
        "fields": ["email"],
        "rows": 3,
        "via": "cli",
    }


def test_the_command_filters_by_status(campaign, runner, tmp_path):
    petition = campaign.petitions[0]
    sign(petition, first_name="Waiting", last_name="Signer", status=SignatureStatus.PENDING)
    target = tmp_path / "pending.csv"
    result = runner.invoke(args=["signatures", "export", petition.slug, "-o", str(target), "--status", "pending"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert [row["First name"] for row in rows] == ["Waiting"]


@pytest.mark.parametrize("slug", ["no-such-petition", "Not A Slug!"])
def test_the_command_refuses_an_unknown_petition_in_one_line(app, runner, tmp_path, slug):
    target = tmp_path / "none.csv"
    result = runner.invoke(args=["signatures", "export", slug, "-o", str(target)])
    assert result.exit_code != 0
    assert len(result.output.strip().splitlines()) == 1 and "Error:" in result.output
    assert not target.exists()
    assert events() == []


def test_the_command_reports_a_file_it_cannot_write(campaign, runner, tmp_path):
    target = tmp_path / "missing-folder" / "file.csv"
    result = runner.invoke(args=["signatures", "export", campaign.petitions[0].slug, "-o", str(target)])
    assert result.exit_code != 0 and "No such file or directory" in result.output
    assert events() == []
