"""The sign-in sheet printed for the day of a forum: people who registered tick their name,
walk-ins write theirs on the blank numbered rows after them.

Only names come from the RSVPs: the sheet lies open on a table, so their emails, phones and
ZIP codes are never printed (those cells are for walk-ins to fill in)."""

from __future__ import annotations

import unicodedata
from typing import BinaryIO

from babel.dates import format_date, format_time
from flask_babel import gettext as _
from flask_babel import ngettext
from reportlab.lib.units import inch

from campaign.core.i18n import current_language, localized
from campaign.forums.models import RSVP, Forum, RSVPStatus
from campaign.geo.services import zone_for
from campaign.packets.builder import heading
from campaign.packets.fonts import FONT, FONT_BOLD, printable, register_fonts
from campaign.packets.layout import BOTTOM, MARGIN, PAGE_WIDTH, WIDTH, Column, PacketCanvas, shorten, wrap

DEFAULT_BLANK_ROWS = 30
ROW_HEIGHT = 0.38 * inch  # room to write a name by hand
HEAD_SIZE = 8
HEAD_LEADING = 9.5
HEAD_HEIGHT = 2 * HEAD_LEADING + 6
NAME_SIZE = 10
NAME_LEADING = 11
NAME_BASELINE = 12  # below the row's top: room above for accents, below the second line for descenders
NOTE_SIZE = 7.5
NAME_LINES = 2  # what fits in a row; a note (guests, waitlist) takes the second line
PADDING = 4
TICK_BOX = 11


def sheet_columns() -> list[Column]:
    columns = [
        Column("number", _("No."), 28),
        Column("name", _("Name"), 182),
        Column("zip", _("ZIP code"), 50),
        Column("email", _("Email (optional)"), 125),
        Column("signature", _("Signature or initials"), 95),
    ]
    return [*columns, Column("arrived", _("Arrived"), WIDTH - sum(column.width for column in columns))]


def _filing_key(text: str) -> str:
    """Case and accents ignored, so "Ávila" sits with the A's, where a reader looks for it."""
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)).casefold()


def expected_attendees(forum: Forum) -> list[RSVP]:
    """Everyone going, then the waitlist, each by last name then first name. Anonymised
    RSVPs (erasure) have no name to print: they sign in at the door like a walk-in."""
    kept = (
        record
        for record in forum.rsvps
        if record.status in (RSVPStatus.GOING, RSVPStatus.WAITLISTED) and record.anonymised_at is None
    )
    return sorted(
        kept,
        key=lambda record: (
            record.status is RSVPStatus.WAITLISTED,
            _filing_key(record.last_name),
            _filing_key(record.first_name),
        ),
    )


def name_cell(record: RSVP, width: float) -> tuple[list[str], str]:
    """The name's lines and the note under them; a name too long for its lines is cut with
    "…" so the note always shows."""
    notes = [ngettext("+%(num)s guest", "+%(num)s guests", record.guests)] if record.guests else []
    if record.status is RSVPStatus.WAITLISTED:
        notes.append(_("waitlist"))
    note = " · ".join(notes)
    lines = wrap(printable(f"{record.last_name}, {record.first_name}"), FONT, NAME_SIZE, width)
    room = NAME_LINES - 1 if note else NAME_LINES
    if len(lines) > room:
        lines = lines[:room]
        lines[-1] = shorten(lines[-1] + "…", FONT, NAME_SIZE, width)
    return lines, note


def when(forum: Forum) -> str:
    """The day and the hours in the forum's own time zone, in the reader's language."""
    zone, locale = zone_for(forum.timezone), current_language()
    day = format_date(forum.starts_at.astimezone(zone).date(), "full", locale=locale)
    start = format_time(forum.starts_at, "short", tzinfo=zone, locale=locale)
    end = format_time(forum.ends_at, "short", tzinfo=zone, locale=locale)
    return f"{day} · {start} – {end}"


def where(forum: Forum) -> str:
    if not forum.venue_address:
        return _("Online")
    return ", ".join(part for part in (forum.venue_name, forum.venue_address) if part)


