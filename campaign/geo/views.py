"""The public "in your county" lookup."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from campaign.campaigns.services import public_campaigns
from campaign.core.errors import DomainError, attach_to_form
from campaign.geo.forms import ZipForm
from campaign.geo.services import lookup_zip

bp = Blueprint("geo", __name__)


@bp.get("/where")
def where():
    form = ZipForm(request.args)
    result, campaigns, status = None, [], 200
    if form.zip_code.data is not None:
        try:
            result = lookup_zip(form.zip_code.data)
        except DomainError as error:
            attach_to_form(form, error)
            status = error.status_code
        else:
            if result.county is not None:
                campaigns = public_campaigns(result.county.fips)
    return render_template("geo/where.html", form=form, result=result, campaigns=campaigns), status
