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

import json
import math
import threading
from bisect import bisect_left
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.lists import format_list
from flask import current_app, g
from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select

from campaign.extensions import db
from campaign.geo.data import state_names, state_postal_by_fips
from campaign.geo.models import County

ATLAS_FILE = Path("vendor", "us-atlas", "counties-albers-10m.json")
NATIONAL_WIDTH, NATIONAL_HEIGHT = 975, 610  # the frame the atlas was projected to
STATE_WIDTH = 1000  # a state's own frame: its counties' bounding box scaled to this width
STATE_MARGIN = 10

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


@dataclass(frozen=True)
class _Frame:
    """One drawable map: its size without the legend and each county's path in its frame."""

    width: float
    height: float
    paths: dict[str, str]  # county FIPS -> path data, in FIPS order
    name: str = ""  # the state's name ("Wisconsin"); empty for the national map
    lines: str = ""  # state borders drawn over the counties (national map)


@dataclass(frozen=True)
class _Atlas:
    nation: _Frame
    states: dict[str, _Frame]  # postal code -> frame
    names: dict[str, str]  # county FIPS -> the atlas's short name ("Brown"), when the table lacks one


_ATLAS_LOCK = threading.Lock()


def _atlas() -> _Atlas:
    """Built once per process (about half a second), by one thread while the others of a fresh
    worker wait, instead of all of them decoding the file at once."""
    with _ATLAS_LOCK:
        return _build_atlas(Path(current_app.static_folder) / ATLAS_FILE)


Point = tuple[float, float]
Ring = list[Point]


