"""The HTML part of every mail: the text (or a broadcast's rendered Markdown) in one layout,
templates/mail/_layout.html, with its CSS inlined. Mail programs drop <style> blocks and
<link>ed sheets, so only inline styles are sure to be seen."""

from __future__ import annotations

import re
from itertools import groupby

import css_inline
from flask import current_app
from markupsafe import Markup, escape

LAYOUT = "mail/_layout.html"
# Built once: a mail is inlined per message (transactional) or per language (broadcasts).
# The dark-mode media query cannot be inlined; it stays in a <style> for the programs that
# read one. Nothing is ever fetched: the layout links no sheet and no image.
INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)

URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
LIST_ITEM = ("- ", "* ")
BRACKETS = {")": "(", "]": "[", "}": "{"}


def _trim(url: str) -> str:
    """The URL without the punctuation of the sentence around it: "see https://x.org/a." or
    "(https://x.org/a)". A closing bracket the URL itself opened stays (Wikipedia's links)."""
    while url[-1] in ".,;:!?'*" or (url[-1] in BRACKETS and url.count(url[-1]) > url.count(BRACKETS[url[-1]])):
        url = url[:-1]
    return url


def _linked(line: str) -> Markup:
    """One line, escaped, with each http(s) address made a link that shows itself. Nothing
    else becomes a link: "javascript:" in a typed name stays text."""
    pieces: list[Markup] = []
    position = 0
    for found in URL.finditer(line):
        url = _trim(found.group())
        if url.endswith("://"):  # "https://." is no address
            continue
        pieces.append(escape(line[position : found.start()]))
        pieces.append(Markup('<a href="%s">%s</a>') % (url, url))
        position = found.start() + len(url)
    pieces.append(escape(line[position:]))
    return Markup("").join(pieces)


def _blocks(lines: list[str]) -> list[Markup]:
    """A paragraph's lines: runs of "- " or "* " lines make a list, the others a <p> whose
    line breaks stay."""
    blocks: list[Markup] = []
    for is_list, run in groupby(lines, key=lambda line: line.startswith(LIST_ITEM)):
        if is_list:
            items = Markup("").join(Markup("<li>%s</li>\n") % _linked(line[2:]) for line in run)
            blocks.append(Markup("<ul>\n%s</ul>\n") % items)
        else:
            blocks.append(Markup("<p>%s</p>\n") % Markup("<br>\n").join(_linked(line) for line in run))
    return blocks


def text_to_html(text: str) -> Markup:
    """A plain-text mail as HTML: blank lines part paragraphs, single newlines stay line
    breaks, addresses become links. Every character of the text is escaped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[Markup] = []
    for paragraph in PARAGRAPH_BREAK.split(text):
        if paragraph.strip():
            blocks.extend(_blocks([line.rstrip() for line in paragraph.strip().split("\n")]))
    return Markup("").join(blocks)


def mail_html(subject: str, text: str, locale: str, content: Markup | None = None) -> str:
    """The whole HTML part: `content` (a broadcast's Markdown and footer, already safe) or
    else the text, under the subject as the page's title and heading, in `locale`."""
    body = content if content is not None else text_to_html(text)
    # The layout has no words of its own to translate, so no force_locale: only `lang`.
    layout = current_app.jinja_env.get_template(LAYOUT)
    return INLINER.inline(layout.render(subject=subject, content=body, locale=locale))
