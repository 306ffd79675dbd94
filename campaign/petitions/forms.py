from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, StopValidation, ValidationError

from campaign.core.forms import MAX_GOAL, BaseForm
from campaign.people.forms import IdentityForm
from campaign.people.services import CONSENT_EMAIL_UPDATES
from campaign.petitions.models import FIELD_RULE_LABELS, PETITION_STATUS_LABELS, FieldRule, PetitionStatus
from campaign.petitions.moderation import MAX_BATCH
from campaign.petitions.services import CONSENT_SHOW_NAME, MAX_COMMENT

FIELD_RULE_CHOICES = [SelectChoice(rule.value, label) for rule, label in FIELD_RULE_LABELS.items()]


class SignForm(IdentityForm):
    street_address = StringField(_l("Street address"), validators=[Optional(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=MAX_COMMENT)])
    show_publicly = BooleanField(CONSENT_SHOW_NAME)
    email_updates = BooleanField(CONSENT_EMAIL_UPDATES)


MODERATE_ACTIONS = [SelectChoice("invalidate", _l("Invalidate")), SelectChoice("restore", _l("Restore"))]


def _ticked(form, field) -> None:
    """At least one signature ticked, at most a batch; ids that are no integers already
    carry their error."""
    if field.process_errors:
        raise StopValidation()
    if not field.data:
        raise StopValidation(_l("Tick the signatures to change first."))
    if len(set(field.data)) > MAX_BATCH:
        raise StopValidation(_l("Tick at most %(num)s signatures at a time.", num=MAX_BATCH))


class BulkForm(BaseForm):
    """Invalidate or restore every signature a filter matches; the filter travels in the
    query string of the form's address."""

    action = SelectField(_l("Action"), choices=MODERATE_ACTIONS, default="invalidate")
    reason = StringField(
        _l("Reason"),
        validators=[Length(max=500)],
        description=_l("Needed to invalidate: it is kept with each signature."),
    )

    def validate_reason(self, field) -> None:
        if self.action.data == "invalidate" and not (field.data or "").strip():
            raise ValidationError(_l("Give the reason: it is kept with the signatures."))


class ModerateForm(BulkForm):
    """The action bar of the signature list: one action on the ticked rows. The filter and
    page to go back to travel in the query string of the form's address."""

    # The integers are bounded by BaseForm (ASCII digits, the database's range).
    signature_ids = SelectMultipleField(_l("Signatures"), coerce=int, validate_choice=False, validators=[_ticked])


class PetitionForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    title_es = StringField(_l("Title in Spanish"), validators=[Optional(), Length(max=200)])
    slug = StringField(_l("Web address"), validators=[Optional(), Length(min=3, max=80)])
    ask = TextAreaField(_l("The ask"), validators=[DataRequired(), Length(max=2_000)])
    ask_es = TextAreaField(_l("The ask in Spanish"), validators=[Optional(), Length(max=2_000)])
    body = TextAreaField(_l("Text"), validators=[Optional(), Length(max=50_000)])
    body_es = TextAreaField(_l("Text in Spanish"), validators=[Optional(), Length(max=50_000)])
    cover_letter = TextAreaField(
        _l("Cover letter of signature packets"),
        validators=[Optional(), Length(max=10_000)],
        description=_l(
            "Left empty, a standard letter is used. These words are filled in: {official}, {count}, "
            "{petition}, {residents}, {organization}."
        ),
    )
    goal = IntegerField(_l("Goal (confirmed signatures)"), validators=[Optional(), NumberRange(1, MAX_GOAL)])
    deadline = DateField(_l("Deadline"), validators=[Optional()])
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(status.value, label) for status, label in PETITION_STATUS_LABELS.items()],
        default=PetitionStatus.DRAFT.value,
    )
    counties = TextAreaField(
        _l("Counties it is about"),
        validators=[Optional(), Length(max=5_000)],
        description=_l('One county per line, a FIPS code or a name, with an optional goal: "55009 500".'),
    )
    target_ids = SelectMultipleField(_l("Officials it addresses"), coerce=int, validators=[Optional()])
    address_rule = SelectField(_l("Street address"), choices=FIELD_RULE_CHOICES, default=FieldRule.OPTIONAL.value)
    phone_rule = SelectField(_l("Phone"), choices=FIELD_RULE_CHOICES, default=FieldRule.OPTIONAL.value)
