from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from campaign.core.forms import DATETIME_LOCAL, MAX_GOAL, BaseForm
from campaign.people.forms import IdentityForm
from campaign.people.services import CONSENT_EMAIL_UPDATES
from campaign.pledges.models import PLEDGE_KIND_LABELS, PLEDGE_STATUS_LABELS, PledgeStatus


class CommitForm(IdentityForm):
    email_updates = BooleanField(CONSENT_EMAIL_UPDATES)


class PledgeForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    title_es = StringField(_l("Title in Spanish"), validators=[Optional(), Length(max=200)])
    slug = StringField(_l("Web address"), validators=[Optional(), Length(min=3, max=80)])
    kind = SelectField(
        _l("Type of action"), choices=[SelectChoice(kind.value, label) for kind, label in PLEDGE_KIND_LABELS.items()]
    )
    action = TextAreaField(_l("The commitment"), validators=[DataRequired(), Length(max=2_000)])
    action_es = TextAreaField(_l("The commitment in Spanish"), validators=[Optional(), Length(max=2_000)])
    body = TextAreaField(_l("Details"), validators=[Optional(), Length(max=20_000)])
    body_es = TextAreaField(_l("Details in Spanish"), validators=[Optional(), Length(max=20_000)])
    forum_id = SelectField(_l("Linked forum"), coerce=int, validate_choice=False)
    meeting_id = SelectField(_l("Public meeting it targets"), coerce=int, validate_choice=False)
    meeting_at = DateTimeLocalField(
        _l("Or the meeting's date and time"), format=DATETIME_LOCAL, validators=[Optional()]
    )
    meeting_place = StringField(_l("The meeting's place"), validators=[Optional(), Length(max=300)])
    official_id = SelectField(_l("Official to contact"), coerce=int, validate_choice=False)
    script = TextAreaField(_l("Suggested script"), validators=[Optional(), Length(max=5_000)])
    script_es = TextAreaField(_l("Suggested script in Spanish"), validators=[Optional(), Length(max=5_000)])
    goal = IntegerField(_l("Goal (people committed)"), validators=[Optional(), NumberRange(max=MAX_GOAL)])
    threshold = IntegerField(
        _l("Counts only if this many people commit"),
        validators=[Optional(), NumberRange(max=MAX_GOAL)],
        description=_l("Leave it empty for a pledge that counts whatever the number."),
    )
    deadline = DateField(_l("Deadline to commit"), validators=[Optional()])
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(status.value, label) for status, label in PLEDGE_STATUS_LABELS.items()],
        default=PledgeStatus.DRAFT.value,
    )


class FulfilmentForm(BaseForm):
    """Commitments ticked in the list (`undo`: mark them not done), or the one whose own
    button was pressed."""

    commitment_ids = SelectMultipleField(coerce=int, validate_choice=False)
    undo = BooleanField()
    one = IntegerField(validators=[Optional()])
    undo_one = IntegerField(validators=[Optional()])

    def choice(self) -> tuple[list[int], bool]:
        """The commitments to change, and whether they are now done."""
        if self.one.data:
            return [self.one.data], True
        if self.undo_one.data:
            return [self.undo_one.data], False
        return self.commitment_ids.data or [], not self.undo.data
