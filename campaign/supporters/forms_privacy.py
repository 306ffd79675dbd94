"""Forms of the privacy pages (views_privacy): erasing a person, starting the purge."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms.validators import DataRequired

from campaign.core.forms import BaseForm


class EraseForm(BaseForm):
    confirm = BooleanField(
        _l("I understand that this removes the person's name and details for good."),
        validators=[DataRequired(_l("Tick the box to confirm the erasure."))],
    )


class PurgeForm(BaseForm):
    """Only its CSRF token: the button runs the purge with the settings in force."""
