"""The meetings builders (tests/meetings/fixtures.py), for every test of this folder."""

from tests.meetings.fixtures import make_agenda_item, make_meeting  # noqa: F401