def title_block(pages: PacketCanvas, forum: Forum, y: float) -> float:
    canvas = pages.canvas
    canvas.setFont(FONT_BOLD, 10)
    canvas.setFillGray(0.35)
    canvas.drawString(MARGIN, y - 10, _("Sign-in sheet"))
    canvas.setFillGray(0)
    y = heading(pages, localized(forum, "title"), y - 16)
    y = pages.paragraphs(when(forum), y, size=11, gap=2)
    y = pages.paragraphs(where(forum), y, size=11, gap=8)
    y = pages.paragraphs(
        _("Registered? Find your name and tick the box. Not registered? Write your name on a blank row below."),
        y,
        size=9,
    )
    return y - 4


def table_head(pages: PacketCanvas, columns: list[Column], y: float) -> float:
    canvas = pages.canvas
    canvas.setFillGray(0.9)
    canvas.rect(MARGIN, y - HEAD_HEIGHT, WIDTH, HEAD_HEIGHT, stroke=1, fill=1)
    canvas.setFillGray(0)
    canvas.setFont(FONT_BOLD, HEAD_SIZE)
    x = MARGIN
    for column in columns:
        for index, line in enumerate(wrap(column.title, FONT_BOLD, HEAD_SIZE, column.width - 2 * PADDING)[:2]):
            canvas.drawString(x + PADDING, y - PADDING - HEAD_SIZE - index * HEAD_LEADING, line)
        x += column.width
    return y - HEAD_HEIGHT


def draw_row(
    pages: PacketCanvas, columns: list[Column], y: float, number: int, name_lines: list[str], note: str
) -> None:
    """One row from `y` down: its number, the name if known, the grid and the tick box."""
    canvas = pages.canvas
    bottom = y - ROW_HEIGHT
    canvas.setFont(FONT, NAME_SIZE)
    canvas.drawRightString(MARGIN + columns[0].width - PADDING, y - NAME_BASELINE, str(number))
    name_x = MARGIN + columns[0].width + PADDING
    for index, line in enumerate(name_lines):
        canvas.drawString(name_x, y - NAME_BASELINE - index * NAME_LEADING, line)
    if note:
        canvas.setFont(FONT, NOTE_SIZE)
        canvas.setFillGray(0.3)
        canvas.drawString(name_x, bottom + PADDING + 1, note)
        canvas.setFillGray(0)
    x = MARGIN
    for column in columns:
        canvas.line(x, y, x, bottom)
        x += column.width
    canvas.line(x, y, x, bottom)
    canvas.line(MARGIN, bottom, PAGE_WIDTH - MARGIN, bottom)
    box_x = PAGE_WIDTH - MARGIN - (columns[-1].width + TICK_BOX) / 2
    canvas.rect(box_x, bottom + (ROW_HEIGHT - TICK_BOX) / 2, TICK_BOX, TICK_BOX)


def build_signin_sheet(forum: Forum, stream: BinaryIO, blank_rows: int = DEFAULT_BLANK_ROWS) -> int:
    """Write the sheet to `stream`; returns the number of pages."""
    register_fonts()
    title = localized(forum, "title")
    pages = PacketCanvas(
        stream,
        header=f"{title} — {when(forum)}",
        footer=lambda page: _("Sign-in sheet · page %(page)s of", page=page),
        title=_("Sign-in sheet: %(title)s", title=title),
    )
    columns = sheet_columns()
    name_width = columns[1].width - 2 * PADDING
    rows = [name_cell(record, name_width) for record in expected_attendees(forum)]
    rows += [([], "")] * blank_rows
    y = table_head(pages, columns, title_block(pages, forum, pages.start_page()))
    for number, (name_lines, note) in enumerate(rows, start=1):
        if y - ROW_HEIGHT < BOTTOM:
            y = table_head(pages, columns, pages.start_page())
        draw_row(pages, columns, y, number, name_lines, note)
        y -= ROW_HEIGHT
    return pages.finish()
