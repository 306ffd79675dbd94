"""Charts (core.charts): inline SVG that runs no script, fetches nothing, names itself, tells
its lines apart without colour and speaks the reader's language. Parsed back, never grepped."""

from __future__ import annotations

from datetime import date, timedelta
from xml.etree import ElementTree as ET

from flask_babel import force_locale

from campaign.core.charts import Series, bar_chart, line_chart, short_date

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ET.Element:
    root = ET.fromstring(str(markup))  # noqa: S314 (our own markup)
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return [node.text for node in root.iter(f"{SVG}text") if node.text]


def days(count: int) -> list[date]:
    return [date(2026, 3, 1) + timedelta(days=offset) for offset in range(count)]


def rsvp_chart():
    labels = [short_date(day) for day in days(20)]
    return line_chart(
        "RSVPs over time",
        labels,
        [
            Series("Seats taken", [2 * offset for offset in range(20)]),
            Series("Waitlist", [None] * 15 + [1, 2, 3, 4, 5]),
            Series("Capacity", [30] * 20, dashed=True),
        ],
        y_title="People",
    )


def test_a_chart_runs_no_script_fetches_nothing_and_needs_no_inline_style(app):
    markup = str(rsvp_chart())
    root = parse(markup)
    tags = {node.tag for node in root.iter()}
    assert not tags & {f"{SVG}script", f"{SVG}style", f"{SVG}foreignObject", f"{SVG}a", f"{SVG}image"}
    # The page's Content-Security-Policy refuses style attributes: the look is in attributes.
    assert not [node for node in root.iter() if "style" in node.attrib]
    assert not [key for node in root.iter() for key in node.attrib if key.startswith("on")]
    assert markup.replace('xmlns="http://www.w3.org/2000/svg"', "").count("http") == 0
    assert "<!--" not in markup


def test_a_chart_is_an_image_named_by_its_title(app):
    root = parse(rsvp_chart())
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == "RSVPs over time"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == title.get("id")
    assert root.findall(f".//{SVG}title") == [title]  # no tooltip titles left for a reader to stumble on
    assert root.get("viewBox") and "width" not in root.attrib  # sized by the page's CSS
    assert not root.findall(f".//{SVG}desc")


def test_two_charts_on_a_page_share_no_id(app):
    ids = [node.get("id") for chart in (rsvp_chart(), rsvp_chart()) for node in parse(chart).iter() if node.get("id")]
    assert len(ids) == len(set(ids)) == 4  # each chart: the <svg> and its <title>


def test_lines_are_told_apart_by_more_than_colour(app):
    root = parse(rsvp_chart())
    lines = {
        group.get("class").split()[1]: group.find(f"{SVG}path")
        for group in root.iter(f"{SVG}g")
        if "series" in group.get("class", "") and group.find(f"{SVG}path") is not None
    }
    assert set(lines) == {"serie-0", "serie-1", "serie-2"}
    assert lines["serie-2"].get("stroke-dasharray")  # capacity: a reference line, dashed
    assert not lines["serie-0"].get("stroke-dasharray") and not lines["serie-1"].get("stroke-dasharray")
    assert len({path.get("stroke") for path in lines.values()}) == 3
    assert lines["serie-0"].get("fill") == "none"
    # Data lines carry different markers on the labelled days: circles, then squares.
    overlay = root.find(f".//{SVG}g[@class='plot overlay']")
    markers = {group.get("class").split()[1]: {node.tag for node in group.iter()} - {f"{SVG}g"} for group in overlay}
    assert markers == {"serie-0": {f"{SVG}circle"}, "serie-1": {f"{SVG}rect"}, "serie-2": set()}
    # The legend names each line beside a sample of it, dashes included.
    assert {"Seats taken", "Waitlist", "Capacity"} <= set(texts(root))
    legend_paths = [
        path
        for group in root.iter(f"{SVG}g")
        if "legend" in group.get("class", "").split()
        for path in group.iter(f"{SVG}path")
    ]
    assert [bool(path.get("stroke-dasharray")) for path in legend_paths] == [False, False, True]


def test_the_day_labels_are_few_enough_to_read_on_a_phone(app):
    root = parse(
        line_chart(
            "Over time", [short_date(day) for day in days(90)], [Series("Committed", list(range(90)))], y_title="People"
        )
    )
    day_labels = [text for text in texts(root) if text[:3] in ("Mar", "Apr", "May")]
    assert 2 <= len(day_labels) <= 10
    assert day_labels[0] == "Mar 1" and day_labels[-1] == "May 29"  # the first and the last day


def test_every_bar_of_a_few_categories_keeps_its_label(app):
    counties = ["Brown", "Outagamie", "Fond du Lac", "St. Croix", "Manitowoc", "Milwaukee", "Dane", "Waukesha"]
    root = parse(
        bar_chart("Counties", [(name, 100 - index) for index, name in enumerate(counties)], value_label="Signatures")
    )
    assert set(counties) <= set(texts(root))
    bars = [rect for group in root.iter(f"{SVG}g") if group.get("class") == "bar" for rect in group.iter(f"{SVG}rect")]
    assert len(bars) == 8 and {bar.get("fill") for bar in bars} == {"#0072B2"}


def test_values_are_whole_numbers_formatted_for_the_reader(app):
    points_by_day = list(zip(days(5), [0, 3000, 7000, 11000, 12345], strict=True))
    points = [(short_date(day), value) for day, value in points_by_day]
    english = texts(parse(bar_chart("Signatures per day", points, value_label="Signatures")))
    assert "10,000" in english and "0" in english and not [text for text in english if "." in text]
    with force_locale("es"):
        points = [(short_date(day), value) for day, value in points_by_day]
        root = parse(bar_chart("Firmas por día", points, value_label="Firmas"))
    spanish = texts(root)
    assert root.find(f"{SVG}title").text == "Firmas por día"
    assert "10.000" in spanish and "Firmas" in spanish
    assert "1 mar" in spanish and "Mar 1" not in spanish


def test_a_small_count_gets_whole_steps(app):
    root = parse(line_chart("One RSVP", ["Mar 1", "Mar 2"], [Series("Seats taken", [0, 1])], y_title="People"))
    assert [text for text in texts(root) if text.isdigit()] == ["0", "1"]


def test_a_ninety_day_bar_chart_draws_every_bar(app):
    points = [(short_date(day), (index * 37) % 50) for index, day in enumerate(days(90))]
    root = parse(bar_chart("Signatures per day", points, value_label="Signatures"))
    assert len([rect for group in root.iter(f"{SVG}g") if group.get("class") == "bar" for rect in group]) == 90
