"""County choropleth maps drawn on the server as inline SVG, from the vendored us-atlas boundaries.

The boundaries (static/vendor/us-atlas, Census Bureau data already projected to Albers USA) are
decoded once per process into SVG path strings: one set for the national 975x610 frame and one
per state, in a frame of its own that is 1,000 units wide. A state map is a zoom of up to 250
times (DC), so rounding in the national frame would show; in its own frame one decimal is far
below a pixel, and the legend and strokes have the same size on every map. A map is then a
join of those strings with the shades, titles and legend of the request, in its language.

No script and no external reference: the page shows the map with JavaScript off, and the
Content-Security-Policy (no inline style) holds, since only presentation attributes are used.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence

from babel.lists import format_list
from flask import g
from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select

from campaign.extensions import db
from campaign.geo.atlas import Frame, load_atlas
from campaign.geo.data import state_postal_by_fips
from campaign.geo.models import County

BINS = 5
# ColorBrewer's sequential Blues (6 classes) without its lightest step, which is too close to
# the "none yet" grey: one hue from light to dark reads the same under every colour-vision type.
SHADES = ("#f7f7f7", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
BORDER = "#8c8c8c"
STATE_LINE = "#404040"
TARGET_LINE = "#111111"
TEXT = "#1a1a1a"
TOP_IN_DESCRIPTION = 3
TARGETS_IN_DESCRIPTION = 10

# Legend sizes in frame units: both frames are about 1,000 units wide, so a map shown on a
# phone (about 350 pixels wide) has 11-pixel legend text, and one 640 pixels wide 20-pixel.
FONT_SIZE = 32
SWATCH = 34
LEGEND_PAD = 24
LEGEND_ROW = 50
LEGEND_COLUMNS = 2


def state_has_map(state: str) -> bool:
    """Whether the atlas draws this state: the 50 states and DC. Puerto Rico and the other
    territories are outside the Albers USA projection it was made with."""
    return (state or "").strip().upper() in load_atlas().states


# --- rendering ---------------------------------------------------------------------------


def _upper_bounds(positives: list[int]) -> list[int]:
    """The upper ends of up to five bins: quintiles of the counties that have a value, rounded
    up to a round number so the legend reads easily. The last bin ends at the largest value;
    a bin left empty by the rounding is merged into the next."""
    ordered = sorted(positives)
    top = ordered[-1]
    bounds: list[int] = []
    for step in range(1, BINS):
        nice = _nice_ceiling(ordered[math.ceil(step * len(ordered) / BINS) - 1])
        if nice < top and (not bounds or nice > bounds[-1]):
            bounds.append(nice)
    bounds.append(top)
    return bounds


# Round numbers in tenths of a power of ten: 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 (x 10, 100, ...).
# Finer than 1-2-5, which would merge evenly spread values into two or three bins.
_NICE_TENTHS = (10, 15, 20, 25, 30, 40, 50, 60, 80, 100)


def _nice_ceiling(value: int) -> int:
    """The smallest round whole number at or above `value`: 7 -> 8, 45 -> 50, 1,204 -> 1,500."""
    power = 10 ** (len(str(value)) - 1)
    return next(
        tenths * power // 10 for tenths in _NICE_TENTHS if tenths * power % 10 == 0 and tenths * power // 10 >= value
    )


def _next_prefix() -> str:
    """Ids unique on the page, and the same at each render of it (a cached page's ETag holds)."""
    number = g.get("_county_map_count", 0) + 1
    g._county_map_count = number
    return f"county-map-{number}"


def _county_names(state: str | None) -> dict[str, str]:
    """One query per map. On the national map a name carries its state: there are 30
    Washington Counties."""
    query = select(County.fips, County.name, County.state)
    if state is not None:
        return {fips: name for fips, name, _state in db.session.execute(query.where(County.state == state))}
    return {fips: f"{name}, {postal}" for fips, name, postal in db.session.execute(query)}


def county_map(
    state: str | None,
    values: Mapping[str, int],
    targets: Collection[str] = (),
    *,
    title: str,
    value_label: Callable[[int], str],
    link: Callable[[str], str] | None = None,
) -> Markup:
    """An inline SVG map of a state's counties (`state` as a postal code) or, with None, of
    every county in the country. Counties are shaded by `values` (FIPS -> number) in five bins,
    and `targets` get a thick outline and a hatch, so they stand out without colour. `title` and
    `value_label` come translated; `link`, when given, makes each county a link to its URL.
    A state the atlas does not draw gives empty markup."""
    drawn = _frame(state)
    if drawn is None:
        return Markup("")
    frame, names = drawn
    counts = {fips: max(int(values.get(fips) or 0), 0) for fips in frame.paths}
    positives = [count for count in counts.values() if count > 0]
    bounds = _upper_bounds(positives) if positives else []
    first_shade = BINS - len(bounds) + 1

    def shade(count: int) -> int:
        return first_shade + bisect_left(bounds, count) if count > 0 else 0

    labels: dict[int, str] = {}  # most counties share a few values (often none yet)

    def label(fips: str) -> str:
        count = counts[fips]
        if count not in labels:
            labels[count] = value_label(count)
        return labels[count]

    legend = [(SHADES[0], _("None yet"))]
    low = 1
    for offset, high in enumerate(bounds):
        text = format_decimal(low) if low == high else f"{format_decimal(low)}–{format_decimal(high)}"
        legend.append((SHADES[first_shade + offset], text))
        low = high + 1
    target_set = set(targets)
    marked = [fips for fips in frame.paths if fips in target_set]
    return _draw(
        frame,
        names,
        title=title,
        description=_description(frame.name, names, counts, marked, value_label),
        levels={fips: shade(count) for fips, count in counts.items()},
        fills=SHADES,
        value_text=label,
        legend=legend,
        marked=marked,
        mark=(_("(target county)"), _("Target county")),
        link=link,
    )


def category_map(
    state: str | None,
    categories: Mapping[str, int],
    legend: Sequence[tuple[str, str]],
    marked: Collection[str] = (),
    *,
    title: str,
    description: str,
    mark: tuple[str, str] = ("", ""),
    link: Callable[[str], str] | None = None,
) -> Markup:
    """The same map with counties coloured by category instead of by number: `categories`
    maps FIPS -> an index into `legend`, a list of (fill colour, translated text), and
    counties left out take `legend[0]`. Give the categories colours of distinct lightness,
    so they read apart without hue. `marked` counties are outlined and hatched as targets are,
    with `mark` = (the note after their title, the legend's text). `description` says what the
    map shows in a sentence or two; the counts of each category are added to it."""
    drawn = _frame(state)
    if drawn is None:
        return Markup("")
    frame, names = drawn
    levels = {fips: categories.get(fips, 0) for fips in frame.paths}
    tally = Counter(levels.values())
    counted = [
        _("%(category)s: %(count)s.", category=text, count=format_decimal(tally[number]))
        for number, (_fill, text) in enumerate(legend)
        if number and tally[number]
    ]
    marked_set = set(marked)
    shown = [fips for fips in frame.paths if fips in marked_set]
    return _draw(
        frame,
        names,
        title=title,
        description=" ".join([description, *counted]),
        levels=levels,
        fills=[fill for fill, _text in legend],
        value_text=lambda fips: legend[levels[fips]][1],
        legend=list(legend),
        marked=shown,
        mark=mark,
        link=link,
    )


def _frame(state: str | None) -> tuple[Frame, dict[str, str]] | None:
    """The frame of a state (None: the nation) and its counties' names, or None when the atlas
    does not draw that state."""
    atlas = load_atlas()
    postal = None if state is None else (state or "").strip().upper()
    frame = atlas.nation if postal is None else atlas.states.get(postal)
    if frame is None:
        return None
    names = _county_names(postal)
    unlisted = frame.paths.keys() - names.keys()  # in the atlas (2017) but not in the 2020 list: none today
    if unlisted:
        postal_by_fips = state_postal_by_fips()
        for fips in unlisted:
            names[fips] = atlas.names[fips] if postal else f"{atlas.names[fips]}, {postal_by_fips[fips[:2]]}"
    return frame, names


def _draw(
    frame: Frame,
    names: Mapping[str, str],
    *,
    title: str,
    description: str,
    levels: Mapping[str, int],
    fills: Sequence[str],
    value_text: Callable[[str], str],
    legend: list[tuple[str, str]],
    marked: list[str],
    mark: tuple[str, str],
    link: Callable[[str], str] | None,
) -> Markup:
    """The SVG of a frame: each county filled with `fills[levels[fips]]` and titled with its
    name and `value_text(fips)`, the `marked` counties outlined and hatched, and the legend
    of (fill, text) pairs below, the marking last."""
    prefix = _next_prefix()
    width, height = frame.width, frame.height
    mark_note, mark_text = mark
    plain = f'stroke="{BORDER}" stroke-width="1"'
    items = [(f'fill="{fill}" {plain}', text) for fill, text in legend]
    if marked:
        marking = (
            f'fill="url(#{prefix}-hatch)" stroke="{TARGET_LINE}" stroke-width="2.5" vector-effect="non-scaling-stroke"'
        )
        items.append((marking, mark_text))
    legend_svg, legend_height = _legend(title, items, width, height)
    total_height = round(height + legend_height, 1)
    # Translated once, filled in per county: a gettext call costs more than the rest of a county.
    county_title = _("%(county)s: %(value)s")
    marked_set = set(marked)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="county-map" viewBox="0 0 {width} {total_height}" '
        f'width="100%" role="{"group" if link else "img"}" aria-labelledby="{prefix}-title {prefix}-desc">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(description)}</desc>',
        f'<defs><pattern id="{prefix}-hatch" patternUnits="userSpaceOnUse" width="10" height="10" '
        'patternTransform="rotate(45)">'
        # A dark line edged in white shows on the lightest and the darkest shade alike.
        f'<path d="M3 0v10" stroke="#ffffff" stroke-width="4"/><path d="M3 0v10" stroke="{TARGET_LINE}" '
        'stroke-width="1.6"/></pattern></defs>',
        f'<rect width="{width}" height="{total_height}" fill="#ffffff"/>',
        f'<g stroke="{BORDER}" stroke-width="0.8" stroke-linejoin="round">',
    ]
    for fips, data in frame.paths.items():
        is_marked = fips in marked_set
        label = county_title % {"county": names[fips], "value": value_text(fips)}
        if is_marked:
            label = f"{label} {mark_note}"
        label = escape(label)
        level = levels[fips]
        css = f"shade-{level} target" if is_marked else f"shade-{level}"
        county = (
            f'<path d="{data}" data-fips="{fips}" class="{css}" fill="{fills[level]}"><title>{label}</title></path>'
        )
        if link is not None:
            county = f'<a href="{escape(link(fips))}" aria-label="{label}">{county}</a>'
        out.append(county)
    out.append("</g>")
    if frame.lines:
        out.append(
            f'<path class="state-lines" d="{frame.lines}" fill="none" stroke="{STATE_LINE}" stroke-width="1" '
            'stroke-linejoin="round" pointer-events="none"/>'
        )
    if marked:
        # Drawn last so no neighbour covers the outline; the pointer passes through to the county.
        out.append('<g class="targets" pointer-events="none">')
        for fips in marked:
            out.append(
                f'<path d="{frame.paths[fips]}" fill="none" stroke="#ffffff" stroke-width="5" '
                'vector-effect="non-scaling-stroke"/>'
            )
        for fips in marked:
            out.append(
                f'<path d="{frame.paths[fips]}" data-fips="{fips}" class="target-mark" fill="url(#{prefix}-hatch)" '
                f'stroke="{TARGET_LINE}" stroke-width="2.5" stroke-linejoin="round" '
                'vector-effect="non-scaling-stroke"/>'
            )
        out.append("</g>")
    out.append(legend_svg)
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 (every text and attribute above is escaped)


