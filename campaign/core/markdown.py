"""The one Markdown renderer: raw HTML off, output sanitised, links marked nofollow."""

from __future__ import annotations

import nh3
from flask import current_app
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from markupsafe import Markup

from campaign.core.guard import PROCESS_EXITS

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
# For mail: an image would be fetched by every recipient's mail program from wherever it is
# hosted, telling that host who opened the message and from where. `![x](url)` stays a link.
_renderer_without_images = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable(
    "image"
)


def render_markdown(text: str | None, images: bool = True) -> Markup:
    if not text:
        return Markup("")
    html = (_renderer if images else _renderer_without_images).render(text)
    # markdown-it already escapes raw HTML and refuses javascript: links; nh3 is the
    # second lock on the door and adds rel attributes to every link.
    try:
        return Markup(nh3.clean(html, link_rel="nofollow noopener noreferrer"))  # noqa: S704 (sanitised above)
    except PROCESS_EXITS:
        raise
    except BaseException:  # a panic in nh3's Rust (a BaseException): the text, escaped, not a dead worker
        current_app.logger.exception("nh3 failed on a Markdown text")
        return Markup("<p>%s</p>") % text


def markdown_tree(text: str | None) -> SyntaxTreeNode:
    """The parsed document the web page renders, for renderers of other formats (the PDF
    packet): the same parser, so a text reads the same on screen and on paper. Links the
    parser refuses (javascript: and the like) are left as text."""
    return SyntaxTreeNode(_renderer.parse(text or ""))
