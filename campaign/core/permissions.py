"""Role checks for organizer pages."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from campaign.extensions import login_manager


def role_required(role):
    """Anonymous visitors go to the login page; a logged-in user without `role` gets 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
