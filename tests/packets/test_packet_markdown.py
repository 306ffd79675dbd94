"""The petition's Markdown printed in the packet as the web page shows it, read back from the PDF."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from campaign.campaigns.demo import SUMMARY
from campaign.packets import services
from campaign.petitions.demo import BODY
from tests.packets.test_packets import PEOPLE, add

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

MARKDOWN = """## What the agreement does

Officers serve warrants under the
*Warrant Service Officer* model, and **anyone** booked
can be handed to ICE.

3. Sign the petition.
4. Come to a forum.

- Tell a neighbour
- Read [the agreement](https://www.ice.gov/identify-and-arrest/287g) <b>now</b> & then

> Signing was voluntary.

A [bad link](javascript:alert(1)) and 3 < 4 > 2 and <font size="40">big</font> & <br/>."""


def packet(make_petition, **fields):
    petition = make_petition(counties=(("55009", 10),), **fields)
    for first, last, fips, status, comment in PEOPLE:
        add(petition, first, last, fips, status, comment)
    record = services.request_packet(petition, services.PacketRequest(county_fips=[]))
    services.build(record)
    path = services.packet_dir() / record.file_name
    return path, PdfReader(io.BytesIO(path.read_bytes()))


def petition_page(reader: PdfReader) -> str:
    return reader.pages[1].extract_text()


def test_emphasis_is_printed_without_its_asterisks_and_lines_join_into_one_paragraph(make_petition):
    path, reader = packet(make_petition, title="End the agreement", body=BODY)
    text = petition_page(reader)
    assert "Warrant Service Officer" in text
    assert "*" not in text
    # The sentence wrapped in the source is one paragraph, filled to the page width: the words
    # the source put on separate lines share a printed line.
    assert re.search(r"declined\s+to\s+sign\s+one\.", text)
    assert "declined to" in text or "to sign one." in text
    lines = [line for line in text.splitlines() if line.strip()]
    assert not any(line.strip() in ("declined", "to", "sign one.") for line in lines)
    assert "Warrant Service Officer agreement" in " ".join(lines)


def test_emphasis_is_drawn_in_the_oblique_and_bold_faces(make_petition):
    _path, reader = packet(make_petition, body=MARKDOWN)
    fonts = set()
    for resource in reader.pages[1]["/Resources"]["/Font"].values():
        fonts.add(str(resource.get_object()["/BaseFont"]))
    assert any("DejaVuSans-Oblique" in font for font in fonts)
    assert any("DejaVuSans-Bold" in font for font in fonts)


def test_headings_lists_quotes_and_links_read_as_on_the_web(make_petition):
    path, reader = packet(make_petition, body=MARKDOWN)
    text = petition_page(reader)
    assert "##" not in text and "*" not in text and "> Signing" not in text
    assert "What the agreement does" in text
    assert re.search(r"3\.\s*Sign the petition\.", text) and re.search(r"4\.\s*Come to a forum\.", text)
    assert "•" in text and "Tell a neighbour" in text
    assert "Signing was voluntary." in text
    # A link cannot be followed on paper: its address is printed after its words, and it is
    # still a link in the PDF.
    assert "the agreement (https://www.ice.gov/identify-and-arrest/287g)" in text
    links = [annotation.get_object()["/A"]["/URI"] for annotation in reader.pages[1].get("/Annots", [])]
    assert links == ["https://www.ice.gov/identify-and-arrest/287g"]
    # Text that looks like markup, the web's or ReportLab's, is printed as typed.
    assert "<b>now</b> & then" in text
    assert '3 < 4 > 2 and <font size="40">big</font> & <br/>.' in text
    assert "bad link" in text and "javascript" in text  # refused as a link, kept as words


def test_the_ask_is_one_paragraph_as_on_the_web(make_petition):
    _path, reader = packet(make_petition, ask="We call on the Board\nto end\nthe agreement.")
    lines = [line.strip() for line in petition_page(reader).splitlines()]
    assert "We call on the Board to end the agreement." in lines


def test_a_long_body_flows_over_pages_without_losing_words(make_petition):
    paragraphs = [f"Paragraph {number} says *something* worth reading twice over." * 4 for number in range(80)]
    _path, reader = packet(make_petition, body="\n\n".join(paragraphs))
    text = "".join(page.extract_text() for page in reader.pages)
    assert all(f"Paragraph {number} says" in text for number in range(80))
    assert "Summary" in text and "Certification" in text


def test_a_petition_named_like_its_campaign_is_not_repeated_in_the_header(make_petition, make_campaign):
    campaign = make_campaign(title="End 287(g) in Brown County")
    _path, reader = packet(make_petition, campaign=campaign, title="End 287(g) in Brown County")
    header = reader.pages[1].extract_text().splitlines()[0]
    assert header == "End 287(g) in Brown County"


def test_the_header_names_campaign_and_petition_when_they_differ(make_petition, make_campaign):
    campaign = make_campaign(title="Brown County campaign")
    _path, reader = packet(make_petition, campaign=campaign, title="End 287(g) in Brown County")
    assert reader.pages[1].extract_text().splitlines()[0] == "Brown County campaign — End 287(g) in Brown County"


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm is missing: run `make browser-deps`")
def test_the_petition_page_renders_to_an_image_to_look_at(make_petition):
    path, _reader = packet(make_petition, title="End the agreement", body=SUMMARY + "\n\n" + MARKDOWN)
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "packet-petition-page"
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "2", "-l", "2", str(path), str(target)], check=True)
    assert list(ARTIFACTS.glob("packet-petition-page*.png"))
