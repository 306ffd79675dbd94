"""Campaign documents: a link or a checked file, public ones listed and downloadable, private
ones for organizers only, public-records requests with their due date."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from campaign.campaigns.models import CampaignStatus, Document, DocumentKind, RequestStatus
from campaign.extensions import db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def office_file(main_part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<x/>")
    return buffer.getvalue()


def add(client, campaign, file=None, **fields):
    data = {"title": "Budget 2026", "kind": "budget", "dated": "2026-03-01"} | fields
    if file is not None:
        data["file"] = (io.BytesIO(file[1]), file[0])
    return client.post(
        f"/organize/campaigns/{campaign.slug}/documents/new", data=data, content_type="multipart/form-data"
    )


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Document))


@pytest.fixture
def campaign(make_campaign):
    return make_campaign()


def test_a_link_document_is_listed_on_the_campaign_page_when_public(client, login_as, campaign):
    login_as("organizer")
    assert add(client, campaign, url="https://records.example.org/moa.pdf", public="y").status_code == 303
    assert add(client, campaign, title="Private notes copy", url="https://records.example.org/x").status_code == 303
    client.delete_cookie(client.application.config["SESSION_COOKIE_NAME"])
    page = client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    assert 'href="https://records.example.org/moa.pdf"' in page and "Budget 2026" in page
    assert "Private notes copy" not in page


def test_a_link_or_a_file_is_required_and_not_both(client, login_as, campaign):
    login_as("organizer")
    neither = add(client, campaign)
    assert neither.status_code == 422 and "Give a link to the document or choose its file" in neither.get_data(
        as_text=True
    )
    both = add(client, campaign, file=("budget.pdf", PDF), url="https://example.org/budget.pdf")
    assert both.status_code == 422 and "not both" in both.get_data(as_text=True)
    bad_link = add(client, campaign, url="javascript:alert(1)")
    assert bad_link.status_code == 422 and "https://" in bad_link.get_data(as_text=True)
    assert count() == 0


def test_a_file_is_stored_with_its_digest_and_a_clean_name(client, login_as, campaign):
    login_as("organizer")
    assert add(client, campaign, file=("../../Budget año 2026.pdf", PDF)).status_code == 303
    document = db.session.scalar(select(Document))
    assert document.file_name == "Budget_ano_2026.pdf"
    assert (document.size, document.content_type, document.content) == (len(PDF), "application/pdf", PDF)
    assert len(document.sha256) == 64 and len(document.token) >= 20


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("budget.pdf", b"<html><script>alert(1)</script></html>", "not a real .pdf file"),
        ("budget.pdf", b"%PDF-1.7\n" + b"\x00" * 1_000, "not a real .pdf file"),  # cut short: no %%EOF
        ("photo.png", PDF, "not a real .png file"),
        ("table.xlsx", office_file("word/document.xml"), "not a real .xlsx file"),  # a zip of something else
        ("table.xlsx", b"PK\x03\x04" + b"\x00" * 100, "not a real .xlsx file"),
        ("notes.txt", b"caf\xe9 \x00", "not a real .txt file"),
        ("drawing.svg", b"<svg onload='alert(1)'/>", "not accepted"),
        ("page.html", b"<html></html>", "not accepted"),
        ("noextension", PDF, "not accepted"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused(client, login_as, campaign, name, content, message):
    login_as("organizer")
    response = add(client, campaign, file=(name, content))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count() == 0


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("scan.png", PNG, "image/png"),
        ("photo.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 32, "image/jpeg"),
        ("table.xlsx", office_file("xl/workbook.xml"), "spreadsheetml"),
        ("letter.docx", office_file("word/document.xml"), "wordprocessingml"),
        ("figures.csv", b"county,count\nBrown,12\n", "text/csv"),
        ("notes.txt", b"Solicitud enviada el lunes.", "text/plain"),
    ],
)
def test_accepted_file_types(client, login_as, campaign, name, content, content_type):
    login_as("organizer")
    assert add(client, campaign, file=(name, content)).status_code == 303
    assert content_type in db.session.scalar(select(Document.content_type))


def test_a_file_too_big_is_refused_before_it_is_stored(app, client, login_as, campaign):
    app.config["DOCUMENT_MAX_BYTES"] = 2_000
    login_as("organizer")
    response = add(client, campaign, file=("big.pdf", b"%PDF-1.4\n" + b"x" * 3_000 + b"\n%%EOF"))
    assert response.status_code == 422
    assert "larger than 2.0 kB" in response.get_data(as_text=True)
    assert count() == 0


def test_public_file_downloads_with_safe_headers(client, login_as, campaign):
    login_as("organizer")
    add(client, campaign, file=("budget.pdf", PDF), public="y")
    add(client, campaign, title="Scan", file=("scan.png", PNG), public="y")
    client.delete_cookie(client.application.config["SESSION_COOKIE_NAME"])
    page = client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    pdf, png = db.session.scalars(select(Document).order_by(Document.id))
    url = f"/c/{campaign.slug}/documents/{pdf.token}/budget.pdf"
    assert f'href="{url}"' in page and f"(PDF, {len(PDF)} Bytes)" in page
    response = client.get(url)
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    image = client.get(f"/c/{campaign.slug}/documents/{png.token}/scan.png")
    assert (
        image.headers["Content-Disposition"].startswith("inline")
        and "sandbox" in image.headers["Content-Security-Policy"]
    )
    assert client.get(f"/c/{campaign.slug}/documents/{pdf.token}/other.pdf").status_code == 404


def test_private_documents_and_draft_campaigns_are_not_found_publicly(client, login_as, campaign, make_campaign):
    login_as("organizer")
    add(client, campaign, file=("budget.pdf", PDF))
    private = db.session.scalar(select(Document))
    url = f"/c/{campaign.slug}/documents/{private.token}/budget.pdf"
    assert client.get(url).status_code == 404  # an organizer too: the public address is for public files
    organizer_url = f"/organize/campaigns/{campaign.slug}/documents/{private.id}/file"
    assert client.get(organizer_url).data == PDF

    private.public = True
    other = make_campaign()
    campaign.status = CampaignStatus.DRAFT
    db.session.commit()
    assert client.get(url).status_code == 404
    assert client.get(f"/c/{other.slug}/documents/{private.token}/budget.pdf").status_code == 404
    assert client.get(f"/organize/campaigns/{other.slug}/documents/{private.id}/file").status_code == 404


def test_records_requests_show_their_status_and_an_overdue_flag(client, login_as, campaign):
    login_as("organizer")
    yesterday = (date.today() - timedelta(days=2)).isoformat()
    common = {"kind": "records_request", "url": "https://example.org/request", "due_on": yesterday}
    add(client, campaign, title="Jail contract request", request_status="sent", **common)
    add(client, campaign, title="Answered request", request_status="fulfilled", **common)
    statuses = dict(db.session.execute(select(Document.title, Document.request_status)).all())
    assert statuses == {"Jail contract request": RequestStatus.SENT, "Answered request": RequestStatus.FULFILLED}
    page = client.get(f"/organize/campaigns/{campaign.slug}/documents").get_data(as_text=True)
    assert page.count("OVERDUE") == 1
    rows = page.split("<tr>")
    assert "OVERDUE" in next(row for row in rows if "Jail contract request" in row)

    wrong = add(client, campaign, title="Report", kind="report", url="https://example.org/r", request_status="sent")
    assert wrong.status_code == 422 and "Only a public-records request" in wrong.get_data(as_text=True)


def test_editing_switches_between_file_and_link_and_deleting_removes(client, login_as, campaign):
    login_as("organizer")
    add(client, campaign, file=("budget.pdf", PDF))
    document = db.session.scalar(select(Document))
    edit = f"/organize/campaigns/{campaign.slug}/documents/{document.id}/edit"
    form = client.get(edit).get_data(as_text=True)
    assert "budget.pdf" in form and 'value="Budget 2026"' in form
    kept = client.post(edit, data={"title": "Budget 2026, adopted", "kind": "budget"})
    assert kept.status_code == 303
    assert (document.title, document.content) == ("Budget 2026, adopted", PDF)
    client.post(edit, data={"title": "Budget", "kind": "budget", "url": "https://example.org/b.pdf"})
    assert (document.url, document.file_name, document.size) == ("https://example.org/b.pdf", None, None)
    assert client.post(f"/organize/campaigns/{campaign.slug}/documents/{document.id}/delete").status_code == 303
    assert count() == 0


def test_viewers_see_the_list_but_cannot_change_it(client, login_as, campaign):
    document = Document(
        campaign=campaign, token="t" * 22, title="MOA", kind=DocumentKind.AGREEMENT, url="https://x.org"
    )
    db.session.add(document)
    db.session.commit()
    login_as("viewer")
    base = f"/organize/campaigns/{campaign.slug}/documents"
    page = client.get(base)
    assert page.status_code == 200 and "MOA" in page.get_data(as_text=True)
    assert "Add a document" not in page.get_data(as_text=True)
    assert add(client, campaign, url="https://example.org/x").status_code == 403
    assert client.post(f"{base}/{document.id}/edit", data={"title": "x", "kind": "other"}).status_code == 403
    assert client.post(f"{base}/{document.id}/delete").status_code == 403
    assert count() == 1


def test_anonymous_visitors_are_sent_to_login(client, campaign):
    response = client.get(f"/organize/campaigns/{campaign.slug}/documents")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