def _description(
    state_name: str,
    names: Mapping[str, str],
    counts: Mapping[str, int],
    marked: list[str],
    value_label: Callable[[int], str],
) -> str:
    """The map in words: what it shows, the top counties and the targets. The data table
    beside it on the page gives every number."""
    locale = get_locale() or "en"
    if state_name:
        sentences = [_("Map of the counties of %(state)s, darker where the number is higher.", state=state_name)]
    else:
        sentences = [_("Map of the counties of the United States, darker where the number is higher.")]
    top = sorted((fips for fips, count in counts.items() if count > 0), key=lambda fips: (-counts[fips], names[fips]))
    if top:
        leaders = [f"{names[fips]} ({value_label(counts[fips])})" for fips in top[:TOP_IN_DESCRIPTION]]
        sentences.append(_("Highest: %(counties)s.", counties=format_list(leaders, locale=locale)))
    else:
        sentences.append(_("No county has any yet."))
    if marked:
        shown = sorted(names[fips] for fips in marked)
        listed = shown[:TARGETS_IN_DESCRIPTION]
        rest = len(shown) - len(listed)
        if rest:
            listed.append(ngettext("%(count)s other", "%(count)s others", rest, count=format_decimal(rest)))
        sentences.append(
            ngettext(
                "Target county: %(counties)s.",
                "Target counties: %(counties)s.",
                len(marked),
                counties=format_list(listed, locale=locale),
            )
        )
    return " ".join(sentences)


