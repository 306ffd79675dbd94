"""Charts and maps of the dashboard's figures, in the request's language (the map is the
public petition page's)."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from campaign.core.charts import bar_chart, short_date
from campaign.petitions.counts import CountyRow
from campaign.petitions.visuals import signatures_map

__all__ = ["per_county_chart", "per_day_chart", "signatures_map"]

TOP_COUNTIES = 15  # the bar chart names the counties with the most; the table lists them all


def per_day_chart(days, title: str) -> Markup:
    return bar_chart(title, [(short_date(day), count) for day, count in days], value_label=_("Signatures"))


def per_county_chart(rows: list[CountyRow], title: str) -> Markup:
    top = [row for row in sorted(rows, key=lambda row: -row.confirmed)[:TOP_COUNTIES] if row.confirmed]
    return bar_chart(title, [(row.county.name, row.confirmed) for row in top], value_label=_("Signatures"))
