"""Signature packets, read back from the PDF as an official would."""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from campaign.accounts.models import AuditEvent
from campaign.core.errors import DomainError, NotFound
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.packets import services
from campaign.packets.fonts import REPLACEMENT, printable
from campaign.packets.layout import WIDTH, wrap
from campaign.packets.models import Packet, PacketStatus
from campaign.people.models import Person
from campaign.petitions.models import Signature, SignatureSource, SignatureStatus

ZIPS = {"55009": ("54301", "Green Bay"), "55087": ("54911", "Appleton"), "27053": ("55401", "Minneapolis")}
PEOPLE = [
    ("Nguyễn", "Văn An", "55009", SignatureStatus.CONFIRMED, "Por mis hijos"),
    ("Łukasz", "Wiśniewski", "55009", SignatureStatus.CONFIRMED, None),
    ("Jürgen", "Müller", "55087", SignatureStatus.CONFIRMED, None),
    ("José", "Núñez", "27053", SignatureStatus.CONFIRMED, None),
    ("Pending", "Person", "55009", SignatureStatus.PENDING, None),
    ("Invalid", "Person", "55009", SignatureStatus.INVALIDATED, None),
]


def add(petition, first, last, fips, status, comment=None, source=SignatureSource.ONLINE, **extra) -> Signature:
    number = db.session.scalar(select(func.count()).select_from(Person)) + 1
    email = f"signer{number}@example.org"
    zip_code, city = ZIPS[fips]
    signature = Signature(
        petition=petition,
        person=Person(email=email, email_normalized=email, first_name=first, last_name=last),
        first_name=first,
        last_name=last,
        zip_code=zip_code,
        city=city,
        county_fips=fips,
        status=status,
        comment=comment,
        source=source,
        phone="(920) 555-0199",
        street_address=f"{number} Main St",
        consent_text="[ ] ...",
        confirmed_at=utcnow() if status is SignatureStatus.CONFIRMED else None,
        **extra,
    )
    db.session.add(signature)
    db.session.commit()
    return signature


@pytest.fixture
def petition(make_petition):
    petition = make_petition(title="End 287(g) in Brown County", counties=(("55009", 10),))
    for first, last, fips, status, comment in PEOPLE:
        add(petition, first, last, fips, status, comment)
    return petition


def build(petition, **request) -> tuple[Packet, bytes, list[str]]:
    packet = services.request_packet(petition, services.PacketRequest(**({"county_fips": []} | request)))
    services.build(packet)
    db.session.commit()
    data = (services.packet_dir() / packet.file_name).read_bytes()
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    return packet, data, pages


def signature_section(pages: list[str]) -> str:
    text = "\n".join(pages)
    first_heading = re.search(r"\n[^\n]+ — \d+ confirmed signatures?\n#", text)
    return text[first_heading.start() : text.index("Certification")]


def test_every_confirmed_signature_once_under_its_county_and_nothing_private(petition):
    packet, data, pages = build(petition)
    text = "\n".join(pages)
    rows = signature_section(pages)
    for first, last, _fips, status, _comment in PEOPLE:
        expected = 1 if status is SignatureStatus.CONFIRMED else 0
        assert rows.count(f"{first} {last}") == expected, (first, last)
    brown = rows[rows.index("Brown County, WI — 2 confirmed signatures") :]
    assert brown.index("Nguyễn Văn An") < brown.index("Hennepin County, MN — 1 confirmed signature\n")
    # The petition's own county first, then by count, then by name.
    assert rows.index("Brown County, WI —") < rows.index("Hennepin") < rows.index("Outagamie")
    assert "Comment: Por mis hijos" in rows
    for private in ("@", "555-0199", "Main St"):
        assert private not in text, private
    assert packet.signature_count == 4
    assert hashlib.sha256(data).hexdigest() == packet.sha256


