"""County maps drawn as SVG on the server, parsed back and read as a person would."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from flask_babel import force_locale, format_decimal, ngettext
from markupsafe import Markup
from sqlalchemy import select

from campaign.extensions import db
from campaign.geo.maps import county_map, state_has_map
from campaign.geo.models import County

SVG = "{http://www.w3.org/2000/svg}"
BROWN, OUTAGAMIE, DANE, MILWAUKEE, ADAMS = "55009", "55087", "55025", "55079", "55001"
VALUES = {BROWN: 1204, OUTAGAMIE: 310, DANE: 45}


def parse(text: str) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 (our own markup)


def signatures(number: int) -> str:
    return ngettext("%(count)s signature", "%(count)s signatures", number, count=format_decimal(number))


def draw(state: str | None = "WI", values=VALUES, targets=(), **options) -> str:
    options.setdefault("title", "Confirmed signatures by county")
    return str(county_map(state, values, targets, value_label=signatures, **options))


def counties(svg: ET.Element) -> dict[str, ET.Element]:
    """The county shapes (not the target overlays), by FIPS code."""
    return {
        path.get("data-fips"): path for path in svg.iter(f"{SVG}path") if path.get("class", "").startswith("shade-")
    }


def shade(path: ET.Element) -> int:
    return int(re.search(r"shade-(\d)", path.get("class")).group(1))


def title_of(element: ET.Element) -> str:
    return element.find(f"{SVG}title").text


def legend_texts(svg: ET.Element) -> list[str]:
    legend = next(group for group in svg.iter(f"{SVG}g") if group.get("class") == "legend")
    return [text.text for text in legend.iter(f"{SVG}text")]


def test_a_state_map_draws_each_of_its_counties_shaded_by_its_number(app):
    svg = parse(draw())
    shapes = counties(svg)
    wisconsin = set(db.session.scalars(select(County.fips).where(County.state == "WI")))
    assert len(shapes) == 72
    assert set(shapes) == wisconsin
    assert shade(shapes[BROWN]) == 5  # the most signatures: the darkest bin
    assert shade(shapes[ADAMS]) == 0  # none yet
    assert shade(shapes[DANE]) < shade(shapes[OUTAGAMIE]) < shade(shapes[BROWN])
    assert shapes[BROWN].get("fill") != shapes[ADAMS].get("fill")
    assert title_of(shapes[BROWN]) == "Brown County: 1,204 signatures"
    assert title_of(shapes[ADAMS]) == "Adams County: 0 signatures"
    assert all(shapes[fips].get("d").startswith("M") for fips in shapes)


def test_the_view_box_is_cropped_to_the_state(app):
    svg = parse(draw())
    _x, _y, width, height = (float(number) for number in svg.get("viewBox").split())
    assert svg.get("width") == "100%"
    assert width == 1000
    assert 900 < height < 1400  # Wisconsin is a little taller than wide, plus the legend below
    assert parse(draw(None)).get("viewBox").startswith("0 0 975 ")


def test_target_counties_are_outlined_hatched_and_named(app):
    svg = parse(draw(targets=[BROWN, MILWAUKEE]))
    marks = {path.get("data-fips"): path for path in svg.iter(f"{SVG}path") if path.get("class") == "target-mark"}
    assert set(marks) == {BROWN, MILWAUKEE}
    pattern_ids = {pattern.get("id") for pattern in svg.iter(f"{SVG}pattern")}
    for mark in marks.values():
        assert mark.get("stroke") == "#111111"
        assert float(mark.get("stroke-width")) >= 2
        assert mark.get("vector-effect") == "non-scaling-stroke"
        assert mark.get("fill").removeprefix("url(#").removesuffix(")") in pattern_ids
    shapes = counties(svg)
    assert title_of(shapes[BROWN]) == "Brown County: 1,204 signatures (target county)"
    assert title_of(shapes[MILWAUKEE]) == "Milwaukee County: 0 signatures (target county)"
    assert "target" not in title_of(shapes[DANE])
    # Drawn after every county, so no neighbour hides the outline.
    order = list(svg.iter(f"{SVG}path"))
    assert order.index(marks[BROWN]) > max(order.index(shape) for shape in shapes.values())
    assert "Target county" in legend_texts(svg)
    assert "Target counties: Brown County and Milwaukee County." in svg.find(f"{SVG}desc").text


def test_title_and_description_name_the_map_and_its_leaders(app):
    svg = parse(draw(targets=[BROWN]))
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    elements = {element.get("id"): element for element in svg.iter() if element.get("id")}
    assert elements[title_id].tag == f"{SVG}title"
    assert elements[title_id].text == "Confirmed signatures by county"
    assert elements[desc_id].tag == f"{SVG}desc"
    assert elements[desc_id].text == (
        "Map of the counties of Wisconsin, darker where the number is higher. "
        "Highest: Brown County (1,204 signatures), Outagamie County (310 signatures), "
        "and Dane County (45 signatures). Target county: Brown County."
    )


def test_the_legend_gives_each_bin_its_range_without_gaps(app):
    values = {BROWN: 1204, OUTAGAMIE: 310, DANE: 45, MILWAUKEE: 12, "55133": 7, "55059": 3, "55139": 1}
    svg = parse(draw(values=values))
    texts = legend_texts(svg)
    assert texts[0] == "Confirmed signatures by county"
    assert texts[1] == "None yet"
    ranges = [[int(number.replace(",", "")) for number in text.split("–")] for text in texts[2:]]
    assert len(ranges) == 5
    assert ranges[0][0] == 1
    assert ranges[-1][-1] == 1204
    for before, after in zip(ranges, ranges[1:], strict=False):
        assert after[0] == before[-1] + 1
    # Each county sits in the bin whose range holds its number.
    shapes = counties(svg)
    for fips, number in values.items():
        low, *high = ranges[shade(shapes[fips]) - 1]
        assert low <= number <= (high[0] if high else low)


def test_a_map_without_numbers_says_so(app):
    svg = parse(draw(values={}))
    assert {shade(path) for path in counties(svg).values()} == {0}
    assert legend_texts(svg)[1:] == ["None yet"]
    assert svg.find(f"{SVG}desc").text.endswith("No county has any yet.")


def test_one_county_with_signatures_is_in_the_darkest_bin(app):
    svg = parse(draw(values={DANE: 1, BROWN: -4}))
    shapes = counties(svg)
    assert shade(shapes[DANE]) == 5
    assert shade(shapes[BROWN]) == 0
    assert legend_texts(svg)[2:] == ["1"]


def test_the_map_speaks_the_language_of_the_request(app):
    with force_locale("es"):
        svg = parse(draw(targets=[BROWN, DANE], title="Firmas confirmadas por condado"))
    desc = svg.find(f"{SVG}desc").text
    assert desc.startswith("Mapa de los condados de Wisconsin, más oscuros donde la cifra es mayor.")
    assert "Condados de la petición: Brown County y Dane County." in desc
    assert "Ninguno todavía" in legend_texts(svg)
    assert "Condado de la petición" in legend_texts(svg)
    assert title_of(counties(svg)[BROWN]).endswith("(condado de la petición)")


def test_the_map_needs_no_script_and_nothing_from_elsewhere(app):
    text = draw(targets=[BROWN])
    assert text.startswith("<svg ")
    assert "<?xml" not in text
    svg = parse(text)
    assert not list(svg.iter(f"{SVG}script"))
    assert not list(svg.iter(f"{SVG}style"))  # the Content-Security-Policy allows no inline style
    assert "http" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "href" not in text
    assert not any(
        "style" in element.attrib or any(name.startswith("on") for name in element.attrib) for element in svg.iter()
    )


def test_text_from_the_caller_is_escaped(app):
    svg = parse(draw(title='Signers <b>"here"</b> & there'))
    assert svg.find(f"{SVG}title").text == 'Signers <b>"here"</b> & there'
    assert not list(svg.iter("b"))


def test_two_maps_on_one_page_keep_their_ids_apart(app):
    with app.test_request_context("/"):
        pages = [parse(draw("WI", targets=[BROWN])), parse(draw("MN", targets=["27137"]))]
    ids = [element.get("id") for svg in pages for element in svg.iter() if element.get("id")]
    assert len(ids) == len(set(ids)) == 6  # title, desc and hatch pattern of each
    for svg in pages:
        own = {element.get("id") for element in svg.iter() if element.get("id")}
        assert set(svg.get("aria-labelledby").split()) <= own
        fills = {element.get("fill") for element in svg.iter() if (element.get("fill") or "").startswith("url(")}
        assert {fill[5:-1] for fill in fills} <= own


def test_with_links_each_county_leads_to_its_page(app):
    svg = parse(draw(link=lambda fips: f"/organize/counties/{fips}?from=map&x=1"))
    links = list(svg.iter(f"{SVG}a"))
    assert len(links) == 72
    brown = next(link for link in links if link.find(f"{SVG}path").get("data-fips") == BROWN)
    assert brown.get("href") == f"/organize/counties/{BROWN}?from=map&x=1"
    assert brown.get("aria-label") == "Brown County: 1,204 signatures"
    assert svg.get("role") == "group"  # an image's children are not reachable: links need a group


@pytest.mark.parametrize("state", ["PR", "GU", "VI", "AS", "MP", "ZZ", "", "wisconsin"])
def test_a_state_the_atlas_does_not_draw_gives_no_map(app, state):
    assert county_map(state, VALUES, title="Signatures", value_label=signatures) == Markup("")
    assert not state_has_map(state)


def test_the_atlas_draws_the_fifty_states_and_dc(app):
    states = set(db.session.scalars(select(County.state).distinct()))
    drawn = {state for state in states if state_has_map(state)}
    assert len(drawn) == 51
    assert {"WI", "DC", "AK", "HI"} <= drawn
    assert state_has_map(" wi ")
    assert draw("wi").replace("county-map-1", "county-map-2") == draw("WI")


def test_the_national_map_draws_every_county_and_the_state_lines(app):
    svg = parse(draw(None, targets=[BROWN]))
    shapes = counties(svg)
    assert len(shapes) >= 3100
    # Every county the atlas draws (2017 boundaries) is in the 2020 list, so each has its full name.
    assert set(shapes) <= set(db.session.scalars(select(County.fips)))
    assert title_of(shapes[BROWN]) == "Brown County, WI: 1,204 signatures (target county)"
    assert title_of(shapes["53033"]) == "King County, WA: 0 signatures"
    assert any(path.get("class") == "state-lines" for path in svg.iter(f"{SVG}path"))
    assert svg.find(f"{SVG}desc").text.startswith("Map of the counties of the United States")
