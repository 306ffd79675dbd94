"""Text that reaches petitions without a form (a paper import's cells) goes through the one
cleaner, and the organizer's county lines are read in time linear in their length."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from campaign.core.errors import NotFound
from campaign.extensions import db
from campaign.petitions import paper_import
from campaign.petitions.models import Signature
from campaign.petitions.services import clean_comment, parse_county_lines


def test_a_comment_loses_every_control_character_the_one_cleaner_removes():
    hostile = "Por mis\r\nvecinos\u202e\x85\x9b\u2066\x00\rfin\x07"
    assert clean_comment(hostile) == "Por mis\nvecinos\nfin"


def test_a_paper_import_comment_is_cleaned_like_a_typed_one(app, make_petition):
    petition = make_petition()
    data = "first_name,last_name,zip_code,comment\r\nAna,Ruiz,54301,mal\u202eo\x85 \x9b\u2066x\r\n".encode()
    paper_import.start_import(petition, "sheets.csv", data)
    db.session.commit()  # the eager test runner applies it after the commit
    assert db.session.scalar(select(Signature.comment)) == "malo x"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("55009", [("55009", None)]),
        ("55009 500", [("55009", 500)]),
        ("55009: 500", [("55009", 500)]),
        ("55009\t=\t500", [("55009", 500)]),
        ("Brown County, WI 250", [("55009", 250)]),
        ("Brown, WI", [("55009", None)]),
    ],
)
def test_county_lines_keep_their_meaning(app, line, expected):
    assert parse_county_lines(line) == expected


def test_a_county_line_of_spaces_is_read_in_linear_time(app):
    # The regex this replaces backtracked in cubic time: 1,500 spaces took about 10 s, and
    # the field takes 5,000 characters (minutes of a worker's CPU).
    started = time.perf_counter()
    with pytest.raises(NotFound):
        parse_county_lines("Brown" + " " * 4_990 + "x")
    assert time.perf_counter() - started < 1
