"""Charts drawn on the server as inline SVG (pygal): no JavaScript, nothing fetched.

pygal lays the chart out; then its drawing is cleaned for a page of this site:
- its <style> and <script> go: the Content-Security-Policy refuses inline styles and scripts
  (core.security), and the page needs neither. The look is written instead as SVG
  presentation attributes (fill, stroke, font-size), which no CSP governs, from STYLE below;
- what only its JavaScript tooltips used goes too (the tooltip layer, <desc> values, a
  <title> per axis label, legend ids that would repeat when two charts share a page);
- the <svg> becomes an image named by its <title> (role="img", aria-labelledby).

Series are told apart by more than colour: reference lines (capacity, goal, condition) are
dashed, each in its own pattern; data lines carry their own marker (circle, square,
diamond) on the labelled days; the legend draws each line's stroke and marker beside its
name. The page shows the same figures in a table: the chart is for the eye, the table is
its text alternative. site.css fits `svg.chart` to the column. Callers pass translated
strings; numbers are formatted in the reader's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import count, cycle
from math import ceil
from xml.etree import ElementTree as ET

import pygal
from babel.dates import format_skeleton
from flask_babel import format_decimal, get_locale
from markupsafe import Markup
from pygal.etree import etree
from pygal.style import Style

etree.to_etree()  # pygal draws with the standard library's ElementTree even if lxml is installed

SVG = "http://www.w3.org/2000/svg"
INK = "#1a1a1a"  # text and axes: 17:1 on white
GRID = "#d9d9d9"  # guide lines, decorative
# Okabe and Ito's colour-blind-safe palette, the colours with at least 3:1 against white
# (WCAG 1.4.11): blue, vermilion, bluish green, reddish purple.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
DASHES = ("8,4", "2,4")  # reference lines, in turn: dashed, dotted
MARKERS = ("circle", "square", "diamond")  # data lines, in turn
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif'  # site.css
WIDTH, HEIGHT = 400, 250  # the viewBox: about a phone's width, so text keeps its size there
LEGEND_ROW = 27  # a line chart grows by this much for each row of its legend, below the plot
MAX_X_LABELS = 10
MAX_SLANTED_LABELS = 16  # bars of a category each keep their label, slanted, up to this many

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground=INK,
    foreground_strong=INK,
    foreground_subtle=INK,
    colors=PALETTE,
    font_family=FONT,
    label_font_size=14,
    major_label_font_size=14,
    legend_font_size=14,
    title_font_size=14,
)


@dataclass(frozen=True)
class Series:
    """One line: its name and values; dashed for reference lines (capacity, goal, condition)."""

    name: str
    values: Sequence[int | None]
    dashed: bool = False


def short_date(day: date) -> str:
    """An axis label for a day in the reader's language: "Mar 5", "5 mar"."""
    return format_skeleton("MMMd", day, locale=get_locale() or "en")


def bar_chart(title: str, points: Sequence[tuple[str, int]], *, value_label: str) -> Markup:
    """One bar per label, e.g. signatures per day; `value_label` names the vertical axis."""
    labels = [label for label, _value in points]
    values = [value for _label, value in points]
    chart = pygal.Bar(_config(labels, values, every_label=True, y_title=value_label, show_legend=False))
    chart.add(value_label, values)
    return _render(chart, title, [Series(value_label, values)])


def line_chart(title: str, labels: Sequence[str], series: Sequence[Series], *, y_title: str) -> Markup:
    """Lines over the same labels (days): data lines first, reference lines after."""
    values = [value for line in series for value in line.values if value is not None]
    # The legend: one row when every name fits side by side, else one name a row (what pygal
    # makes room for; it would let a second row of a grid spill out of the picture).
    longest = max((len(line.name) for line in series), default=1)
    rows = 1 if len(series) * (longest * 9 + 40) <= WIDTH - 80 else len(series)
    config = _config(
        labels,
        values,
        y_title=y_title,
        show_only_major_dots=True,
        legend_at_bottom_columns=len(series) // rows,
        height=HEIGHT + rows * LEGEND_ROW,
    )
    chart = pygal.Line(config)
    for line in series:
        chart.add(line.name, list(line.values), show_dots=not line.dashed)
    return _render(chart, title, series)