def test_summary_counts_equal_the_database(petition):
    packet, _data, pages = build(petition)
    summary = next(page for page in pages if "Summary" in page)
    confirmed = db.session.scalar(
        select(func.count()).select_from(Signature).where(Signature.status == SignatureStatus.CONFIRMED)
    )
    assert f"Confirmed signatures: {confirmed}" in summary
    assert "Residents of the counties the petition is about: 2" in summary
    assert "Signed online: 4 · on paper: 0" in summary
    for label, count in [("Brown County, WI", 2), ("Outagamie County, WI", 1), ("Hennepin County, MN", 1)]:
        assert re.search(rf"{re.escape(label)}\s*{count}\b", summary), label
    assert packet.county_counts == [["Brown County, WI", 2], ["Hennepin County, MN", 1], ["Outagamie County, WI", 1]]


def test_summary_says_how_many_came_through_partner_organizations(petition, make_organization):
    from campaign.campaigns.models import ShareLink, ShareTarget

    partner = make_organization(name="Voces de la Frontera")
    for code, organization in [("voces", partner), ("flyer", None)]:
        db.session.add(
            ShareLink(
                campaign=petition.campaign,
                code=code,
                organization=organization,
                target=ShareTarget.PETITION,
                target_slug=petition.slug,
            )
        )
    confirmed = db.session.scalars(
        select(Signature).where(Signature.status == SignatureStatus.CONFIRMED).order_by(Signature.id)
    ).all()
    confirmed[0].referral, confirmed[1].referral, confirmed[2].referral = "voces", "flyer", "unknown"
    db.session.commit()
    _packet, _data, pages = build(petition)
    summary = next(page for page in pages if "Summary" in page)
    assert "Of these, through partner organizations: 1" in summary


def test_pages_are_numbered_x_of_y_and_carry_the_packet_id(petition):
    packet, _data, pages = build(petition)
    for number, text in enumerate(pages, start=1):
        match = re.search(r"Packet (\S+) · page (\d+) of\s*(\d+)", text)
        assert match, number
        assert (match.group(1), int(match.group(2)), int(match.group(3))) == (packet.public_id, number, len(pages))
        assert text.startswith(f"{petition.campaign.title} — End 287(g) in Brown County")
    assert packet.page_count == len(pages)
    assert pages[-1].count("Certification") == 1
    assert f"/packets/verify/{packet.public_id}" in pages[-1].replace("\n", "")


def test_county_filter_addressed_to_one_official_in_spanish(petition, make_official):
    supervisor = make_official(name="Robert Vang", title="Supervisor, District 4")
    packet, _data, pages = build(petition, county_fips=["55087"], official_id=supervisor.id, language="es")
    text = "\n".join(pages)
    assert "Jürgen Müller" in text
    assert "Nguyễn" not in text and "José Núñez" not in text
    assert "Robert Vang, Supervisor, District 4" in pages[0]
    assert "Estimado/a Robert Vang" in pages[0]
    assert re.search(r"Paquete \S+ · página 1 de", pages[0])
    assert packet.signature_count == 1


def test_paper_signatures_are_marked(petition):
    add(petition, "Paper", "Signer", "55009", SignatureStatus.CONFIRMED, source=SignatureSource.PAPER)
    _packet, _data, pages = build(petition)
    rows = signature_section(pages)
    assert re.search(r"Paper Signer .*paper", rows)
    assert "on paper: 1" in "\n".join(pages)


def test_street_addresses_only_when_asked(petition):
    _packet, _data, pages = build(petition, include_address=True)
    text = "\n".join(pages)
    assert "Main St" in text
    assert "@" not in text and "555-0199" not in text


def test_unprintable_characters_are_replaced_visibly(make_petition):
    petition = make_petition()
    add(petition, "Ann\x07e", "中村", "55009", SignatureStatus.CONFIRMED, comment="ok\x1b then")
    _packet, _data, pages = build(petition)
    rows = signature_section(pages)
    assert f"Ann{REPLACEMENT}e {REPLACEMENT}{REPLACEMENT}" in rows
    assert printable("a\u202fb") == "a b"


