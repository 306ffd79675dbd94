"""Every mail, received from the real SMTP server, is multipart/alternative: the plain text
first, then an HTML part from the one layout, in the reader's language, with a heading,
the text's links as links and its styles inline. The mails are listed from templates/mail,
so a new template fails here until it has a sender below (and then it is checked too)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from email.header import decode_header, make_header
from email.message import Message
from functools import partial
from html.parser import HTMLParser

import pytest
from flask import current_app
from markupsafe import Markup
from sqlalchemy import select

from campaign.accounts.services import request_password_reset
from campaign.config import PROJECT_ROOT
from campaign.core.types import utcnow
from campaign.extensions import db
from campaign.forums import services as forums
from campaign.forums.notices import mail_rsvp
from campaign.meetings import signups
from campaign.meetings.models import MeetingStatus
from campaign.officials.models import Body
from campaign.outbox import services as outbox
from campaign.outbox.html import mail_html, text_to_html
from campaign.outbox.models import OutboxMessage
from campaign.petitions import services as petitions
from campaign.pledges import services as pledges
from campaign.pledges.models import PledgeKind
from campaign.pledges.notices import mail_commitment
from tests.forums.helpers import confirmed_rsvp
from tests.meetings.signup_helpers import local_start, mailed_link, meeting_input
from tests.petitions.helpers import confirmation_link, mails_to

MAIL_DIR = PROJECT_ROOT / "templates" / "mail"
MAILS = sorted(
    path.relative_to(MAIL_DIR).with_suffix("").as_posix()
    for path in MAIL_DIR.rglob("*.txt")
    if not path.name.startswith("_")
)
LINK = re.compile(r"https?://\S+")


@pytest.fixture
def app(smtp_app):
    """The builders (make_forum and the others) write through the app that sends by SMTP."""
    return smtp_app


# --- who receives, and what they did to receive it -----------------------------------------


@dataclass
class Reader:
    first_name: str
    last_name: str
    email: str
    locale: str
    zip_code: str = "54301"


READERS = (Reader("Mary", "Smith", "mary@example.org", "en"), Reader("María", "García", "maria@example.org", "es"))


@dataclass
class Scene:
    """One of everything a mail is about, each with a Spanish text where one can be written."""

    organizer_email: str
    petition: object
    forum: object
    pledge: object
    agenda_item: object  # on a meeting's agenda, taking public comment
    another_agenda_item: Callable[[], object]  # the same, on a meeting of its own


@pytest.fixture
def scene(make_user, make_petition, make_forum, make_pledge, make_official, make_agenda_item) -> Scene:
    forum = make_forum(title_es="Foro comunitario", virtual_url="https://meet.example.org/forum")
    official = make_official(email="sheriff@example.org", phone="920-448-4200", body=Body.SHERIFF)
    pledge = make_pledge(
        kind=PledgeKind.CONTACT_OFFICIAL,
        title_es="Llame al sheriff",
        action="I will call the sheriff.",
        action_es="Llamaré al sheriff.",
        official=official,
        script="Please end the 287(g) agreement.",
        script_es="Por favor, termine el acuerdo 287(g).",
        meeting_at=utcnow() + timedelta(days=5),
        threshold=1,
    )
    petition = make_petition(title_es="Terminen el acuerdo")
    new_item = partial(make_agenda_item, title_es="Poner fin al acuerdo 287(g)")
    return Scene(make_user().email, petition, forum, pledge, new_item(), new_item)


def as_input(kind, reader: Reader):
    return kind(
        first_name=reader.first_name,
        last_name=reader.last_name,
        email=reader.email,
        zip_code=reader.zip_code,
        locale=reader.locale,
    )


def confirmed_commitment(scene: Scene, reader: Reader):
    commitment = pledges.commit(scene.pledge, as_input(pledges.CommitmentInput, reader))
    pledges.confirm_commitment(commitment, utcnow())
    db.session.commit()
    return commitment


def signed_and_confirmed(scene: Scene, reader: Reader) -> None:
    petitions.sign(scene.petition, as_input(petitions.SignatureInput, reader))
    token = confirmation_link(mails_to(reader.email)[-1]).rsplit("/", 1)[1]
    petitions.confirm(scene.petition, token)
    db.session.commit()


def signed_up_for_the_meeting(scene: Scene, reader: Reader, template: str) -> None:
    """An observer's or a speaker's sign-up mail; for the "confirmed" mails, its link pressed."""
    item, observing = scene.agenda_item, "observer" in template
    data = as_input(signups.SignupInput, reader)
    if observing:
        signups.sign_up_observer(item.meeting, data)
    else:
        signups.sign_up_speaker(item, data)
    if template.endswith("_confirmed"):
        db.session.commit()
        token = mailed_link(reader.email).split("?")[0].rsplit("/", 1)[1]
        (signups.confirm_observer if observing else signups.confirm_speaker)(item.meeting, token)


def told_of_a_change(scene: Scene, reader: Reader, template: str) -> None:
    """A speaker's place confirmed, then the organizer cancels the meeting or moves it a day
    later, as the meeting form does. Each reader's is a meeting of its own: a cancelled one
    takes no more sign-ups."""
    item = scene.another_agenda_item()
    signed_up_for_the_meeting(replace(scene, agenda_item=item), reader, "meetings/speaker_confirmed")
    db.session.commit()
    meeting = item.meeting
    if template == "meetings/cancelled":
        data = meeting_input(meeting, status=MeetingStatus.CANCELLED)
    else:
        data = meeting_input(meeting, starts_local=local_start(meeting) + timedelta(days=1))
    signups.save_and_tell(meeting.campaign, data, meeting)


def send_already_signed(scene: Scene, reader: Reader, template: str) -> None:
    signed_and_confirmed(scene, reader)
    petitions.sign(scene.petition, as_input(petitions.SignatureInput, reader))


# Mail a flow of its own sends, by template. The other forum and pledge mails go through
# the area's one mail function, as every caller of theirs does.
SENDERS: dict[str, Callable[[Scene, Reader, str], None]] = {
    "accounts/password_reset": lambda scene, reader, _: request_password_reset(scene.organizer_email, reader.locale),
    "outbox/test": lambda scene, reader, template: outbox.enqueue(
        reader.email, template, {"link": current_app.config["BASE_URL"] + "/"}, reader.locale
    ),
    "petitions/confirm_signature": lambda scene, reader, _: petitions.sign(
        scene.petition, as_input(petitions.SignatureInput, reader)
    ),
    "petitions/already_signed": send_already_signed,
    "meetings/cancelled": told_of_a_change,
    "meetings/changed": told_of_a_change,
    "forums/rsvp_confirm": lambda scene, reader, _: forums.rsvp(scene.forum, as_input(forums.RSVPInput, reader)),
    "pledges/confirm_commitment": lambda scene, reader, _: pledges.commit(
        scene.pledge, as_input(pledges.CommitmentInput, reader)
    ),
}
AREA_SENDERS: dict[str, Callable[[Scene, Reader, str], None]] = {
    "forums": lambda scene, reader, template: mail_rsvp(
        confirmed_rsvp(scene.forum, as_input(forums.RSVPInput, reader)), template
    ),
    "pledges": lambda scene, reader, template: mail_commitment(confirmed_commitment(scene, reader), template),
    "meetings": signed_up_for_the_meeting,
}


# --- reading what arrived ------------------------------------------------------------------


class Page(HTMLParser):
    """What a reader (and a screen reader) gets from the HTML part."""

    def __init__(self, html: str):
        super().__init__()
        self.lang: str | None = None
        self.headings: list[str] = []
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.tags: set[str] = set()
        self.styled = 0
        self.text = ""
        self._open: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.add(tag)
        self.styled += "style" in attributes
        if tag == "html":
            self.lang = attributes.get("lang")
        elif tag == "a":
            self.links.append((attributes.get("href"), ""))
        elif tag == "h1":
            self.headings.append("")
        self._open.append(tag)

    def handle_endtag(self, tag):
        if tag in self._open:
            del self._open[self._open.index(tag) :]

    def handle_data(self, data):
        if "title" in self._open or "style" in self._open:
            return
        self.text += data
        if "a" in self._open:
            href, text = self.links[-1]
            self.links[-1] = (href, text + data)
        if "h1" in self._open:
            self.headings[-1] += data


def words(text: str) -> str:
    return " ".join(text.split())


def subject_of(received: Message) -> str:
    """The subject as a mail program shows it: unfolded (a long one arrives folded, even
    before its first word)."""
    return words(str(make_header(decode_header(received["Subject"]))))


def parts(received: Message) -> tuple[str, str]:
    """The text and the HTML of a received mail, checked to be the two sides of one
    multipart/alternative, the text first (attachments wrap it in multipart/mixed)."""
    top = received.get_content_type()
    alternative = received if top == "multipart/alternative" else received.get_payload(0)
    assert top in ("multipart/alternative", "multipart/mixed")
    assert alternative.get_content_type() == "multipart/alternative"
    text, html = alternative.get_payload()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    return text.get_payload(decode=True).decode(), html.get_payload(decode=True).decode()


def receive(smtp_server, send: Callable[[], None], template: str) -> tuple[str, str, str]:
    """Send, commit (the delivery job runs), and return the subject, text and HTML of the
    `template` mail that arrived."""
    arrived = len(smtp_server.messages)
    send()
    db.session.commit()
    kind = template.replace("/", ".")
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id.desc())
    ).first()
    assert message is not None, f"mail/{template}.txt was not written"
    arrivals = [
        received
        for received in smtp_server.messages[arrived:]
        if received["To"] == message.recipient and subject_of(received) == words(message.subject)
    ]
    assert arrivals, f"mail/{template}.txt did not arrive"
    return subject_of(arrivals[-1]), *parts(arrivals[-1])


@pytest.mark.parametrize("template", MAILS)
def test_every_mail_has_an_accessible_html_part_in_the_readers_language(smtp_server, scene, template):
    sender = SENDERS.get(template) or AREA_SENDERS.get(template.split("/")[0])
    assert sender is not None, f"mail/{template}.txt is new: add how it is sent to SENDERS in this file"
    seen: dict[str, tuple[str, str]] = {}
    for reader in READERS:
        subject, text, html = receive(smtp_server, partial(sender, scene, reader, template), template)
        page = Page(html)
        assert page.lang == reader.locale
        assert [words(heading) for heading in page.headings] == [words(subject)], "one <h1>: the subject"
        hrefs = {href for href, _text in page.links}
        for link in LINK.findall(text):
            assert link in hrefs, f"{link} of the text is no link in the HTML"
        assert all(href == words(shown) for href, shown in page.links), "each link shows its address"
        assert page.styled and "link" not in page.tags and "img" not in page.tags, "styles inline, nothing fetched"
        for line in text.splitlines():
            assert words(line) in words(page.text), f"the HTML lacks {line!r}"
        seen[reader.locale] = (subject, text)
    (english_subject, english_text), (spanish_subject, spanish_text) = seen["en"], seen["es"]
    assert spanish_subject != english_subject
    opening = next(line for line in english_text.splitlines() if line.strip())
    assert opening not in spanish_text, "the Spanish mail is in Spanish"


# --- the text as HTML ----------------------------------------------------------------------


def test_text_becomes_paragraphs_line_breaks_lists_and_links(app):
    text = "Hello,\n\nThe forum moved:\nTuesday 6 pm\n\nBring:\n- a friend\n* https://example.org/map\n\nThanks"
    assert text_to_html(text) == (
        "<p>Hello,</p>\n"
        "<p>The forum moved:<br>\nTuesday 6 pm</p>\n"
        "<p>Bring:</p>\n"
        '<ul>\n<li>a friend</li>\n<li><a href="https://example.org/map">https://example.org/map</a></li>\n</ul>\n'
        "<p>Thanks</p>\n"
    )


@pytest.mark.parametrize(
    ("text", "link", "after"),
    [
        ("See https://example.org/a.", "https://example.org/a", "."),
        ("(https://example.org/a)", "https://example.org/a", ")"),
        ("https://en.wikipedia.org/wiki/Section_287(g)!", "https://en.wikipedia.org/wiki/Section_287(g)", "!"),
        ("'https://example.org/a?b=1&c=2', then", "https://example.org/a?b=1&c=2", "', then"),
        ("at https://example.org/a:", "https://example.org/a", ":"),
    ],
)
def test_punctuation_after_a_link_stays_outside_it(app, text, link, after):
    html = text_to_html(text)
    assert Page(html).links == [(link, link)]
    assert Markup("</a>%s</p>") % after in html


def test_nothing_typed_in_a_text_becomes_html(app):
    typed = (
        "<script>alert(1)</script> \"quoted\" 'single' & more\n"
        'javascript:alert(1) <a href="javascript:alert(2)">x</a>\n'
        'https://example.org/"><script>alert(3)</script> <img src=x onerror=alert(4)>'
    )
    html = mail_html('Subject <b>"x"</b>', typed, "en")
    page = Page(html)
    assert page.tags == {"html", "head", "meta", "title", "style", "body", "div", "h1", "p", "br", "a"}
    assert page.links == [("https://example.org/", "https://example.org/")]
    assert page.headings == ['Subject <b>"x"</b>']
    for line in typed.splitlines():
        assert words(line) in words(page.text), "every character is shown as typed"
    assert "javascript" not in "".join(href for href, _text in page.links)


def test_a_broadcast_gives_its_own_content_in_the_same_layout(app):
    html = mail_html("News", "ignored when content is given", "es", content=Markup("<p>Hola <em>amigos</em></p>"))
    page = Page(html)
    assert page.lang == "es" and page.headings == ["News"]
    assert "Hola amigos" in page.text and "ignored" not in page.text
    assert "em" in page.tags


def test_the_css_is_inlined_and_only_dark_mode_stays_in_a_style_block(app):
    html = mail_html("News", "Hello https://example.org/", "en")
    assert re.search(r'<a href="https://example.org/" style="[^"]*color: #0b57d0', html)
    [style] = re.findall(r"<style>(.*?)</style>", html, re.DOTALL)
    assert style.strip().startswith("@media (prefers-color-scheme: dark)")
    assert "max-width: 600px" in html
