"""The packet PDF: cover letter, petition, summary with chart, signatures by county,
certification with a QR code to the verification page."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from flask_babel import format_date, format_datetime, ngettext
from flask_babel import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors

from campaign.packets.fonts import FONT, FONT_BOLD, printable, register_fonts
from campaign.packets.layout import (
    BOTTOM,
    MARGIN,
    PAGE_WIDTH,
    WIDTH,
    PacketCanvas,
    draw_signature_pages,
    running_header,
    wrap,
)
from campaign.packets.markdown import TextStyle, markdown_flowables, plain_flowables

CHART_COUNTIES = 15


@dataclass
class PacketContent:
    """Everything printed, already chosen and translated by the caller."""

    packet_id: str
    campaign_title: str
    petition_title: str
    ask: str
    body: str
    letter: str
    recipients: list[str]
    organization: str
    generated_at: datetime
    verify_url: str
    total: int
    residents: int | None
    online: int
    paper: int
    via_partners: int  # online signatures that came through a partner organization's share link
    anonymous: int  # counted, but printed without a name (erased on request, or past retention)
    county_counts: list[tuple[str, int]]
    include_address: bool
    signatures: Iterable[tuple[str, int, Iterable[dict]]]


def heading(pages: PacketCanvas, text: str, y: float, size: float = 16) -> float:
    canvas = pages.canvas
    for line in wrap(printable(text), FONT_BOLD, size, WIDTH):
        canvas.setFont(FONT_BOLD, size)
        canvas.drawString(MARGIN, y - size, line)
        y -= size * 1.3
    return y - 8


def cover_letter(pages: PacketCanvas, content: PacketContent) -> None:
    y = pages.start_page()
    canvas = pages.canvas
    canvas.setFont(FONT, 10)
    canvas.drawRightString(PAGE_WIDTH - MARGIN, y - 10, printable(format_date(content.generated_at, "long")))
    y -= 30
    for line in content.recipients:
        y = pages.paragraphs(line, y, size=10.5, gap=0)
    y -= 18
    y = heading(pages, content.petition_title, y, size=14)
    pages.paragraphs(content.letter, y)


def petition_text(pages: PacketCanvas, content: PacketContent) -> None:
    y = heading(pages, content.petition_title, pages.start_page())
    y = pages.flow(plain_flowables(content.ask, TextStyle(size=12, gap=12, font=FONT_BOLD)), y)
    pages.flow(markdown_flowables(content.body), y)


def summary(pages: PacketCanvas, content: PacketContent) -> None:
    y = heading(pages, _("Summary"), pages.start_page())
    canvas = pages.canvas
    lines = [_("Confirmed signatures: %(count)s", count=f"{content.total:,}")]
    if content.residents is not None:
        lines.append(_("Residents of the counties the petition is about: %(count)s", count=f"{content.residents:,}"))
    lines.append(
        _("Signed online: %(online)s · on paper: %(paper)s", online=f"{content.online:,}", paper=f"{content.paper:,}")
    )
    if content.via_partners:
        lines.append(_("Of these, through partner organizations: %(count)s", count=f"{content.via_partners:,}"))
    if content.anonymous:
        lines.append(
            ngettext(
                "%(num)s signature is counted without a name: the signer asked to be removed, "
                "or the time names are kept has passed.",
                "%(num)s signatures are counted without a name: the signers asked to be removed, "
                "or the time names are kept has passed.",
                content.anonymous,
            )
        )
    for line in lines:
        y = pages.paragraphs(line, y, size=11.5, gap=2)
    y -= 10
    canvas.setFont(FONT_BOLD, 9.5)
    canvas.drawString(MARGIN, y - 10, _("County"))
    canvas.drawRightString(MARGIN + 300, y - 10, _("Confirmed signatures"))
    y -= 16
    for label, count in content.county_counts:
        if y - 13 < BOTTOM:
            y = pages.start_page()
        canvas.setFont(FONT, 9.5)
        canvas.drawString(MARGIN, y - 10, printable(label))
        canvas.drawRightString(MARGIN + 300, y - 10, f"{count:,}")
        y -= 13
    shown = content.county_counts[:CHART_COUNTIES]
    if shown:
        height = 40 + 16 * len(shown)
        if y - height - 20 < BOTTOM:
            y = pages.start_page()
        drawing = Drawing(WIDTH, height)
        chart = HorizontalBarChart()
        chart.x, chart.y, chart.width, chart.height = 150, 20, WIDTH - 170, height - 30
        chart.data = [[count for _label, count in reversed(shown)]]
        chart.categoryAxis.categoryNames = [printable(label) for label, _count in reversed(shown)]
        chart.categoryAxis.labels.fontName = FONT
        chart.categoryAxis.labels.fontSize = 7.5
        chart.valueAxis.labels.fontName = FONT
        chart.valueAxis.labels.fontSize = 7.5
        chart.valueAxis.valueMin = 0
        chart.bars[0].fillColor = colors.HexColor("#1b4d6b")
        drawing.add(chart)
        renderPDF.draw(drawing, canvas, MARGIN, y - height - 10)


def certification(pages: PacketCanvas, content: PacketContent) -> None:
    y = heading(pages, _("Certification"), pages.start_page())
    text = "\n".join(
        [
            _(
                'This packet holds %(count)s confirmed signatures of the petition "%(title)s".',
                count=f"{content.total:,}",
                title=content.petition_title,
            ),
            _(
                "Online signatures were confirmed by each signer through a link sent to their email address. "
                'Signatures gathered on paper were typed in by organizers and are marked "paper".'
            ),
            _("Email addresses and phone numbers are never printed."),
            _(
                "Generated on %(date)s by %(organization)s.",
                date=format_datetime(content.generated_at, "long"),
                organization=content.organization,
            ),
            _("Packet ID: %(id)s", id=content.packet_id),
            _(
                "To check that this packet is genuine and unchanged, open %(url)s or scan the code below.",
                url=content.verify_url,
            ),
        ]
    )
    y = pages.paragraphs(text, y)
    size = 130
    widget = QrCodeWidget(content.verify_url)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, pages.canvas, MARGIN, max(BOTTOM, y - size - 10))


def build_pdf(content: PacketContent, stream: BinaryIO, on_row: Callable[[int], None] | None = None) -> int:
    """Write the packet to `stream`; returns the number of pages."""
    register_fonts()
    pages = PacketCanvas(
        stream,
        header=running_header(content.campaign_title, content.petition_title),
        footer=lambda page: _("Packet %(id)s · page %(page)s of", id=content.packet_id, page=page),
        title=content.petition_title,
    )
    cover_letter(pages, content)
    petition_text(pages, content)
    summary(pages, content)
    draw_signature_pages(pages, content.signatures, content.include_address, on_row)
    certification(pages, content)
    return pages.finish()
