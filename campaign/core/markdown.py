"""The one Markdown renderer: raw HTML off, output sanitised, links marked nofollow."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from markupsafe import Markup

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def render_markdown(text: str | None) -> Markup:
    if not text:
        return Markup("")
    html = _renderer.render(text)
    # markdown-it already escapes raw HTML and refuses javascript: links; nh3 is the
    # second lock on the door and adds rel attributes to every link.
    return Markup(nh3.clean(html, link_rel="nofollow noopener noreferrer"))  # noqa: S704 (sanitised above)


def markdown_tree(text: str | None) -> SyntaxTreeNode:
    """The parsed document the web page renders, for renderers of other formats (the PDF
    packet): the same parser, so a text reads the same on screen and on paper. Links the
    parser refuses (javascript: and the like) are left as text."""
    return SyntaxTreeNode(_renderer.parse(text or ""))
