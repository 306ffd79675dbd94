"""Counties shaded by their strongest agreement in force: the national map of /where (an SVG
of its own, cached until an agreement changes) and a county's state map, parsed back."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import unescape
from itertools import pairwise

from campaign.accountability import maps
from campaign.accountability.maps import MODEL_FILLS, NO_AGREEMENT_FILL
from campaign.agreements.models import AgreementModel, AgreementStatus
from campaign.extensions import db

SVG = "{http://www.w3.org/2000/svg}"
BROWN, ADAMS, MARICOPA, HENNEPIN = "55009", "55001", "04013", "27053"


def parse(text: str) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 (our own markup)


def counties(svg: ET.Element) -> dict[str, ET.Element]:
    return {path.get("data-fips"): path for path in svg.iter(f"{SVG}path") if "shade-" in path.get("class", "")}


def legend_texts(svg: ET.Element) -> list[str]:
    legend = next(group for group in svg.iter(f"{SVG}g") if group.get("class") == "legend")
    return [text.text for text in legend.iter(f"{SVG}text")]


def national_svg(client) -> tuple[ET.Element, str]:
    """The map the /where page shows, fetched at the address the page gives it."""
    page = client.get("/where").get_data(as_text=True)
    source = unescape(re.search(r'<img class="county-map" src="([^"]+)"', page).group(1))
    response = client.get(source)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    return parse(response.get_data(as_text=True)), source


def test_the_national_map_shades_each_county_by_its_strongest_model(client, make_agreement):
    make_agreement()  # Brown: WSO
    make_agreement(agency="Brown County Jail", model=AgreementModel.JAIL_ENFORCEMENT, status=AgreementStatus.RESCINDED)
    make_agreement(agency="Maricopa County Sheriff's Office", state="AZ", county_fips=MARICOPA)
    make_agreement(
        agency="Maricopa County Sheriff's Office", state="AZ", county_fips=MARICOPA, model=AgreementModel.TASK_FORCE
    )
    svg, _source = national_svg(client)
    shapes = counties(svg)
    assert len(shapes) > 3000
    assert (
        shapes[BROWN].get("fill") == MODEL_FILLS[AgreementModel.WARRANT_SERVICE_OFFICER]
    )  # the rescinded JEM is not in force
    assert shapes[MARICOPA].get("fill") == MODEL_FILLS[AgreementModel.TASK_FORCE]
    assert shapes[ADAMS].get("fill") == NO_AGREEMENT_FILL
    assert shapes[BROWN].find(f"{SVG}title").text == "Brown County, WI: Warrant Service Officer model"
    assert shapes[ADAMS].find(f"{SVG}title").text == "Adams County, WI: No agreement in force known"
    assert legend_texts(svg) == [
        "287(g) agreements in force, by county",
        "No agreement in force known",
        "Warrant Service Officer model",
        "Jail Enforcement model",
        "Task Force model",
    ]
    description = svg.find(f"{SVG}desc").text
    assert "Warrant Service Officer model: 1." in description and "Task Force model: 1." in description


def test_the_categories_differ_in_lightness_not_only_in_hue(app):
    def lightness(colour: str) -> float:
        red, green, blue = (int(colour[index : index + 2], 16) for index in (1, 3, 5))
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    ordered = [NO_AGREEMENT_FILL] + [MODEL_FILLS[model] for model in AgreementModel]
    values = [lightness(colour) for colour in ordered]
    assert all(earlier - later > 40 for earlier, later in pairwise(values))


def test_the_where_page_lists_the_counties_in_a_table(client, make_agreement):
    make_agreement()
    page = client.get("/where").get_data(as_text=True)
    table = re.search(r"<table>.*?</table>", page, re.S).group(0)
    assert "<caption>Counties with an agreement, by model</caption>" in table
    assert re.search(r'<a href="/where/55009">Brown County, WI</a></th><td>Warrant Service Officer model</td>', table)
    assert "alt=" in re.search(r'<img class="county-map"[^>]*>', page).group(0)


def test_the_map_is_drawn_again_only_when_an_agreement_changes(app, client, make_agreement, monkeypatch):
    app.config["PAGE_CACHE_SECONDS"] = 0  # the page itself rendered each time: only the map is kept
    drawn = []
    draw = maps.agreements_map
    monkeypatch.setattr(maps, "agreements_map", lambda *args, **kwargs: drawn.append(args[0]) or draw(*args, **kwargs))
    agreement = make_agreement()
    first, first_source = national_svg(client)
    assert counties(first)[BROWN].get("class") == "shade-1"
    again, again_source = national_svg(client)
    assert again_source == first_source
    assert drawn == [None]  # once, for the first visitor

    agreement.model = AgreementModel.TASK_FORCE
    db.session.commit()
    changed, changed_source = national_svg(client)
    assert changed_source != first_source  # browsers holding the old map fetch the new one
    assert drawn == [None, None]
    assert counties(changed)[BROWN].get("fill") == MODEL_FILLS[AgreementModel.TASK_FORCE]

    db.session.delete(agreement)
    db.session.commit()
    removed, _source = national_svg(client)
    assert counties(removed)[BROWN].get("fill") == NO_AGREEMENT_FILL


def test_the_national_map_speaks_spanish(client, make_agreement):
    make_agreement()
    client.get("/where?lang=es")  # the choice is kept in a cookie
    svg, source = national_svg(client)
    assert "lang=es" in source
    assert "Modelo de Oficial de Servicio de Órdenes" in legend_texts(svg)
    assert "Warrant Service Officer model" not in legend_texts(svg)


def test_the_county_page_has_its_state_map_with_the_county_marked(client, make_agreement):
    make_agreement()
    make_agreement(agency="Hennepin County Sheriff", state="MN", county_fips=HENNEPIN)
    page = client.get("/where/55001").get_data(as_text=True)
    svg = parse(re.search(r"<svg.*?</svg>", page, re.S).group(0))
    shapes = counties(svg)
    assert len(shapes) == 72  # Wisconsin's counties only
    assert HENNEPIN not in shapes
    assert shapes[BROWN].get("fill") == MODEL_FILLS[AgreementModel.WARRANT_SERVICE_OFFICER]
    assert shapes[ADAMS].find(f"{SVG}title").text == "Adams County: No agreement in force known (this county)"
    marks = [path.get("data-fips") for path in svg.iter(f"{SVG}path") if path.get("class") == "target-mark"]
    assert marks == [ADAMS]
    assert "This county" in legend_texts(svg)
    links = {anchor.get("href") for anchor in svg.iter(f"{SVG}a")}
    assert "/where/55009" in links
    table = re.search(r"<table>.*?</table>", page, re.S).group(0)
    assert "Brown County, WI" in table and "Hennepin" not in table
