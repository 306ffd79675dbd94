from __future__ import annotations

from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from campaign.extensions import db
from campaign.officials.models import Official


def official_choices() -> list[SelectChoice]:
    """Every official as a choice for the "officials it addresses" fields."""
    officials = db.session.scalars(select(Official).order_by(Official.name))
    return [SelectChoice(official.id, f"{official.name}, {official.title}") for official in officials]
