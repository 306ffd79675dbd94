"""The public accountability pages: "287(g) in your county" (by ZIP code or by state and
county) and "Where your officials stand" for a campaign."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_login import current_user

from campaign.accountability import maps, queries
from campaign.accountability.forms import CountyForm
from campaign.campaigns.services import get_campaign
from campaign.core.caching import public_page
from campaign.core.errors import DomainError, attach_to_form
from campaign.geo.data import state_names
from campaign.geo.forms import ZipForm
from campaign.geo.services import counties_in_state, get_county, lookup_zip

bp = Blueprint("accountability", __name__)
MAP_MAX_AGE = 3600  # seconds


def _to_county(fips: str):
    return redirect(url_for(".county", fips=fips), code=303)


@bp.get("/where")
@public_page
def where():
    """Without a question, the national map. A ZIP code or a county chosen leads to the
    county's page; a ZIP code shared by counties lists them to pick from."""
    zip_form, county_form = ZipForm(request.args), CountyForm(request.args)
    result, status = None, 200
    if zip_form.zip_code.data is not None:
        try:
            result = lookup_zip(zip_form.zip_code.data)
        except DomainError as error:
            attach_to_form(zip_form, error)
            status = error.status_code
        else:
            if result.county is not None:
                return _to_county(result.county.fips)
    elif county_form.state.data is not None:
        if county_form.state.data in dict(county_form.state.choices):
            county_form.offer_counties(counties_in_state(county_form.state.data))
        if not county_form.validate():
            status = 422
        elif county_form.county.data:
            return _to_county(county_form.county.data)
    national = result is None  # the map and its table, unless the page is a list of counties to pick
    return render_template(
        "accountability/where.html",
        zip_form=zip_form,
        county_form=county_form,
        result=result,
        rows=queries.strongest_models() if national else [],
        map_version=queries.agreements_version() if national else None,
    ), status


@bp.get("/where/map.svg")
def national_map():
    """The national map of /where. Its address carries the agreements' version (?v=), so a
    browser may keep it: a change gives the page a new address."""
    response = Response(maps.national_map(), mimetype="image/svg+xml")
    response.cache_control.public = True
    response.cache_control.max_age = MAP_MAX_AGE
    response.vary.update(("Cookie", "Accept-Language"))
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/where/<fips>")
@public_page
def county(fips: str):
    found = get_county(fips)
    activity = queries.county_activity(found.fips)
    state_rows = queries.strongest_models(found.state)
    county_form = CountyForm(formdata=None, data={"state": found.state, "county": found.fips})
    county_form.offer_counties(counties_in_state(found.state))
    return render_template(
        "accountability/county.html",
        county=found,
        state_name=state_names().get(found.state, found.state),
        zip_form=ZipForm(),
        county_form=county_form,
        agreements=queries.county_agreements(found.fips),
        statewide=queries.statewide_agreements(found.state),
        last_import=queries.latest_import(),
        activity=activity,
        rows=state_rows,
        state_map=maps.agreements_map(
            found.state, state_rows, [found.fips], lambda fips: url_for(".county", fips=fips)
        ),
    )


@bp.get("/c/<slug>/officials")
@public_page
def standings(slug: str):
    # Organizers may preview a draft campaign's page, as they may its campaign page.
    campaign = get_campaign(slug, include_drafts=current_user.is_authenticated)
    return render_template("accountability/standings.html", campaign=campaign, standings=queries.standings(campaign))
