"""Counts by county and goals; organizers create petitions and invalidate signatures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.jobs.models import Job
from campaign.people.models import Person
from campaign.petitions import counts
from campaign.petitions.models import Petition, PetitionStatus, Signature, SignatureStatus

# ZIP code and county of a few Wisconsin and Minnesota places.
PLACES = {"55009": "54301", "55087": "54911", "27053": "55401"}


def add_signatures(petition, per_county: dict[str, int], status=SignatureStatus.CONFIRMED) -> None:
    start = db.session.scalar(select(func.count()).select_from(Person))
    number = start
    for fips, amount in per_county.items():
        for _ in range(amount):
            number += 1
            person = Person(
                email=f"p{number}@example.org",
                email_normalized=f"p{number}@example.org",
                first_name="Test",
                last_name="Signer",
            )
            db.session.add(
                Signature(
                    petition=petition,
                    person=person,
                    first_name="Test",
                    last_name="Signer",
                    zip_code=PLACES[fips],
                    county_fips=fips,
                    consent_text="[ ] ...",
                    status=status,
                    confirmed_at=utcnow() if status is SignatureStatus.CONFIRMED else None,
                )
            )
    db.session.commit()


def test_counts_by_county_residents_and_goals(client, make_petition):
    petition = make_petition(goal=100, counties=(("55009", 10),))
    add_signatures(petition, {"55009": 4, "55087": 6, "27053": 1})
    add_signatures(petition, {"55009": 3}, status=SignatureStatus.PENDING)
    assert counts.refresh_counts(petition.id) is True
    db.session.commit()

    assert (petition.confirmed_count, petition.resident_count) == (11, 4)
    rows = counts.county_rows(petition)
    assert [(row.county.label, row.confirmed) for row in rows] == [
        ("Outagamie County, WI", 6),
        ("Brown County, WI", 4),
        ("Hennepin County, MN", 1),
    ]
    brown = rows[1]
    assert (brown.goal, brown.percent_of_goal, brown.is_target) == (10, 40, True)

    text = client.get(f"/p/{petition.slug}").get_data(as_text=True)
    assert "<strong>11</strong>" in text and "of a goal of 100" in text
    assert "4 from the counties it is about, 7 supporters elsewhere." in text
    assert text.index("Outagamie County, WI") < text.index("Brown County, WI") < text.index("Hennepin County, MN")
    assert "10 (40%)" in text


def test_target_county_without_signatures_still_shows_its_goal(make_petition):
    petition = make_petition(counties=(("55009", 500),))
    counts.refresh_counts(petition.id)
    [row] = counts.county_rows(petition)
    assert (row.county.fips, row.confirmed, row.goal, row.percent_of_goal) == ("55009", 0, 500, 0)


def test_recount_is_skipped_when_nothing_was_confirmed_since(make_petition):
    petition = make_petition()
    add_signatures(petition, {"55009": 2})
    counts.refresh_counts(petition.id, now=utcnow() + timedelta(minutes=5))
    db.session.commit()
    later = utcnow() + timedelta(minutes=10)
    assert counts.refresh_counts(petition.id, now=later) is False
    assert petition.counted_at == later
    assert counts.refresh_counts(petition.id, force=True) is True


def test_many_viewers_enqueue_one_refresh_per_ten_seconds(client, make_petition):
    petition = make_petition()
    add_signatures(petition, {"55009": 3})
    for _ in range(5):
        assert client.get(f"/p/{petition.slug}").status_code == 200
    jobs = list(db.session.scalars(select(Job).where(Job.name == counts.REFRESH_JOB)))
    assert len(jobs) == 1, "a read storm asks for one recount, not one per view"
    db.session.refresh(petition)
    assert petition.confirmed_count == 3, "the eager runner refreshed after the first view"

    add_signatures(petition, {"55087": 2})
    assert counts.request_refresh(petition) is False, "counts younger than 10 s are fresh enough"
    assert counts.request_refresh(petition, now=utcnow() + timedelta(seconds=11)) is True
    db.session.refresh(petition)
    assert petition.confirmed_count == 5


def test_organizer_creates_a_petition_with_county_goals(client, login_as, make_campaign, make_official):
    login_as("organizer")
    make_campaign(slug="brown")
    sheriff = make_official()
    response = client.post(
        "/organize/campaigns/brown/petitions/new",
        data={
            "title": "End the agreement",
            "ask": "We call on the Sheriff to end it.",
            "goal": "1000",
            "counties": "55009 500\nOutagamie County, WI",
            "target_ids": [sheriff.id],
            "status": "open",
            "deadline": "2030-01-15",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    petition = db.session.scalar(select(Petition))
    assert (petition.slug, petition.goal, petition.status) == ("end-the-agreement", 1000, PetitionStatus.OPEN)
    assert [(entry.county_fips, entry.goal) for entry in petition.counties] == [("55009", 500), ("55087", None)]
    assert petition.targets == [sheriff]
    assert petition.deadline.date().isoformat() == "2030-01-15"
    assert client.get("/p/end-the-agreement").status_code == 200


@pytest.mark.parametrize(
    ("counties", "message"),
    [("Atlantis County, WI", "We could not find the county"), ("99999", "No county has the FIPS code 99999")],
)
def test_unknown_county_in_the_petition_form(client, login_as, make_campaign, counties, message):
    login_as("organizer")
    make_campaign(slug="brown")
    response = client.post(
        "/organize/campaigns/brown/petitions/new",
        data={"title": "End it", "ask": "Please.", "counties": counties, "status": "open"},
    )
    assert response.status_code in (404, 422)
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Petition)) == 0


def test_petition_slug_that_exists_is_refused(client, login_as, make_petition):
    login_as("organizer")
    existing = make_petition(slug="taken")
    response = client.post(
        f"/organize/campaigns/{existing.campaign.slug}/petitions/new",
        data={"title": "Other", "slug": "taken", "ask": "Please.", "status": "open"},
    )
    assert response.status_code == 409
    assert "The address taken is already taken" in response.get_data(as_text=True)


def test_invalidate_and_restore_move_the_counts_at_once(client, login_as, make_petition):
    organizer = login_as("organizer")
    petition = make_petition()
    add_signatures(petition, {"55009": 3})
    counts.refresh_counts(petition.id)
    db.session.commit()
    signature = db.session.scalar(select(Signature).limit(1))
    moderate = f"/organize/petitions/{petition.slug}/signatures/moderate"

    refused = client.post(moderate, data={"action": "invalidate", "signature_ids": [signature.id]})
    assert refused.status_code == 422
    db.session.refresh(signature)
    assert signature.status is SignatureStatus.CONFIRMED, "no reason, no change"

    client.post(
        moderate,
        data={
            "action": "invalidate",
            "reason": "Same person signed twice with two addresses",
            "signature_ids": [signature.id],
        },
    )
    db.session.refresh(signature)
    db.session.refresh(petition)
    assert signature.status is SignatureStatus.INVALIDATED
    assert signature.invalidated_by_id == organizer.id
    assert petition.confirmed_count == 2
    page = client.get(f"/organize/petitions/{petition.slug}/signatures?status=invalidated").get_data(as_text=True)
    assert "Same person signed twice with two addresses" in page

    client.post(moderate, data={"action": "restore", "signature_ids": [signature.id]})
    db.session.refresh(signature)
    db.session.refresh(petition)
    assert signature.status is SignatureStatus.CONFIRMED and signature.invalidated_reason is None
    assert petition.confirmed_count == 3


def test_viewer_sees_signatures_but_cannot_invalidate(client, login_as, make_petition):
    login_as("viewer")
    petition = make_petition()
    add_signatures(petition, {"55009": 1})
    signature = db.session.scalar(select(Signature))
    assert client.get(f"/organize/petitions/{petition.slug}/signatures").status_code == 200
    response = client.post(
        f"/organize/petitions/{petition.slug}/signatures/moderate",
        data={"action": "invalidate", "reason": "x", "signature_ids": [signature.id]},
    )
    assert response.status_code == 403
    db.session.refresh(signature)
    assert signature.status is SignatureStatus.CONFIRMED


def test_seed_demo_adds_a_petition_with_hundreds_of_signatures(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    petition = db.session.scalar(select(Petition))
    rows = counts.county_rows(petition)
    assert petition.confirmed_count >= 300
    assert rows[0].county.label == "Brown County, WI"
    assert (
        db.session.scalar(
            select(func.count()).select_from(Signature).where(Signature.status == SignatureStatus.PENDING)
        )
        > 0
    )
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Petition)) == 1


def test_ip_hashes_are_purged_after_the_review_window(runner, make_petition):
    petition = make_petition()
    add_signatures(petition, {"55009": 2})
    db.session.execute(Signature.__table__.update().values(ip_hash="abc"))
    db.session.execute(
        Signature.__table__.update()
        .where(Signature.id == db.session.scalar(select(func.min(Signature.id))))
        .values(created_at=utcnow() - timedelta(days=40))
    )
    db.session.commit()
    result = runner.invoke(args=["petitions", "purge-ip-hashes", "--days", "30"])
    assert "1 address hash(es) removed." in result.output
    hashes = sorted(db.session.scalars(select(Signature.ip_hash)), key=lambda value: value or "")
    assert hashes == [None, "abc"]


def test_organizer_edits_a_petition_keeping_its_counties(client, login_as, make_petition):
    login_as("organizer")
    petition = make_petition(slug="brown-petition", counties=(("55009", 100), ("55087", None)))
    form = client.get("/organize/petitions/brown-petition/edit").get_data(as_text=True)
    assert "55009 100" in form
    response = client.post(
        "/organize/petitions/brown-petition/edit",
        data={
            "title": "New title",
            "slug": "brown-petition",
            "ask": "Please.",
            "status": "open",
            "counties": "55009 250\n55139",
        },
    )
    assert response.status_code == 302
    db.session.refresh(petition)
    assert petition.title == "New title"
    assert [(entry.county_fips, entry.goal) for entry in petition.counties] == [("55009", 250), ("55139", None)]
