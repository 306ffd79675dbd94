"""The signatures map: counties shaded by confirmed signatures, target counties marked.
Shown on the public petition page and on the organizer dashboard."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from campaign.geo.maps import county_map
from campaign.petitions.counts import CountyRow


def signatures_label(number: int) -> str:
    return ngettext("%(num)s signature", "%(num)s signatures", number)


def signatures_map(state: str, rows: list[CountyRow], link: Callable[[str], str] | None = None) -> Markup:
    return county_map(
        state,
        {row.county.fips: row.confirmed for row in rows},
        [row.county.fips for row in rows if row.is_target],
        title=_("Confirmed signatures by county"),
        value_label=signatures_label,
        link=link,
    )
