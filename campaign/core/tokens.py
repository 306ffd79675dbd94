"""The kit for confirmable public actions: signing, committing, RSVP, cancelling, "I did it",
and later unsubscribing. They all work one way:

- the mail carries a token scoped to one purpose (a confirmation link cannot cancel an RSVP),
  holding only record ids; `TokenPurpose.load` refuses a forged, expired or foreign token with
  a DomainError carrying the purpose's own message;
- the GET of the link shows what the POST will do, every detail and consent included, and
  changes nothing (mail scanners open every link); the POST does it and commits once:
  `confirmable_page` is that view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from campaign.core.errors import DomainError
from campaign.extensions import db

# A token never carries more than a few ids; anything longer is not one of ours.
MAX_TOKEN_LENGTH = 400


class InvalidLink(DomainError):
    status_code = 400


@dataclass(frozen=True)
class TokenPurpose:
    """One kind of link. `max_age` in seconds (None: the link lives as long as its record);
    `invalid` and `expired` are the messages shown for a bad link (lazy strings)."""

    salt: str
    invalid: Any
    expired: Any = None
    max_age: int | None = None

    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=self.salt)

    def dumps(self, *ids: int) -> str:
        return self._serializer().dumps(list(ids))

    def load(self, token: str, count: int, max_age: int | None = None) -> list[int]:
        """The `count` ids the token was made with; DomainError for anything else. `max_age`
        overrides the purpose's own (a lifetime set in the configuration)."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise InvalidLink(str(self.invalid))
        try:
            ids = self._serializer().loads(token, max_age=max_age or self.max_age)
        except SignatureExpired:
            raise InvalidLink(str(self.expired or self.invalid)) from None
        except BadSignature:
            raise InvalidLink(str(self.invalid)) from None
        if not (isinstance(ids, list) and len(ids) == count and all(type(value) is int for value in ids)):
            raise InvalidLink(str(self.invalid))
        return ids

    def refuse(self) -> InvalidLink:
        """The error for a well-signed link whose record is gone or belongs to someone else."""
        return InvalidLink(str(self.invalid))


def confirmable_page(template: str, load: Callable[[], Any], act: Callable[[Any], Any], **context):
    """The one view of a confirmable link. GET: `load()` the subject and show it (nothing is
    written). POST: `act(subject)` and commit. A bad link, or a refusal of the action, is
    shown on the same page with its message and a 4xx, and nothing is written.

    The template gets `subject`, `result` (after the POST), `done` and `invalid`."""
    try:
        subject = load()
        result = None
        if request.method == "POST":
            result = act(subject)
    except DomainError as error:
        db.session.rollback()
        return render_template(template, invalid=error.message, done=False, **context), error.status_code
    done = request.method == "POST"
    if done:
        db.session.commit()
    return render_template(template, subject=subject, result=result, done=done, invalid=None, **context)
