"""Signing a petition: the form, the confirmation link, the duplicate case, bad input."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from sqlalchemy import func, select

from campaign.extensions import db
from campaign.people.models import Person
from campaign.petitions import counts, services
from campaign.petitions.models import FieldRule, PetitionStatus, Signature, SignatureStatus
from tests.petitions.helpers import GOOD, confirmation_link, count_signatures, mails_to


def sign(client, petition, **fields):
    return client.post(f"/p/{petition.slug}", data=GOOD | fields)


def test_sign_then_confirm_through_the_mailed_link(client, make_petition):
    petition = make_petition()
    response = sign(client, petition, comment="Por mis vecinos", show_publicly="y")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/p/{petition.slug}/thanks")

    signature = db.session.scalar(select(Signature))
    assert signature.status is SignatureStatus.PENDING
    assert (signature.first_name, signature.county_fips, signature.city) == ("María", "55009", "Green Bay")
    assert signature.comment == "Por mis vecinos" and signature.show_publicly and not signature.email_updates
    assert "[x] Show my first name, last initial and county on the petition page." in signature.consent_text
    assert "[ ] Email me about this campaign." in signature.consent_text
    assert signature.consented_at is not None
    assert signature.ip_hash and "127.0.0.1" not in signature.ip_hash

    [mail] = mails_to("maria@example.org")
    assert mail.subject == f"Confirm your signature: {petition.title}"
    link = confirmation_link(mail)

    # Opening the link (as a mail scanner would) changes nothing.
    page = client.get(link)
    assert page.status_code == 200 and "Confirm my signature" in page.get_data(as_text=True)
    db.session.refresh(signature)
    assert signature.status is SignatureStatus.PENDING

    done = client.post(link)
    assert done.status_code == 200
    assert "your signature is confirmed" in done.get_data(as_text=True)
    db.session.refresh(signature)
    assert signature.status is SignatureStatus.CONFIRMED and signature.confirmed_at is not None

    counts.refresh_counts(petition.id)
    db.session.commit()
    shown = client.get(f"/p/{petition.slug}").get_data(as_text=True)
    assert "<strong>1</strong>" in shown
    assert "María G., Brown County, WI" in shown
    assert "maria@example.org" not in shown


def test_public_page_counts_only_confirmed_and_hides_private_fields(client, make_petition):
    petition = make_petition(phone_rule=FieldRule.REQUIRED, address_rule=FieldRule.REQUIRED)
    sign(client, petition, phone="(920) 555-0100", street_address="100 Main St", show_publicly="y")
    counts.refresh_counts(petition.id)
    db.session.commit()
    text = client.get(f"/p/{petition.slug}").get_data(as_text=True)
    assert "<strong>0</strong>" in text
    for private in ("555-0100", "100 Main St", "maria@example.org", "María G."):
        assert private not in text


def test_repeat_signature_answers_alike_and_stays_one_row(client, make_petition):
    """Another name from another ZIP code is no household member (people/test_households.py):
    it is a repeat the mailbox has to approve."""
    petition = make_petition()
    first = sign(client, petition)
    again = sign(client, petition, email="Maria+again@Example.org", first_name="Mary", zip_code="54302")
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert count_signatures() == 1
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1
    assert db.session.scalar(select(Signature.first_name)) == "María", "a repeat changes nothing before its link"
    _first_mail, repeat_mail = mails_to("maria@example.org")
    assert not mails_to("maria+again@example.org"), "the link goes to the person's address, not this spelling"

    link = confirmation_link(repeat_mail)
    client.post(link)
    assert db.session.scalar(select(Signature.first_name)) == "Mary", "the link the mailbox used says Mary"
    third = sign(client, petition)
    assert third.status_code == 303
    [*_, last] = mails_to("maria@example.org")
    assert last.subject.startswith("You have already signed")
    assert count_signatures() == 1


def test_spellings_of_one_mailbox_share_its_cap_on_mail(client, make_petition):
    """Spellings with a "+tag" or Gmail dots reach one mailbox: they must not each get the cap's
    worth of mail (an attacker would flood it), and a "+tag" address that is in fact another
    mailbox must not receive the link that changes this person's signature."""
    petition = make_petition()
    spellings = ["maria@example.org"] + [f"Maria+{number}@Example.org" for number in range(8)]
    for spelling in spellings:
        assert sign(client, petition, email=spelling).status_code == 303
    assert len(mails_to("maria@example.org")) == 5  # OUTBOX_RECIPIENT_LIMIT
    assert not any(mails_to(f"maria+{number}@example.org") for number in range(8))


def test_a_lost_email_is_replaced_by_signing_again(client, make_petition):
    petition = make_petition()
    sign(client, petition)
    sign(client, petition)
    first, second = mails_to("maria@example.org")
    assert client.post(confirmation_link(second)).status_code == 200
    assert client.post(confirmation_link(first)).status_code == 200  # both links work: same signature
    assert db.session.scalar(select(Signature.status)) is SignatureStatus.CONFIRMED


