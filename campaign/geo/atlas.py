"""The vendored us-atlas county boundaries, decoded once per process into SVG path strings:
one set for the national 975x610 frame and one per state, in a frame of its own 1,000 units
wide (a state map is a zoom of up to 250 times, DC, so rounding in the national frame would
show). geo.maps joins them with the shades, titles and legend of a request."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask import current_app

from campaign.geo.data import state_names, state_postal_by_fips

ATLAS_FILE = Path("vendor", "us-atlas", "counties-albers-10m.json")
NATIONAL_WIDTH, NATIONAL_HEIGHT = 975, 610  # the frame the atlas was projected to
STATE_WIDTH = 1000  # a state's own frame: its counties' bounding box scaled to this width
STATE_MARGIN = 10


@dataclass(frozen=True)
class Frame:
    """One drawable map: its size without the legend and each county's path in its frame."""

    width: float
    height: float
    paths: dict[str, str]  # county FIPS -> path data, in FIPS order
    name: str = ""  # the state's name ("Wisconsin"); empty for the national map
    lines: str = ""  # state borders drawn over the counties (national map)


@dataclass(frozen=True)
class Atlas:
    nation: Frame
    states: dict[str, Frame]  # postal code -> frame
    names: dict[str, str]  # county FIPS -> the atlas's short name ("Brown"), when the table lacks one


_ATLAS_LOCK = threading.Lock()


def load_atlas() -> Atlas:
    """Built once per process (about half a second), by one thread while the others of a fresh
    worker wait, instead of all of them decoding the file at once."""
    with _ATLAS_LOCK:
        return _build_atlas(Path(current_app.static_folder) / ATLAS_FILE)


Point = tuple[float, float]
Ring = list[Point]


@cache
def _build_atlas(path: Path) -> Atlas:
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
    nation = Frame(
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
    return Atlas(nation, states, names)


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


def _state_frame(name: str, counties: dict[str, list[Ring]]) -> Frame:
    xs = [x for rings in counties.values() for ring in rings for x, _y in ring]
    ys = [y for rings in counties.values() for ring in rings for _x, y in ring]
    scale = (STATE_WIDTH - 2 * STATE_MARGIN) / max(max(xs) - min(xs), 1e-9)
    shift_x = STATE_MARGIN - min(xs) * scale
    shift_y = STATE_MARGIN - min(ys) * scale
    height = round((max(ys) - min(ys)) * scale + 2 * STATE_MARGIN, 1)
    paths = {fips: _path_data(rings, scale, shift_x, shift_y, close=True) for fips, rings in counties.items()}
    return Frame(STATE_WIDTH, height, paths, name)


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
