"""A typed name is never the first words of a mail: "Hello Visit http://evil.example/verify,"
would read as the app's own advice to follow the link."""

from __future__ import annotations

import re

import pytest
from jinja2 import ChainableUndefined
from sqlalchemy import select

from campaign.config import PROJECT_ROOT
from campaign.extensions import db
from campaign.outbox.models import OutboxMessage

TYPED = "Visit http://evil.example/verify"
MAIL_TEMPLATES = sorted(
    str(path.relative_to(PROJECT_ROOT / "templates"))
    for path in (PROJECT_ROOT / "templates" / "mail").rglob("*.*")
    if not path.name.startswith("_")
)


class Typed(ChainableUndefined):
    """Every value the template reads (a name, a comment, an address) as a visitor typed it."""

    def __str__(self) -> str:
        return TYPED

    def __html__(self) -> str:
        return TYPED


def first_body_line(lines: list[str], html: bool) -> str | None:
    """The first line a reader sees: after the Subject line, or inside <body>."""
    if html:
        body = next((index for index, line in enumerate(lines) if "<body" in line), None)
        start = None if body is None else body + 1
        lines = [re.sub(r"<[^>]*>", "", line) for line in lines]
    else:
        start = 1
    seen = [line for line in lines[start:-1] if line.strip()] if start is not None else []
    return seen[0] if seen else None


@pytest.mark.parametrize("name", MAIL_TEMPLATES)
def test_no_typed_value_opens_a_mail(app, name):
    """Rendered only as far as its first body line (the rest needs real records), with every
    context value replaced by a typed link: that line holds none of it."""
    with app.test_request_context():
        template = app.jinja_env.overlay(undefined=Typed).get_template(name)
        text = ""
        for chunk in template.generate():
            text += str(chunk)  # as plain text: Markup would escape what is added to it
            opening = first_body_line(text.split("\n"), name.endswith(".html"))
            if opening is not None:
                break
    assert opening is not None, f"{name} has no body line"
    assert "evil.example" not in opening, f"{name} opens with a typed value: {opening!r}"


@pytest.mark.parametrize("url", ["/p/{petition}", "/pledges/{pledge}"])
def test_a_link_typed_as_a_name_is_refused_or_never_opens_the_mail(client, make_petition, make_pledge, url):
    target = url.format(petition=make_petition().slug, pledge=make_pledge().slug)
    form = {"first_name": TYPED, "last_name": "García", "email": "maria@example.org", "zip_code": "54301"}
    response = client.post(target, data=form)
    if response.status_code == 422:  # refused beside the field: no mail at all
        assert db.session.scalar(select(OutboxMessage)) is None
        return
    assert response.status_code == 303
    [message] = db.session.scalars(select(OutboxMessage))
    opening = next(line for line in message.body_text.splitlines() if line.strip())
    assert "evil.example" not in opening and opening == "Hello,"
