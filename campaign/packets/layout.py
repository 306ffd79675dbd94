"""Drawing on the ReportLab canvas: page frame, wrapped text, the signature table.

Signature pages are drawn straight on the canvas, a page at a time, from rows streamed out
of the database: memory stays flat whatever the number of signatures (a platypus table of
all rows would hold them all and take minutes)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream, PDFZCompress
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame

from campaign.packets.fonts import FONT, FONT_BOLD, printable

PAGE_WIDTH, PAGE_HEIGHT = LETTER
MARGIN = 0.6 * inch
TOP = PAGE_HEIGHT - MARGIN - 18  # below the running header
BOTTOM = MARGIN + 18  # above the footer
WIDTH = PAGE_WIDTH - 2 * MARGIN
TOTAL_FORM = "page-total"


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines no wider than `width`; a word longer than a line is cut, never overflowing."""
    if stringWidth(text, font, size) <= width:
        return [text]
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if stringWidth(candidate, font, size) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while stringWidth(word, font, size) > width:
            cut = len(word) - 1
            while cut > 1 and stringWidth(word[:cut], font, size) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines


def shorten(text: str, font: str, size: float, width: float) -> str:
    """`text` cut with "…" until it fits in `width`."""
    while stringWidth(text, font, size) > width and len(text) > 4:
        text = text[:-4] + "…"
    return text


class PacketCanvas:
    """A canvas that frames every page: running header, and a footer ending in "page X of Y".
    `footer(page)` gives the footer up to "of" (the document's name or ID, and the page
    number); Y is drawn after it through a form filled in once the last page is known."""

    def __init__(self, stream, header: str, footer: Callable[[int], str], title: str):
        self.canvas = Canvas(stream, pagesize=LETTER, pageCompression=1)
        self.canvas.setTitle(title)
        self.canvas.setCreator("Campaign organizer (AGPL-3.0)")
        self.header = printable(header)
        self.footer = footer
        self.page = 0

    def start_page(self) -> float:
        if self.page:
            self.canvas.showPage()
            self._compress_finished_page()
        self.page += 1
        canvas = self.canvas
        canvas.setFont(FONT, 8)
        canvas.setFillGray(0.35)
        canvas.drawString(MARGIN, PAGE_HEIGHT - MARGIN, shorten(self.header, FONT, 8, WIDTH))
        canvas.line(MARGIN, PAGE_HEIGHT - MARGIN - 5, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - MARGIN - 5)
        footer = self.footer(self.page) + " "
        canvas.drawString(MARGIN, MARGIN, footer)
        canvas.saveState()
        canvas.translate(MARGIN + stringWidth(footer, FONT, 8), MARGIN)
        canvas.doForm(TOTAL_FORM)
        canvas.restoreState()
        canvas.setFillGray(0)
        return TOP

    def _compress_finished_page(self) -> None:
        """ReportLab keeps every page's drawing commands as text until save(): 17 kB a page,
        so memory would grow with the packet. Compressing each page as it is finished (as
        save() would) keeps it flat."""
        page = self.canvas._doc.Pages.pages[-1]
        if page.stream:
            filters = PDFDictionary({"Filter": PDFArray([PDFName(PDFZCompress.pdfname)])})
            page.Contents = PDFStream(filters, PDFZCompress.encode(page.stream))
            page.stream = None

    def finish(self) -> int:
        canvas = self.canvas
        canvas.beginForm(TOTAL_FORM)
        canvas.setFont(FONT, 8)
        canvas.setFillGray(0.35)
        canvas.drawString(0, 0, str(self.page))
        canvas.endForm()
        canvas.save()
        return self.page

    def paragraphs(
        self, text: str, y: float, size: float = 10.5, font: str = FONT, leading: float | None = None, gap: float = 6
    ) -> float:
        """Draw plain-text paragraphs from `y`, turning pages as needed; returns the new y."""
        leading = leading or size * 1.4
        for paragraph in (printable(part).strip() for part in text.split("\n")):
            for line in wrap(paragraph, font, size, WIDTH) if paragraph else []:
                if y - leading < BOTTOM:
                    y = self.start_page()
                self.canvas.setFont(font, size)
                self.canvas.drawString(MARGIN, y - size, line)
                y -= leading
            y -= gap
        return y

    def flow(self, flowables: list[Flowable], y: float) -> float:
        """Lay flowables (paragraphs, lists) out from `y`, splitting them over as many pages
        as they need; returns the new y."""
        pending = list(flowables)
        while pending:
            frame = Frame(
                MARGIN, BOTTOM, WIDTH, y - BOTTOM, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0
            )
            while pending:
                if frame.add(pending[0], self.canvas):
                    pending.pop(0)
                    continue
                parts = frame.split(pending[0], self.canvas)
                if not parts:
                    break
                pending[0:1] = parts
            y = self.start_page() if pending else frame._y
        return y