def test_long_names_and_comments_wrap_within_their_column(make_petition):
    long_name = "Maximiliano " + "Bartholomew-" * 6 + "Hernández"
    assert all(len(line) for line in wrap(long_name, "DejaVuSans", 8, 146))
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from campaign.packets.fonts import register_fonts

    register_fonts()
    for line in wrap(long_name + " " + "x" * 300, "DejaVuSans", 8, 146):
        assert stringWidth(line, "DejaVuSans", 8) <= 146
    petition = make_petition()
    add(petition, long_name, "Smith", "55009", SignatureStatus.CONFIRMED, comment="word " * 250)
    _packet, _data, pages = build(petition)
    rows = signature_section(pages).replace("\n", " ")
    assert "Hernández" in rows and rows.count("word") == 250
    assert WIDTH > 0


def test_refused_requests_write_nothing(make_petition, petition):
    empty = make_petition()
    with pytest.raises(DomainError, match="no confirmed signature yet"):
        services.request_packet(empty, services.PacketRequest([]))
    with pytest.raises(DomainError, match="No confirmed signature comes from the chosen counties"):
        services.request_packet(petition, services.PacketRequest(["55079"]))
    with pytest.raises(NotFound, match="No county has the FIPS code 99999"):
        services.request_packet(petition, services.PacketRequest(["99999"]))
    with pytest.raises(NotFound):
        services.request_packet(petition, services.PacketRequest([], official_id=424242))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Packet)) == 0


def test_cli_builds_and_refuses_with_one_line(runner, petition, tmp_path):
    output = tmp_path / "packet.pdf"
    result = runner.invoke(args=["packets", "build", petition.slug, "-o", str(output), "--county", "55009"])
    assert result.exit_code == 0, result.output
    packet = db.session.scalar(select(Packet))
    assert hashlib.sha256(output.read_bytes()).hexdigest() == packet.sha256
    assert f"sha256 {packet.sha256}" in result.output

    for args in (["no-such-petition"], [petition.slug, "--county", "99999"], [petition.slug, "--county", "55079"]):
        refused = runner.invoke(args=["packets", "build", *args, "-o", str(tmp_path / "x.pdf")])
        assert refused.exit_code == 1
        assert len(refused.output.strip().splitlines()) == 1 and "Traceback" not in refused.output