def _legend(title: str, items: list[tuple[str, str]], width: float, top: float) -> tuple[str, float]:
    """The legend below the map: the title, then a swatch (its SVG attributes) and its text
    for each item. Dark text on the white background."""
    column_width = (width - 2 * LEGEND_PAD) / LEGEND_COLUMNS
    rows = math.ceil(len(items) / LEGEND_COLUMNS)
    caption_y = top + LEGEND_PAD + FONT_SIZE
    out = [
        f'<g class="legend" font-family="system-ui, sans-serif" font-size="{FONT_SIZE}" fill="{TEXT}">',
        f'<text x="{LEGEND_PAD}" y="{caption_y}" font-weight="bold">{escape(title)}</text>',
    ]
    for number, (swatch, text) in enumerate(items):
        row, column = divmod(number, LEGEND_COLUMNS)
        x = round(LEGEND_PAD + column * column_width, 1)
        y = round(caption_y + LEGEND_PAD / 2 + row * LEGEND_ROW, 1)
        out.append(f'<rect x="{x}" y="{y}" width="{SWATCH}" height="{SWATCH}" {swatch}/>')
        out.append(f'<text x="{round(x + SWATCH + 10, 1)}" y="{round(y + SWATCH - 5, 1)}">{escape(text)}</text>')
    out.append("</g>")
    height = LEGEND_PAD + FONT_SIZE + LEGEND_PAD / 2 + rows * LEGEND_ROW + LEGEND_PAD / 2
    return "".join(out), height
