"""ZIP code to county (zipcodes + addfips) and the county reference table."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from campaign.core.errors import DomainError, NotFound
from campaign.extensions import db
from campaign.geo.models import County
from campaign.geo.services import lookup_zip, resolve_county


def test_every_2020_county_is_loaded_by_the_migrations(app):
    assert db.session.scalar(select(func.count()).select_from(County)) == 3235
    brown = db.session.get(County, "55009")
    assert (brown.name, brown.state, brown.state_fips) == ("Brown County", "WI", "55")
    assert db.session.get(County, "11001").label == "Washington, DC"
    assert db.session.get(County, "72127").label == "San Juan Municipio, PR"


def test_green_bay_zip_gives_brown_county(app):
    result = lookup_zip("54301")
    assert result.county.fips == "55009"
    assert result.county.label == "Brown County, WI"
    assert (result.city, result.state) == ("Green Bay", "WI")
    assert result.state_counties == []


def test_zip_plus_four_is_accepted(app):
    assert lookup_zip(" 54301-1234 ").county.fips == "55009"


def test_usps_saint_spelling_matches_census_name(app):
    assert lookup_zip("55801").county.label == "St. Louis County, MN"


def test_zip_whose_listed_county_is_in_another_state_lets_the_person_choose(app):
    # The USPS list puts 15439 (Gans, PA) in Monongalia County, which is in West Virginia.
    result = lookup_zip("15439")
    assert result.county is None
    assert result.state == "PA"
    assert len(result.state_counties) == 67
    assert {county.state for county in result.state_counties} == {"PA"}


@pytest.mark.parametrize("raw", ["", "5430", "543011", "abcde", "54 301", None])
def test_malformed_zip_is_refused_beside_the_field(app, raw):
    with pytest.raises(DomainError) as caught:
        lookup_zip(raw)
    assert caught.value.field == "zip_code"
    assert caught.value.status_code == 422
    assert "5-digit" in caught.value.message


def test_unknown_zip_is_a_not_found(app):
    with pytest.raises(NotFound) as caught:
        lookup_zip("00000")
    assert "00000" in caught.value.message
    assert caught.value.status_code == 404


def test_resolve_county_by_fips_or_label(app):
    assert resolve_county("55009").name == "Brown County"
    assert resolve_county("Brown County, WI").fips == "55009"
    assert resolve_county("brown, wi").fips == "55009"
    with pytest.raises(NotFound):
        resolve_county("99999")
    with pytest.raises(NotFound):
        resolve_county("Atlantis County, WI")
