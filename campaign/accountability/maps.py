"""Counties shaded by their strongest 287(g) agreement in force, drawn by geo.maps: the
national map of /where (cached until an agreement changes) and a county's state map."""

from __future__ import annotations

from collections.abc import Callable, Collection

from flask_babel import gettext as _
from markupsafe import Markup

from campaign.accountability.queries import agreements_version, strongest_models
from campaign.agreements.models import MODEL_STRENGTH, AgreementModel
from campaign.core.i18n import current_language
from campaign.extensions import cache
from campaign.geo.data import state_names
from campaign.geo.maps import category_map
from campaign.geo.models import County

# One hue, lighter to darker as the model hands more power to local police: the categories
# read apart by lightness alone, under every colour-vision type (ColorBrewer's Oranges).
NO_AGREEMENT_FILL = "#f7f7f7"
MODEL_FILLS = {
    AgreementModel.WARRANT_SERVICE_OFFICER: "#fdae6b",
    AgreementModel.JAIL_ENFORCEMENT: "#e6550d",
    AgreementModel.TASK_FORCE: "#7f2704",
}
NATIONAL_MAP_SECONDS = 24 * 3600  # the key changes with every agreement change anyway


def _legend() -> list[tuple[str, str]]:
    """(fill, text) by strength: index 0 is no agreement in force."""
    by_strength = sorted(MODEL_FILLS, key=MODEL_STRENGTH.__getitem__)
    return [(NO_AGREEMENT_FILL, _("No agreement in force known"))] + [
        (MODEL_FILLS[model], model.label) for model in by_strength
    ]


def agreements_map(
    state: str | None,
    rows: list[tuple[County, AgreementModel]],
    marked: Collection[str] = (),
    link: Callable[[str], str] | None = None,
) -> Markup:
    """The counties of `state` (None: the nation) by their strongest model, from `rows`
    (queries.strongest_models); `marked` counties (the one a page is about) are outlined."""
    if state is None:
        description = _(
            "Map of the counties of the United States, coloured by the strongest 287(g) agreement "
            "in force in each: the darker, the more immigration powers local police hold."
        )
    else:
        description = _(
            "Map of the counties of %(state)s, coloured by the strongest 287(g) agreement in force "
            "in each: the darker, the more immigration powers local police hold.",
            state=state_names().get(state, state),
        )
    return category_map(
        state,
        {county.fips: MODEL_STRENGTH[model] for county, model in rows},
        _legend(),
        marked,
        title=_("287(g) agreements in force, by county"),
        description=description,
        mark=(_("(this county)"), _("This county")),
        link=link,
    )


def national_map() -> str:
    """The national map as an SVG document, drawn once per language until an agreement is
    added, changed or removed (an import changes the key): its 3,000 counties take a while to
    join and weigh 800 kB, so pages show it as an image of its own that browsers keep."""
    key = f"agreements-map:{current_language()}:{agreements_version()}"
    svg = cache.get(key)
    if svg is None:
        svg = str(agreements_map(None, strongest_models()))
        cache.set(key, svg, timeout=NATIONAL_MAP_SECONDS)
    return svg