def running_header(*parts: str) -> str:
    """The parts of a running header, each once: a petition named like its campaign is not
    printed twice."""
    kept: list[str] = []
    for part in parts:
        if part and " ".join(part.split()).casefold() not in {" ".join(seen.split()).casefold() for seen in kept}:
            kept.append(part)
    return " — ".join(kept)


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: float


def signature_columns(include_address: bool) -> list[Column]:
    columns = [
        Column("number", "#", 40),
        Column("name", _("Name"), 150 if not include_address else 110),
        Column("city", _("City"), 80),
        Column("county", _("County"), 90),
        Column("zip", _("ZIP"), 36),
        Column("signed", _("Signed"), 58),
        Column("source", _("Source"), 0),
    ]
    if include_address:
        columns.insert(2, Column("address", _("Street address"), 120))
        columns[3] = Column("city", _("City"), 64)
        columns[4] = Column("county", _("County"), 70)
    used = sum(column.width for column in columns)
    columns[-1] = Column("source", _("Source"), WIDTH - used)
    return columns


ROW_SIZE = 8
ROW_LEADING = 10.5


def draw_signature_pages(
    pages: PacketCanvas,
    county_groups: Iterable[tuple[str, int, Iterable[dict]]],
    include_address: bool,
    on_row: Callable[[int], None] | None = None,
) -> int:
    """One section per county: its heading, then its rows in signing order. Rows are
    dicts of already-printable strings. Returns the number of rows drawn."""
    canvas = pages.canvas
    columns = signature_columns(include_address)
    comment_label = _("Comment:") + " "
    drawn = 0

    def table_head(y: float, county: str, continued: bool) -> float:
        canvas.setFont(FONT_BOLD, 11)
        title = county + (" " + _("(continued)") if continued else "")
        canvas.drawString(MARGIN, y - 11, title)
        y -= 20
        canvas.setFont(FONT_BOLD, ROW_SIZE)
        x = MARGIN
        for column in columns:
            canvas.drawString(x, y - ROW_SIZE, column.title)
            x += column.width
        canvas.line(MARGIN, y - ROW_SIZE - 3, PAGE_WIDTH - MARGIN, y - ROW_SIZE - 3)
        return y - ROW_LEADING - 4

    for county, count, rows in county_groups:
        y = pages.start_page()
        heading = f"{county} — " + ngettext("%(num)s confirmed signature", "%(num)s confirmed signatures", count)
        y = table_head(y, heading, continued=False)
        text = canvas.beginText()
        text.setFont(FONT, ROW_SIZE)
        for row in rows:
            cells = [wrap(row[column.key], FONT, ROW_SIZE, column.width - 4) for column in columns]
            comment = wrap(comment_label + row["comment"], FONT, ROW_SIZE - 0.5, WIDTH - 40) if row["comment"] else []
            height = max(len(lines) for lines in cells) * ROW_LEADING + len(comment) * ROW_LEADING + 2
            if y - height < BOTTOM:
                canvas.drawText(text)
                y = pages.start_page()
                y = table_head(y, heading, continued=True)
                text = canvas.beginText()
                text.setFont(FONT, ROW_SIZE)
            x = MARGIN
            for column, lines in zip(columns, cells, strict=True):
                for index, line in enumerate(lines):
                    text.setTextOrigin(x, y - ROW_SIZE - index * ROW_LEADING)
                    text.textOut(line)
                x += column.width
            y -= max(len(lines) for lines in cells) * ROW_LEADING
            if comment:
                text.setFont(FONT, ROW_SIZE - 0.5)
                for line in comment:
                    text.setTextOrigin(MARGIN + 40, y - ROW_SIZE)
                    text.textOut(line)
                    y -= ROW_LEADING
                text.setFont(FONT, ROW_SIZE)
            y -= 2
            drawn += 1
            if on_row is not None:
                on_row(drawn)
        canvas.drawText(text)
    return drawn
