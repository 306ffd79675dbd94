"""A broadcast as its recipients read it, in their language: the Markdown body as text and
as HTML in the one mail layout, a footer saying why they get it with an unsubscribe link,
and the RFC 8058 headers that let a mail program unsubscribe in one click.

Rendering runs once per language per batch; each recipient's own unsubscribe link is
then put in place of a marker, so 100,000 recipients cost 100,000 string replacements, not
100,000 Markdown renderings."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from campaign.broadcasts.models import Broadcast
from campaign.core.markdown import render_markdown
from campaign.core.tokens import TokenPurpose
from campaign.core.urls import external_url
from campaign.outbox.html import mail_html

UNSUBSCRIBE = TokenPurpose(
    "broadcast-unsubscribe",
    invalid=_l("This unsubscribe link is not valid. Use the link in the latest message you received."),
    expired=_l("This unsubscribe link has expired. Use the link in the latest message you received."),
)
LINK_MARKER = "@@UNSUBSCRIBE-LINK@@"


def unsubscribe_token(person_id: int, campaign_id: int, broadcast_id: int) -> str:
    return UNSUBSCRIBE.dumps(person_id, campaign_id, broadcast_id)


def unsubscribe_url(token: str, language: str) -> str:
    """The page opens in the language the message was written in, whatever the browser says."""
    return external_url("broadcasts.unsubscribe", token=token, lang=language)


def written_languages(broadcast: Broadcast) -> tuple[str, ...]:
    return ("en", "es") if broadcast.language_for("es") == "es" else ("en",)


def test_link(broadcast: Broadcast, language: str) -> str:
    """The unsubscribe link of an organizer's test message: its page says it was a test."""
    return unsubscribe_url(unsubscribe_token(0, broadcast.campaign_id, broadcast.id), language)


@dataclass(frozen=True)
class Rendered:
    language: str
    subject: str
    text: str  # with LINK_MARKER where the recipient's unsubscribe link goes
    content: Markup  # the HTML body and footer, without the mail's layout (the organizer's preview)
    html: str  # the whole HTML part

    def for_link(self, link: str) -> tuple[str, str]:
        return self.text.replace(LINK_MARKER, link), self.html.replace(LINK_MARKER, link)

    def content_for_link(self, link: str) -> Markup:
        return Markup(self.content.replace(LINK_MARKER, link))  # noqa: S704 (an escaped URL into safe HTML)


def render(broadcast: Broadcast, locale: str, subject_prefix: str = "") -> Rendered:
    """The message in `locale` (English when no Spanish was written)."""
    language = broadcast.language_for(locale)
    subject = subject_prefix + broadcast.subject_for(language)
    body = broadcast.body_for(language)
    with force_locale(language):
        footer_context = {"campaign": broadcast.campaign, "link": LINK_MARKER}
        text_footer = render_template("mail/broadcasts/_footer.txt", **footer_context)
        html_footer = Markup(render_template("mail/broadcasts/_footer.html", **footer_context))  # noqa: S704 (template, autoescaped)
        text = f"{body.strip()}\n\n-- \n{text_footer.strip()}\n"
        content = render_markdown(body, images=False) + html_footer
        html = mail_html(subject, text, language, content=content)
    return Rendered(language, subject, text, content, html)


def headers(link: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe (required by Gmail and Yahoo for bulk senders), and
    replies to the organizers' mailbox when one is set."""
    found = {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    reply_to = current_app.config["BROADCAST_REPLY_TO"]
    if reply_to:
        found["Reply-To"] = reply_to
    return found


def test_subject_prefix() -> str:
    return _("[Test] ")
