"""The public unsubscribe page, reached from every broadcast: the footer link (GET shows two
buttons) and the mail program's one-click button (RFC 8058: a POST with the body
`List-Unsubscribe=One-Click`, sent without cookies, that unsubscribes at once)."""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import gettext as _

from campaign.broadcasts import services
from campaign.core.errors import DomainError
from campaign.core.security import proved_by_token
from campaign.core.tokens import confirmable_page
from campaign.extensions import csrf
from campaign.people.services import CONSENT_EMAIL_UPDATES

bp = Blueprint("broadcasts", __name__)

# The page's two buttons: from this campaign, or from every campaign.
SCOPES = {"campaign": False, "everything": True}
ONE_CLICK = ("List-Unsubscribe", "One-Click")


class UnknownScope(DomainError):
    status_code = 400


def _unsubscribe(link: services.UnsubscribeLink) -> bool:
    """Unsubscribe as the POST asks; True when it was from every campaign."""
    if request.form.get(ONE_CLICK[0]) == ONE_CLICK[1]:
        services.unsubscribe(link, everything=False, via="one-click")
        return False
    everything = SCOPES.get(request.form.get("scope", ""))
    if everything is None:
        raise UnknownScope(_("Choose one of the two buttons: this campaign, or every campaign."))
    services.unsubscribe(link, everything=everything, via="page")
    return everything


# Exempt from Flask-WTF's session token and from the same-site check: the signed token in
# the address is the proof, and the one-click POST comes from the recipient's mail provider
# or webmail page, which sends no cookie and no form token (RFC 8058).
@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
@proved_by_token
def unsubscribe(token: str):
    """GET says what the link is for and changes nothing (mail scanners open links); the
    POST unsubscribes, and a second POST changes nothing more."""
    return confirmable_page(
        "broadcasts/unsubscribe.html",
        lambda: services.load_link(token),
        _unsubscribe,
        consent=CONSENT_EMAIL_UPDATES,
    )
