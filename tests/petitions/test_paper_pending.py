"""Ink confirms what is on the sheet. An online signature still waiting for its email link
was never proven: whoever typed it (with this person's email, or their name and ZIP code)
must not see their name, comment or ticked boxes confirmed by the real person's sheet."""

from __future__ import annotations

from campaign.extensions import db
from campaign.petitions import paper, services
from campaign.petitions.models import RowOutcome, SignatureStatus


def forged_online(petition, **fields):
    values = {
        "first_name": "Visit",
        "last_name": "evil.example",
        "email": "ana@example.org",
        "zip_code": "54301",
        "comment": "I support the 287(g) agreement",
        "show_publicly": True,
        "email_updates": True,
    } | fields
    signature = services.sign(petition, services.SignatureInput(**values))
    db.session.commit()
    return signature


def sheet(petition, **fields) -> paper.PaperResult:
    values = {"first_name": "Ana", "last_name": "Núñez", "zip_code": "54302"} | fields
    result = paper.add_paper_signature(petition, paper.PaperSignatureInput(**values))
    db.session.commit()
    return result


def test_a_sheet_with_the_same_email_confirms_the_sheet_not_the_online_details(make_petition):
    petition = make_petition()
    online = forged_online(petition)
    result = sheet(petition, email="ana@example.org", comment="Fin al 287(g)")
    assert result.outcome is RowOutcome.MERGED and result.signature.id == online.id
    db.session.refresh(online)
    assert online.status is SignatureStatus.CONFIRMED
    assert (online.first_name, online.last_name, online.zip_code) == ("Ana", "Núñez", "54302")
    assert online.comment == "Fin al 287(g)"
    assert not online.show_publicly and not online.email_updates
    assert "[ ] Email me about this campaign." in online.consent_text


def test_a_sheet_matched_by_name_does_not_adopt_the_unproven_email(make_petition):
    petition = make_petition()
    online = forged_online(petition, first_name="Ana", last_name="Núñez", zip_code="54302", email="evil@example.org")
    result = sheet(petition)
    assert result.outcome is RowOutcome.MERGED and result.signature.id == online.id
    db.session.refresh(online)
    assert online.status is SignatureStatus.CONFIRMED
    assert online.person_id is None and not online.email_updates and not online.show_publicly
    assert online.comment is None
