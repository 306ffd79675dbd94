"""The commitments map of the public pledge page."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from campaign.geo.maps import county_map
from campaign.pledges.fulfilment import PledgeReport
from campaign.pledges.models import Pledge


def commitments_map(pledge: Pledge, progress: PledgeReport) -> Markup:
    """Counties shaded by people committed; the campaign's own county is marked."""
    return county_map(
        pledge.campaign.state,
        {row.county.fips: row.committed for row in progress.by_county},
        [pledge.campaign.county_fips],
        title=_("People committed by county"),
        value_label=lambda number: ngettext("%(num)s person committed", "%(num)s people committed", number),
    )
