"""Organizer-written Markdown as ReportLab flowables, walked from the tree the web page is
rendered from (core.markdown), so the petition reads on paper as it does on screen.

ReportLab's paragraphs take a mini-markup of their own: every piece of text from the tree is
escaped before it goes in, and only the tags written here (<b>, <i>, <a>, <br/>) are markup."""

from __future__ import annotations

from dataclasses import dataclass, replace
from xml.sax.saxutils import escape

from markdown_it.tree import SyntaxTreeNode
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, HRFlowable, Indenter, ListFlowable, ListItem, Paragraph

from campaign.core.markdown import markdown_tree
from campaign.packets.fonts import FONT, FONT_BOLD, printable

LINK_COLOR = colors.HexColor("#1b4d6b")
QUOTE_COLOR = colors.HexColor("#444444")
LINK_SCHEMES = ("http://", "https://", "mailto:")
HEADING_SIZES = {1: 1.45, 2: 1.3, 3: 1.15}  # times the body size; h4 to h6 are bold body text
INDENT = 18


@dataclass(frozen=True)
class TextStyle:
    size: float = 10.5
    gap: float = 6
    color: colors.Color = colors.black
    font: str = FONT

    def paragraph(self, font: str | None = None, size: float | None = None, before: float = 0) -> ParagraphStyle:
        size = size or self.size
        return ParagraphStyle(
            "packet",
            fontName=font or self.font,
            fontSize=size,
            leading=size * 1.4,
            spaceBefore=before,
            spaceAfter=self.gap,
            textColor=self.color,
        )


def text(content: str) -> str:
    """Plain text made safe for a paragraph: printable by the font, markup characters escaped."""
    return escape(printable(content))


def _words(nodes: list[SyntaxTreeNode]) -> str:
    return "".join(node.content + _words(node.children) for node in nodes)


def _link(node: SyntaxTreeNode) -> str:
    label = _inline(node.children)
    href = str(node.attrs.get("href", ""))
    if not href.lower().startswith(LINK_SCHEMES):
        return label
    shown = href.removeprefix("mailto:")
    # On paper a link cannot be followed: its address is printed after its words.
    after = "" if _words(node.children).strip() in (href, shown) else f" ({text(shown)})"
    return f'<a href="{escape(href, {chr(34): "&quot;"})}" color="{LINK_COLOR.hexval()}">{label}</a>{after}'


def _inline(nodes: list[SyntaxTreeNode]) -> str:
    parts = []
    for node in nodes:
        match node.type:
            case "softbreak":
                parts.append(" ")  # a line break in the source is not a new paragraph
            case "hardbreak":
                parts.append("<br/>")
            case "em":
                parts.append(f"<i>{_inline(node.children)}</i>")
            case "strong":
                parts.append(f"<b>{_inline(node.children)}</b>")
            case "link":
                parts.append(_link(node))
            case _:  # text, code, an image's alt text, and anything else: its words only
                parts.append(text(node.content) + _inline(node.children))
    return "".join(parts)


def _blocks(nodes: list[SyntaxTreeNode], style: TextStyle) -> list[Flowable]:
    flowables: list[Flowable] = []
    for node in nodes:
        match node.type:
            case "paragraph":
                flowables.append(Paragraph(_inline(node.children[0].children), style.paragraph()))
            case "heading":
                level = int(node.tag[1:])
                size = style.size * HEADING_SIZES.get(level, 1)
                flowables.append(Paragraph(_inline(node.children[0].children), style.paragraph(FONT_BOLD, size, 4)))
            case "bullet_list" | "ordered_list":
                flowables.append(_list(node, style))
            case "blockquote":
                quoted = replace(style, color=QUOTE_COLOR)
                flowables += [Indenter(left=INDENT), *_blocks(node.children, quoted), Indenter(left=-INDENT)]
            case "code_block" | "fence":
                lines = "<br/>".join(text(line) for line in node.content.rstrip("\n").split("\n"))
                flowables.append(Paragraph(lines, style.paragraph()))
            case "hr":
                flowables.append(HRFlowable(width="100%", thickness=0.5, color=colors.grey, spaceAfter=style.gap))
            case _:
                flowables += _blocks(node.children, style)
    return flowables


def _list(node: SyntaxTreeNode, style: TextStyle) -> ListFlowable:
    item_style = replace(style, gap=2)
    items = [ListItem(_blocks(item.children, item_style)) for item in node.children]
    numbered = node.type == "ordered_list"
    return ListFlowable(
        items,
        bulletType="1" if numbered else "bullet",
        start=int(node.attrs.get("start", 1)) if numbered else "•",
        bulletFormat="%s." if numbered else None,
        bulletFontName=FONT,
        bulletFontSize=style.size,
        leftIndent=INDENT,
        spaceAfter=style.gap,
    )


def markdown_flowables(source: str | None, style: TextStyle | None = None) -> list[Flowable]:
    """The flowables of a Markdown text: paragraphs, headings, lists, quotes, code, rules."""
    return _blocks(markdown_tree(source).children, style or TextStyle())


def plain_flowables(source: str | None, style: TextStyle) -> list[Flowable]:
    """A plain text (no Markdown) as one paragraph, its line breaks read as spaces, as a web
    page shows it."""
    return [Paragraph(text(source or ""), style.paragraph())] if source and source.strip() else []
