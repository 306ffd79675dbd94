"""A signer on a phone, in Spanish: signs, takes the link from the mail that a real SMTP
server received, confirms, and sees the signature counted; then commits to the campaign's
pledge, confirms that from the mail too, and reports having done it."""

from __future__ import annotations

import re
from email.header import decode_header, make_header
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from campaign.extensions import db
from campaign.petitions import counts
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def app(smtp_app):
    """The live server sends its mail to the loopback SMTP server."""
    return smtp_app


def mailed_link(message, kind: str) -> str:
    body = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    return re.search(rf"https?://\S+/{kind}/\S+", body.get_payload(decode=True).decode()).group(0)


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_sign_on_a_phone_in_spanish_and_confirm_from_the_mail(
    app, make_petition, make_pledge, live_server, phone, smtp_server
):
    petition = make_petition(title="End it", title_es="Terminen el acuerdo", ask="Please.", ask_es="Por favor.")
    slug = petition.slug
    pledge = make_pledge(
        campaign=petition.campaign,
        title="Fill the room",
        title_es="Llenemos la sala",
        action="I will attend the County Board meeting.",
        action_es="Asistiré a la reunión de la Junta del Condado.",
        threshold=1,
    )

    phone.goto(f"{live_server}/p/{slug}?lang=es")
    assert phone.get_by_role("heading", level=1).inner_text() == "Terminen el acuerdo"
    phone.get_by_label("Nombre", exact=True).fill("María José")
    phone.get_by_label("Apellido", exact=True).fill("Núñez")
    phone.get_by_label("Correo electrónico").fill("maria.jose@example.org")
    phone.get_by_label("Código postal").fill("54301")
    phone.get_by_label("Mostrar mi nombre").check()
    screenshot(phone, "petition-sign-es-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_role("button", name="Firmar").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Revise su correo electrónico", use_inner_text=True)
    [mail] = smtp_server.messages
    assert mail["X-Envelope-To"] == "maria.jose@example.org"
    assert subject(mail) == "Confirme su firma: Terminen el acuerdo"
    link = mailed_link(mail, "confirm")

    phone.goto(live_server + urlsplit(link).path)
    phone.get_by_role("button", name="Confirmar mi firma").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("su firma está confirmada", use_inner_text=True)
    screenshot(phone, "petition-confirmed-es-phone")

    counts.refresh_counts(petition.id, force=True)  # the batch job, without waiting for it
    db.session.commit()
    phone.goto(f"{live_server}/p/{slug}")
    assert phone.locator(".count strong").inner_text() == "1"
    assert "María José N., Brown County, WI" in phone.locator(".recent").inner_text()
    assert "maria.jose@example.org" not in phone.content()

    # The pledge step: commit, confirm from the mail, and say "I did it".
    phone.goto(f"{live_server}/pledges/{pledge.slug}")
    assert phone.get_by_role("heading", level=1).inner_text() == "Llenemos la sala"
    assert "Este compromiso cuenta solo si se compromete 1 persona." in phone.locator(".condition").inner_text()
    phone.get_by_label("Nombre", exact=True).fill("María José")
    phone.get_by_label("Apellido", exact=True).fill("Núñez")
    phone.get_by_label("Correo electrónico").fill("maria.jose@example.org")
    phone.get_by_label("Código postal").fill("54301")
    screenshot(phone, "pledge-commit-es-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_role("button", name="Me comprometo").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Revise su correo electrónico", use_inner_text=True)

    confirmation = smtp_server.messages[-1]
    assert subject(confirmation) == "Confirme su compromiso: Llenemos la sala"
    phone.goto(live_server + urlsplit(mailed_link(confirmation, "confirm")).path)
    phone.get_by_role("button", name="Confirmar mi compromiso").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("su compromiso está confirmado", use_inner_text=True)
    [met] = [message for message in smtp_server.messages if subject(message).startswith("¡Lo logramos!")]
    phone.get_by_role("link", name="Lo hice").click()
    phone.get_by_role("button", name="Sí, lo hice").click()
    expect(phone.locator(".lead")).to_contain_text("quedó registrado que lo hizo", use_inner_text=True)
    screenshot(phone, "pledge-done-es-phone")

    phone.goto(f"{live_server}/pledges/{pledge.slug}")
    assert phone.locator(".count strong").inner_text() == "1"
    assert "La condición se cumplió" in phone.content()
    assert "maria.jose@example.org" not in phone.content() and "Núñez" not in phone.content()