def _config(
    labels: Sequence[str], values: Sequence[int], *, every_label: bool = False, height: int = HEIGHT, **options
) -> pygal.Config:
    ticks = _ticks(max(values, default=0))
    longest = max((len(label) for label in labels), default=1)
    return pygal.Config(
        style=STYLE,
        width=WIDTH,
        height=height,
        explicit_size=False,
        disable_xml_declaration=True,
        js=[],
        margin=8,
        spacing=8,
        dots_size=3.5,
        legend_at_bottom=True,
        legend_box_size=18,
        truncate_legend=-1,
        x_labels=list(labels),
        truncate_label=-1,
        **_x_labels_options(len(labels), longest, every_label),
        range=(0, ticks[-1]),
        y_labels=ticks,
        include_x_axis=True,
        value_formatter=format_decimal,
        **options,
    )


def _x_labels_options(count: int, longest: int, every_label: bool) -> dict:
    """Labels that fit across are all shown, level. Otherwise categories (bars) keep every
    label, slanted, while there are few enough; days keep an evenly spread few, the first
    and the last among them. Line markers stand on the labelled days."""
    fit = max(2, WIDTH // (longest * 9 + 16))
    if every_label and fit < count <= MAX_SLANTED_LABELS:
        return {"x_label_rotation": 300}
    return {
        "x_labels_major_count": min(count, fit, MAX_X_LABELS),
        "show_minor_x_labels": False,
        "margin_right": longest * 5 + 4,  # room for half the last label, centred on its place
    }


def _ticks(top: int) -> list[int]:
    """0 to `top` or just past it in at most five whole steps of 1, 2 or 5 times a power of ten."""
    steps = (unit * 10**power for power in count() for unit in (1, 2, 5))
    step = next(step for step in steps if max(top, 1) <= 5 * step)
    return list(range(0, step * ceil(max(top, 1) / step) + 1, step))


def _render(chart, title: str, series: Sequence[Series]) -> Markup:
    root = chart.render_tree()  # an ElementTree <svg> with plain tag names
    for comment in [node for node in root if node.tag is ET.Comment]:  # pygal's credits, with links
        root.remove(comment)
    chart_id = root.get("id")  # pygal's: "chart-" and a fresh uuid
    root.attrib.update(
        {
            "xmlns": SVG,
            "class": "chart",
            "role": "img",
            "aria-labelledby": f"{chart_id}-title",
            "font-family": STYLE.font_family,
            "fill": INK,
        }
    )
    name = root.find("title")
    root.remove(name)
    root.remove(root.find("defs"))  # pygal's <style> and <script>
    _paint(root, _looks(series), axis="", serie=None)
    name.text, name.attrib["id"] = title, f"{chart_id}-title"
    root.insert(0, name)
    return Markup(ET.tostring(root, encoding="unicode"))  # noqa: S704 (ElementTree escapes every text and attribute)


def _looks(series: Sequence[Series]) -> list[tuple[str, str | None, str | None]]:
    """(colour, dash pattern, marker) of each series: reference lines take the dash patterns
    in turn, data lines the markers."""
    dashes, markers = cycle(DASHES), cycle(MARKERS)
    return [
        (PALETTE[index % len(PALETTE)], *((next(dashes), None) if line.dashed else (None, next(markers))))
        for index, line in enumerate(series)
    ]


def _paint(node: ET.Element, looks, *, axis: str, serie: int | None) -> None:
    """Write the look as attributes and drop what only pygal's tooltips used."""
    for child in list(node):
        tag, classes = child.tag, set(child.get("class", "").split())
        if not classes:
            child.attrib.pop("class", None)
        if (
            tag in ("desc", "title")
            or classes & {"tooltip-overlay", "text-overlay"}
            or (axis == "x" and "guide" in classes)  # vertical guides: hidden by pygal's CSS
        ):
            node.remove(child)
            continue
        child_axis = "x" if {"axis", "x"} <= classes else "y" if {"axis", "y"} <= classes else axis
        child_serie = next((int(name[6:]) for name in classes if name.startswith("serie-")), serie)
        if "legend" in classes:
            child.attrib.pop("id", None)  # "activate-serie-0": repeated by every chart
        if "background" in classes:
            child.set("fill", "#ffffff")
        elif tag == "path" and "guide" in classes:
            child.attrib.update({"stroke": GRID, "fill": "none"})
        elif tag == "path" and axis:
            child.attrib.update({"stroke": INK, "fill": "none"})
        elif tag == "text" and axis:
            size = STYLE.major_label_font_size if "major" in classes else STYLE.label_font_size
            anchor = "end" if axis == "y" or "backwards" in classes else "middle"  # slanted: end at the bar
            child.attrib.update({"font-size": str(size), "text-anchor": anchor})
        elif tag == "text" and "title" in classes:  # the axis titles
            child.attrib.update({"font-size": str(STYLE.title_font_size), "text-anchor": "middle"})
        elif tag == "text":  # legend
            child.set("font-size", str(STYLE.legend_font_size))
        elif tag == "rect" and "reactive" in classes and serie is None:  # legend box
            index = next(int(name[6:]) for name in classes if name.startswith("color-"))
            _swap(node, child, _legend_sample(child, *looks[index]))
            continue
        elif serie is not None and serie < len(looks):
            colour, dash, marker = looks[serie]
            if tag == "path":
                child.attrib.update({"stroke": colour, "fill": "none", "stroke-width": "2.5"})
                child.set("stroke-linejoin", "round")
                if dash:
                    child.attrib.update({"stroke-dasharray": dash, "stroke-width": "2", "stroke-linecap": "round"})
            elif tag == "rect":  # a bar
                child.set("fill", colour)
            elif tag == "circle" and marker:
                _swap(node, child, _marker(marker, float(child.get("cx")), float(child.get("cy")), 4, colour))
                continue
        _paint(child, looks, axis=child_axis, serie=child_serie)


def _swap(parent: ET.Element, old: ET.Element, new: ET.Element) -> None:
    parent[list(parent).index(old)] = new


def _legend_sample(box: ET.Element, colour: str, dash: str | None, marker: str | None) -> ET.Element:
    """The legend's colour box becomes a stretch of the line itself: its dashes, its marker."""
    x, y = float(box.get("x")), float(box.get("y")) + float(box.get("height")) / 2
    width = float(box.get("width"))
    sample = ET.Element("g")
    line = ET.SubElement(sample, "path", d=f"M{x - 6:g} {y:g} h{width + 6:g}", stroke=colour, fill="none")
    line.set("stroke-width", "2" if dash else "2.5")
    if dash:
        line.attrib.update({"stroke-dasharray": dash, "stroke-linecap": "round"})
    if marker:
        sample.append(_marker(marker, x + width / 2 - 3, y, 4, colour))
    return sample


def _marker(shape: str, x: float, y: float, r: float, colour: str) -> ET.Element:
    if shape == "circle":
        return ET.Element("circle", cx=f"{x:.1f}", cy=f"{y:.1f}", r=f"{r:g}", fill=colour)
    if shape == "square":
        side = r * 1.8
        return ET.Element(
            "rect", x=f"{x - side / 2:.1f}", y=f"{y - side / 2:.1f}", width=f"{side:g}", height=f"{side:g}", fill=colour
        )
    r *= 1.3
    points = f"{x:.1f},{y - r:.1f} {x + r:.1f},{y:.1f} {x:.1f},{y + r:.1f} {x - r:.1f},{y:.1f}"
    return ET.Element("polygon", points=points, fill=colour)