def test_verify_page_shows_the_packet_and_checks_copies(client, petition):
    packet, data, _pages = build(petition)
    page = client.get(f"/packets/verify/{packet.public_id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert packet.sha256 in text and "Brown County, WI" in text and "End 287(g) in Brown County" in text

    good = client.get(f"/packets/verify/{packet.public_id}?digest={packet.sha256.upper()}")
    assert good.status_code == 200 and "It matches" in good.get_data(as_text=True)
    bad = client.get(f"/packets/verify/{packet.public_id}?digest={'0' * 64}")
    assert bad.status_code == 422 and "It does not match" in bad.get_data(as_text=True)

    uploaded = client.post(
        f"/packets/verify/{packet.public_id}",
        data={"file": (io.BytesIO(data), "packet.pdf")},
        content_type="multipart/form-data",
    )
    assert "It matches" in uploaded.get_data(as_text=True)
    tampered = data.replace(b"Brown County", b"Brown Countx", 1)
    changed = client.post(
        f"/packets/verify/{packet.public_id}",
        data={"file": (io.BytesIO(tampered), "packet.pdf")},
        content_type="multipart/form-data",
    )
    assert changed.status_code == 422 and "It does not match" in changed.get_data(as_text=True)

    unknown = client.get("/packets/verify/NOPE0-NOPE0")
    assert unknown.status_code == 404 and "No packet has the ID" in unknown.get_data(as_text=True)
    assert client.get(f"/packets/verify?id={packet.public_id.lower()}").status_code == 302


def test_organizer_builds_in_the_background_downloads_and_logs_a_delivery(client, login_as, petition, make_official):
    organizer = login_as("organizer")
    sheriff = make_official(name="Dana Kowalski")
    response = client.post(f"/organize/petitions/{petition.slug}/packets", data={"language": "en", "official_id": 0})
    assert response.status_code == 302
    packet = db.session.scalar(select(Packet))
    assert packet.status is PacketStatus.READY, "the eager runner built it after the commit"
    assert packet.built_by_id == organizer.id
    page = client.get(f"/organize/packets/{packet.public_id}").get_data(as_text=True)
    assert packet.sha256 in page and "Download the PDF" in page

    download = client.get(f"/organize/packets/{packet.public_id}/download")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert hashlib.sha256(download.data).hexdigest() == packet.sha256
    actions = Counter(db.session.scalars(select(AuditEvent.action)))
    assert actions["packet_requested"] == 1 and actions["packet_downloaded"] == 1

    future = client.post(
        f"/organize/packets/{packet.public_id}",
        data={"official_id": sheriff.id, "method": "in_person", "delivered_at": "2999-01-01T10:00"},
    )
    assert future.status_code == 422 and "cannot be in the future" in future.get_data(as_text=True)
    logged = client.post(
        f"/organize/packets/{packet.public_id}",
        data={
            "official_id": sheriff.id,
            "method": "at_meeting",
            "delivered_at": "2026-01-15T18:30",
            "notes": "Public comment, 14 speakers",
            "response": "Referred to the Public Safety Committee",
        },
    )
    assert logged.status_code == 302
    page = client.get(f"/organize/packets/{packet.public_id}").get_data(as_text=True)
    assert "Dana Kowalski, Sheriff" in page and "Referred to the Public Safety Committee" in page


def test_filter_matching_nothing_is_shown_on_the_form(client, login_as, petition):
    login_as("organizer")
    response = client.post(
        f"/organize/petitions/{petition.slug}/packets", data={"language": "en", "county_fips": ["55139"]}
    )
    assert response.status_code in (400, 422)
    assert db.session.scalar(select(func.count()).select_from(Packet)) == 0


def test_viewer_cannot_build_or_download(client, login_as, petition):
    login_as("viewer")
    assert client.get(f"/organize/petitions/{petition.slug}/packets").status_code == 200
    assert client.post(f"/organize/petitions/{petition.slug}/packets", data={"language": "en"}).status_code == 403


def test_pages_render_to_png_for_a_person_to_look_at(petition, tmp_path):
    """pdftoppm draws the pages as a reader sees them; the images are kept in test-artifacts/."""
    import shutil
    import subprocess

    from PIL import Image

    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: run `make browser-deps`")
    packet, data, pages = build(petition)
    source = tmp_path / "packet.pdf"
    source.write_bytes(data)
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    prefix = f"packet-{packet.public_id}"
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(source), str(artifacts / prefix)], check=True)
    images = sorted(artifacts.glob(f"{prefix}-*.png"))
    assert len(images) == len(pages)
    for path in images:
        image = Image.open(path).convert("L")
        assert image.size == (510, 660)  # US Letter at 60 dpi
        inked = image.histogram()[:128]
        inked = sum(inked)
        assert inked > 500, f"{path.name} looks blank"


def test_cover_letter_written_by_organizers_is_filled_in(client, login_as, petition):
    login_as("organizer")
    letter = "To {official}: {count} neighbours ask you to act. {unknown} stays as typed.\nThe {organization}"
    response = client.post(
        f"/organize/petitions/{petition.slug}/edit",
        data={
            "title": petition.title,
            "slug": petition.slug,
            "ask": "Please.",
            "status": "open",
            "counties": "55009",
            "cover_letter": letter,
        },
    )
    assert response.status_code == 302
    db.session.refresh(petition)
    _packet, _data, pages = build(petition)
    assert "To Officials: 4 neighbours ask you to act. {unknown} stays as typed." in pages[0]
    assert f"The {petition.campaign.organization.name}" in pages[0]
