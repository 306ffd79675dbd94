"""The 2020 county list shipped in the addfips package (Census Bureau data, GPL-3.0 package)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from importlib import resources


def _rows(filename: str) -> Iterator[dict[str, str]]:
    with resources.files("addfips").joinpath("data", filename).open(encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def state_postal_by_fips() -> dict[str, str]:
    return {row["fips"]: row["postal"] for row in _rows("states.csv")}


def state_names() -> dict[str, str]:
    return {row["postal"]: row["name"] for row in _rows("states.csv")}


def counties_2020() -> list[dict[str, str]]:
    """Every county as a row ready for the counties table.

    The list names one code twice (American Samoa's Rose Island, renamed Rose Atoll):
    the later name wins. Minor Outlying Islands (74) have no state postal code and
    no residents to sign, so they are left out.
    """
    postal = state_postal_by_fips()
    by_fips: dict[str, dict[str, str]] = {}
    for row in _rows("counties_2020.csv"):
        if row["statefp"] not in postal:
            continue
        fips = row["statefp"] + row["countyfp"]
        by_fips[fips] = {
            "fips": fips,
            "state": postal[row["statefp"]],
            "state_fips": row["statefp"],
            "name": row["name"],
        }
    return list(by_fips.values())