def test_concurrent_submissions_make_one_signature(make_app, make_petition, engine_name):
    """Ten requests from the same person at the same moment: one Person, one Signature."""
    slug = make_petition().slug
    app = make_app()
    barrier = threading.Barrier(10)
    statuses: list[int] = []

    def submit():
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post(f"/p/{slug}", data=GOOD).status_code)

    threads = [threading.Thread(target=submit) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.expire_all()
    assert statuses == [303] * 10
    assert count_signatures() == 1
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"first_name": ""}, "first_name", "This field is required."),
        ({"last_name": "   "}, "last_name", "This field is required."),
        ({"first_name": "x" * 101}, "first_name", "Field cannot be longer than 100 characters."),
        ({"email": "maria@"}, "email", "Enter a valid email address"),
        ({"zip_code": "5430"}, "zip_code", "Enter a 5-digit ZIP code."),
        ({"zip_code": "00000"}, "zip_code", "We don&#39;t know the ZIP code 00000"),
        ({"county": "17031"}, "county", "Cook County, IL is not in WI"),
        ({"county": "99999"}, "county", "No county has the FIPS code 99999"),
        ({"comment": "x" * 1001}, "comment", "Field cannot be longer than 1000 characters."),
    ],
)
def test_bad_input_is_shown_beside_its_field_and_writes_nothing(client, make_petition, fields, field_id, message):
    petition = make_petition()
    response = sign(client, petition, **fields)
    assert 400 <= response.status_code < 500
    text = response.get_data(as_text=True)
    error = text[text.index(f'id="{field_id}-error"') :][:300]
    assert message in error
    assert count_signatures() == 0
    assert mails_to("maria@example.org") == []


def test_required_address_and_phone(client, make_petition):
    petition = make_petition(address_rule=FieldRule.REQUIRED, phone_rule=FieldRule.REQUIRED)
    response = sign(client, petition)
    assert response.status_code == 422
    assert count_signatures() == 0
    response = sign(client, petition, street_address="1 Main St", phone="not a phone")
    assert 'id="phone-error"' in response.get_data(as_text=True)
    assert sign(client, petition, street_address="1 Main St", phone="920-555-0100").status_code == 303


def test_markup_is_stored_as_text_and_shown_escaped(client, make_petition):
    petition = make_petition()
    sign(client, petition, first_name="<script>alert(1)</script>", comment="<b>hi</b>", show_publicly="y")
    signature = db.session.scalar(select(Signature))
    assert signature.first_name == "<script>alert(1)</script>"
    client.post(confirmation_link(mails_to("maria@example.org")[0]))
    counts.refresh_counts(petition.id)
    db.session.commit()
    text = client.get(f"/p/{petition.slug}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; G." in text


def test_honeypot_is_refused_and_writes_nothing(client, make_petition):
    petition = make_petition()
    response = sign(client, petition, website="http://spam.example")
    assert response.status_code == 400
    assert "looks automated" in response.get_data(as_text=True)
    assert count_signatures() == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},  # a sandboxed frame or a data: page
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://localhost"},  # a sibling subdomain
    ],
)
def test_a_forged_cross_site_signature_is_refused(app, client, make_petition, headers):
    petition = make_petition()
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/p/{petition.slug}", data=GOOD, headers=headers)
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)
    assert count_signatures() == 0
    assert mails_to(GOOD["email"]) == []


def test_a_signature_from_the_cached_page_needs_no_session_token(app, client, make_petition):
    """The page is the same for everyone (no token, no cookie); the browser's own word that
    the form came from this site is the CSRF check."""
    petition = make_petition()
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(f"/p/{petition.slug}")
    assert "csrf_token" not in page.get_data(as_text=True)
    assert "Set-Cookie" not in page.headers
    headers = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    assert client.post(f"/p/{petition.slug}", data=GOOD, headers=headers).status_code == 303
    assert count_signatures() == 1


def test_zip_spanning_states_list_lets_the_signer_pick_a_county(client, make_petition):
    petition = make_petition()
    response = sign(client, petition, zip_code="15439")  # listed in a county of another state
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Choose your county" in text
    assert '<option value="42051">Fayette County</option>' in text
    assert sign(client, petition, zip_code="15439", county="42051").status_code == 303
    assert db.session.scalar(select(Signature.county_fips)) == "42051"


def test_closed_and_draft_petitions_take_no_signature(client, make_petition):
    closed = make_petition(status=PetitionStatus.CLOSED)
    assert sign(client, closed).status_code == 409
    assert "closed to new signatures" in client.get(f"/p/{closed.slug}").get_data(as_text=True)
    draft = make_petition(status=PetitionStatus.DRAFT)
    assert client.get(f"/p/{draft.slug}").status_code == 404
    assert sign(client, draft).status_code == 404
    assert count_signatures() == 0


