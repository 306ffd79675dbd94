"""The Know Your Rights page prints on one sheet, Letter or A4, in English and Spanish: only
the text, with the helplines' web addresses printed (a PDF printed by headless Chromium,
read back with pypdf)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from campaign.campaigns import demo
from campaign.campaigns.demo_documents import HELPLINES
from campaign.extensions import db

pytestmark = pytest.mark.browser


def printed(browser, url: str, paper: str) -> list[str]:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        reader = PdfReader(io.BytesIO(page.pdf(format=paper, print_background=False)))
        return [sheet.extract_text() for sheet in reader.pages]
    finally:
        context.close()


@pytest.mark.parametrize("paper", ["Letter", "A4"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_demo_campaign_rights_page_prints_on_one_sheet(app, live_server, browser, language, paper):
    campaign = demo.seed()
    db.session.commit()
    sheets = printed(browser, f"{live_server}/c/{campaign.slug}/rights?lang={language}", paper)
    assert len(sheets) == 1
    text = " ".join(sheets[0].split())
    heading = "Sus derechos en el condado de Brown" if language == "es" else "Your rights in Brown County"
    assert heading in text
    for helpline in HELPLINES:
        assert helpline["name"] in text and helpline["phone"] in text
    assert "https://legal-aid.example.org" in text
    assert "Organizer login" not in text and "Iniciar sesión" not in text  # the header is not printed
    assert "Español" not in text  # nor the language switcher


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_general_rights_page_prints_on_one_sheet(app, live_server, browser, language):
    sheets = printed(browser, f"{live_server}/know-your-rights?lang={language}", "Letter")
    assert len(sheets) == 1
    assert "I-200" in sheets[0]
