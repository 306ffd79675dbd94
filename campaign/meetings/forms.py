from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from campaign.core.forms import DATETIME_LOCAL, BaseForm
from campaign.meetings.models import VOTE_LABELS, MeetingStatus
from campaign.meetings.services import MAX_MINUTES_PER_SPEAKER, MAX_OBSERVERS, MAX_SPEAKER_SLOTS
from campaign.officials.models import BODY_LABELS

MEETING_STATUS_LABELS = {
    MeetingStatus.SCHEDULED: _l("Scheduled"),
    MeetingStatus.CANCELLED: _l("Cancelled"),
}


class MeetingForm(BaseForm):
    body = SelectField(_l("Body"), choices=[SelectChoice(body.value, label) for body, label in BODY_LABELS.items()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    title_es = StringField(_l("Title in Spanish"), validators=[Optional(), Length(max=200)])
    slug = StringField(_l("Web address"), validators=[Optional(), Length(min=3, max=80)])
    starts_at = DateTimeLocalField(_l("Starts"), format=DATETIME_LOCAL, validators=[DataRequired()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)])
    agenda_url = StringField(_l("Agenda link"), validators=[Optional(), Length(max=500)])
    minutes_url = StringField(_l("Minutes link"), validators=[Optional(), Length(max=500)])
    video_url = StringField(_l("Video link"), validators=[Optional(), Length(max=500)])
    observer_limit = IntegerField(
        _l("Observers wanted"),
        validators=[Optional(), NumberRange(1, MAX_OBSERVERS)],
        description=_l("Leave it empty for as many as come."),
    )
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(status.value, label) for status, label in MEETING_STATUS_LABELS.items()],
        default=MeetingStatus.SCHEDULED.value,
    )
    outcome = TextAreaField(_l("Outcome (after the meeting)"), validators=[Optional(), Length(max=10_000)])


class AgendaItemForm(BaseForm):
    number = StringField(_l("Number on the agenda"), validators=[Optional(), Length(max=20)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    title_es = StringField(_l("Title in Spanish"), validators=[Optional(), Length(max=300)])
    concerns_agreement = BooleanField(_l("Concerns the 287(g) agreement"), default=True)
    speaker_slots = IntegerField(
        _l("Public comment: speaker slots"),
        validators=[Optional(), NumberRange(1, MAX_SPEAKER_SLOTS)],
        description=_l("Leave it empty when residents cannot sign up to speak on this item."),
    )
    minutes_per_speaker = IntegerField(
        _l("Minutes per speaker"), default=3, validators=[DataRequired(), NumberRange(1, MAX_MINUTES_PER_SPEAKER)]
    )
    talking_points = TextAreaField(_l("Talking points"), validators=[Optional(), Length(max=20_000)])
    talking_points_es = TextAreaField(_l("Talking points in Spanish"), validators=[Optional(), Length(max=20_000)])
    result = StringField(_l("Result"), validators=[Optional(), Length(max=300)])


class VoteForm(BaseForm):
    official_id = SelectField(_l("Official"), coerce=int, validate_choice=False)
    choice = SelectField(
        _l("Vote"), choices=[SelectChoice(choice.value, label) for choice, label in VOTE_LABELS.items()]
    )
    source_url = StringField(_l("Source (minutes, video)"), validators=[Optional(), Length(max=500)])


class MoveForm(BaseForm):
    """Up or down the agenda: the button pressed."""

    step = SelectField(choices=[SelectChoice("up", _l("Move up")), SelectChoice("down", _l("Move down"))])