def test_forged_or_expired_link_changes_nothing(client, make_petition, monkeypatch):
    petition = make_petition()
    sign(client, petition)
    link = confirmation_link(mails_to("maria@example.org")[0])
    forged = link[:-3] + ("abc" if not link.endswith("abc") else "xyz")
    response = client.post(forged)
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)

    other = make_petition()
    token = link.rsplit("/", 1)[1]
    assert client.post(f"/p/{other.slug}/confirm/{token}").status_code == 400

    monkeypatch.setattr(services, "CONFIRMATION", dataclasses.replace(services.CONFIRMATION, max_age=-1))
    expired = client.post(link)
    assert expired.status_code == 400
    assert "expired" in expired.get_data(as_text=True)
    assert db.session.scalar(select(Signature.status)) is SignatureStatus.PENDING


def test_spanish_flow(client, make_petition):
    petition = make_petition(title="End it", title_es="Terminarlo", ask="Please", ask_es="Por favor")
    page = client.get(f"/p/{petition.slug}?lang=es").get_data(as_text=True)
    assert "Terminarlo" in page and "Firme la petición" in page and "Nombre" in page
    error = sign(client, petition, zip_code="12")
    assert "Escriba un código postal de 5 dígitos." in error.get_data(as_text=True)
    sign(client, petition)
    [mail] = mails_to("maria@example.org")
    assert mail.subject == "Confirme su firma: Terminarlo"
    signature = db.session.scalar(select(Signature))
    assert signature.locale == "es"
    assert "[ ] Envíenme correos sobre esta campaña." in signature.consent_text
    done = client.post(confirmation_link(mail))
    assert "su firma está confirmada" in done.get_data(as_text=True)


def test_rate_limit_lets_a_room_sign_and_stops_a_script(make_app, make_petition):
    petition = make_petition()
    app = make_app(SIGN_RATE_LIMIT="60 per 10 minutes")
    client = app.test_client()
    # Typos do not use up the room's allowance.
    for _ in range(5):
        assert client.post(f"/p/{petition.slug}", data=GOOD | {"zip_code": "1"}).status_code == 422
    for number in range(60):
        data = GOOD | {"email": f"person{number}@example.org"}
        assert client.post(f"/p/{petition.slug}", data=data).status_code == 303
    over = client.post(f"/p/{petition.slug}", data=GOOD | {"email": "late@example.org"})
    assert over.status_code == 429
    assert "too many requests" in over.get_data(as_text=True).lower()
    assert count_signatures() == 60


def test_details_the_petition_does_not_ask_for_are_not_kept(client, make_petition):
    petition = make_petition(address_rule=FieldRule.OFF, phone_rule=FieldRule.OFF)
    page = client.get(f"/p/{petition.slug}").get_data(as_text=True)
    assert 'name="street_address"' not in page and 'name="phone"' not in page
    sign(client, petition, street_address="1 Main St", phone="920-555-0100")
    signature = db.session.scalar(select(Signature))
    assert (signature.street_address, signature.phone) == (None, None)


def test_optional_details_are_offered_and_kept_when_given(client, make_petition):
    petition = make_petition()
    page = client.get(f"/p/{petition.slug}").get_data(as_text=True)
    assert 'name="street_address"' in page and 'name="phone"' in page
    assert sign(client, petition).status_code == 303
    sign(client, petition, email="other@example.org", street_address="1 Main St")
    assert set(db.session.scalars(select(Signature.street_address))) == {None, "1 Main St"}


@pytest.mark.parametrize("counted_before", [True, False])
def test_the_signer_sees_a_total_that_counts_them(client, make_petition, counted_before):
    """The counts are refreshed in batches; the page after Confirm must not lag behind."""
    petition = make_petition()
    for number in range(3):
        sign(client, petition, email=f"n{number}@example.org")
        client.post(confirmation_link(mails_to(f"n{number}@example.org")[0]))
    if counted_before:
        counts.refresh_counts(petition.id, force=True)  # 3 counted; the next one is not
        db.session.commit()
    sign(client, petition)
    done = client.post(confirmation_link(mails_to(GOOD["email"])[0])).get_data(as_text=True)
    shown = 4 if counted_before else 1  # never counted: the last count is 0, plus them
    assert f"{shown} people have signed, you included." in done or (shown == 1 and "1 person has signed" in done)
    counts.refresh_counts(petition.id, force=True)
    db.session.commit()
    again = client.post(confirmation_link(mails_to(GOOD["email"])[0])).get_data(as_text=True)
    assert "4 people have signed, you included." in again  # counted now: not twice


@pytest.mark.parametrize(
    ("field", "value"), [("first_name", "Visit evil.example"), ("last_name", "www.win"), ("first_name", "a@b.co")]
)
def test_a_name_that_carries_a_link_is_refused_beside_the_field(client, make_petition, field, value):
    """The latest signers are shown on the public page and names print in the packet."""
    petition = make_petition()
    response = sign(client, petition, **{field: value})
    assert response.status_code == 422
    assert "Write your name only, without a web or email address." in response.get_data(as_text=True)
    assert count_signatures() == 0 and mails_to(GOOD["email"]) == []
    assert sign(client, petition, first_name="José-María", last_name="O'Neil Jr.").status_code == 303