@cache
def _build_atlas(path: Path) -> _Atlas:
    topology = json.loads(path.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    postal_by_fips = state_postal_by_fips()

    counties: dict[str, list[Ring]] = {}
    names: dict[str, str] = {}
    for geometry in topology["objects"]["counties"]["geometries"]:
        counties[geometry["id"]] = _rings(geometry, arcs)
        names[geometry["id"]] = geometry.get("properties", {}).get("name", geometry["id"])
    ordered = sorted(counties)

    # Each border once (two neighbours share an arc): half the bytes of drawing every outline.
    border_arcs = sorted(
        {
            ~index if index < 0 else index
            for geometry in topology["objects"]["states"]["geometries"]
            for index in _arc_indexes(geometry)
        }
    )
    nation = _Frame(
        NATIONAL_WIDTH,
        NATIONAL_HEIGHT,
        {fips: _path_data(counties[fips], 1.0, 0.0, 0.0, close=True) for fips in ordered},
        lines=_path_data([arcs[index] for index in border_arcs], 1.0, 0.0, 0.0, close=False),
    )

    by_state: dict[str, list[str]] = {}
    for fips in ordered:
        postal = postal_by_fips.get(fips[:2])
        if postal:
            by_state.setdefault(postal, []).append(fips)
    full_names = state_names()
    states = {
        postal: _state_frame(full_names.get(postal, postal), {fips: counties[fips] for fips in members})
        for postal, members in by_state.items()
    }
    return _Atlas(nation, states, names)


def _decode_arcs(topology: dict) -> list[Ring]:
    """TopoJSON arcs are quantized and delta-encoded: each position adds to the one before, and
    the transform turns the integers back into frame coordinates."""
    (scale_x, scale_y), (shift_x, shift_y) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        decoded.append(points)
    return decoded


def _polygons(geometry: dict) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def _arc_indexes(geometry: dict) -> Iterable[int]:
    for polygon in _polygons(geometry):
        for ring in polygon:
            yield from ring


def _rings(geometry: dict, arcs: list[Ring]) -> list[Ring]:
    """A ring is a chain of arcs; ~i is arc i walked backwards. Each arc starts where the one
    before it ended, so that shared point is kept once."""
    rings = []
    for polygon in _polygons(geometry):
        for indexes in polygon:
            ring: Ring = []
            for index in indexes:
                points = arcs[index] if index >= 0 else arcs[~index][::-1]
                ring.extend(points[1:] if ring else points)
            rings.append(ring)
    return rings


def _state_frame(name: str, counties: dict[str, list[Ring]]) -> _Frame:
    xs = [x for rings in counties.values() for ring in rings for x, _y in ring]
    ys = [y for rings in counties.values() for ring in rings for _x, y in ring]
    scale = (STATE_WIDTH - 2 * STATE_MARGIN) / max(max(xs) - min(xs), 1e-9)
    shift_x = STATE_MARGIN - min(xs) * scale
    shift_y = STATE_MARGIN - min(ys) * scale
    height = round((max(ys) - min(ys)) * scale + 2 * STATE_MARGIN, 1)
    paths = {fips: _path_data(rings, scale, shift_x, shift_y, close=True) for fips, rings in counties.items()}
    return _Frame(STATE_WIDTH, height, paths, name)


def _path_data(rings: list[Ring], scale: float, shift_x: float, shift_y: float, *, close: bool) -> str:
    """Path data rounded to a tenth of a unit, as relative moves: the deltas of the rounded
    positions (so no error adds up) are short, and a repeated position is dropped."""
    parts = []
    for ring in rings:
        tenths = [(round((x * scale + shift_x) * 10), round((y * scale + shift_y) * 10)) for x, y in ring]
        if close and len(tenths) > 1 and tenths[-1] == tenths[0]:
            tenths.pop()  # "z" draws the closing edge
        last_x, last_y = tenths[0]
        parts.append(f"M{_tenths(last_x)},{_tenths(last_y)}")
        command = "l"
        for x, y in tenths[1:]:
            if (x, y) == (last_x, last_y):
                continue
            dx, dy = _tenths(x - last_x), _tenths(y - last_y)
            # A minus sign separates two numbers by itself; otherwise a space or comma does.
            separator = command or ("" if dx[0] == "-" else " ")
            parts.append(f"{separator}{dx}{dy}" if dy[0] == "-" else f"{separator}{dx},{dy}")
            command = ""
            last_x, last_y = x, y
        if close:
            parts.append("z")
    return "".join(parts)


def _tenths(value: int) -> str:
    """12 -> "1.2", -5 -> "-.5", 40 -> "4": the shortest text SVG reads back as value / 10."""
    whole, tenth = divmod(abs(value), 10)
    text = (f"{whole}.{tenth}" if whole else f".{tenth}") if tenth else str(whole)
    return "-" + text if value < 0 else text


def state_has_map(state: str) -> bool:
    """Whether the atlas draws this state: the 50 states and DC. Puerto Rico and the other
    territories are outside the Albers USA projection it was made with."""
    return (state or "").strip().upper() in _atlas().states


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
    atlas = _atlas()
    postal = None if state is None else (state or "").strip().upper()
    frame = atlas.nation if postal is None else atlas.states.get(postal)
    if frame is None:
        return Markup("")

    names = _county_names(postal)
    unlisted = frame.paths.keys() - names.keys()  # in the atlas (2017) but not in the 2020 list: none today
    if unlisted:
        postal_by_fips = state_postal_by_fips()
        for fips in unlisted:
            names[fips] = atlas.names[fips] if postal else f"{atlas.names[fips]}, {postal_by_fips[fips[:2]]}"
    counts = {fips: max(int(values.get(fips) or 0), 0) for fips in frame.paths}
    target_set = set(targets)
    marked = [fips for fips in frame.paths if fips in target_set]
    positives = [count for count in counts.values() if count > 0]
    bounds = _upper_bounds(positives) if positives else []
    first_shade = BINS - len(bounds) + 1

    def shade(count: int) -> int:
        return first_shade + bisect_left(bounds, count) if count > 0 else 0

    prefix = _next_prefix()
    width, height = frame.width, frame.height
    legend, legend_height = _legend(prefix, title, bounds, first_shade, bool(marked), width, height)
    total_height = round(height + legend_height, 1)
    # Translated once, filled in per county: a gettext call costs more than the rest of a county.
    county_title = _("%(county)s: %(value)s")
    target_note = _("(target county)")
    labels: dict[int, str] = {}  # most counties share a few values (often none yet)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="county-map" viewBox="0 0 {width} {total_height}" '
        f'width="100%" role="{"group" if link else "img"}" aria-labelledby="{prefix}-title {prefix}-desc">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(_description(frame.name, names, counts, marked, value_label))}</desc>',
        f'<defs><pattern id="{prefix}-hatch" patternUnits="userSpaceOnUse" width="10" height="10" '
        'patternTransform="rotate(45)">'
        # A dark line edged in white shows on the lightest and the darkest shade alike.
        f'<path d="M3 0v10" stroke="#ffffff" stroke-width="4"/><path d="M3 0v10" stroke="{TARGET_LINE}" '
        'stroke-width="1.6"/></pattern></defs>',
        f'<rect width="{width}" height="{total_height}" fill="#ffffff"/>',
        f'<g stroke="{BORDER}" stroke-width="0.8" stroke-linejoin="round">',
    ]
    for fips, data in frame.paths.items():
        count, is_target = counts[fips], fips in target_set
        if count not in labels:
            labels[count] = value_label(count)
        label = county_title % {"county": names[fips], "value": labels[count]}
        if is_target:
            label = f"{label} {target_note}"
        label = escape(label)
        level = shade(count)
        css = f"shade-{level} target" if is_target else f"shade-{level}"
        county = (
            f'<path d="{data}" data-fips="{fips}" class="{css}" fill="{SHADES[level]}"><title>{label}</title></path>'
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
    out.append(legend)
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


def _legend(
    prefix: str, title: str, bounds: list[int], first_shade: int, has_targets: bool, width: float, top: float
) -> tuple[str, float]:
    """The legend below the map: the title, then a swatch and its range for each bin, "none
    yet" and the target marking. Dark text on the white background."""
    plain = f'stroke="{BORDER}" stroke-width="1"'
    items = [(f'fill="{SHADES[0]}" {plain}', _("None yet"))]  # (swatch attributes, text)
    low = 1
    for offset, high in enumerate(bounds):
        text = format_decimal(low) if low == high else f"{format_decimal(low)}–{format_decimal(high)}"
        items.append((f'fill="{SHADES[first_shade + offset]}" {plain}', text))
        low = high + 1
    if has_targets:
        marking = (
            f'fill="url(#{prefix}-hatch)" stroke="{TARGET_LINE}" stroke-width="2.5" vector-effect="non-scaling-stroke"'
        )
        items.append((marking, _("Target county")))

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
