from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from campaign.core.forms import BaseForm


class ZipForm(BaseForm):
    """A GET search: nothing is written, so no CSRF token is needed."""

    class Meta:
        csrf = False

    zip_code = StringField(_l("ZIP code"), validators=[DataRequired(), Length(max=10)])
