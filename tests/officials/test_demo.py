"""The demo directory: Brown County officials with sourced, fictional positions."""

from __future__ import annotations

from sqlalchemy import func, select

from campaign.extensions import db
from campaign.officials.demo import POSITIONS
from campaign.officials.models import Official, Position, Stance


def test_seed_demo_adds_sourced_positions_once(app, runner, client, login_as):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    count = db.session.scalar(select(func.count()).select_from(Position))
    assert count == sum(len(positions) for positions in POSITIONS.values())
    assert all(
        url.startswith("https://") and ".example.org/" in url for url in db.session.scalars(select(Position.source_url))
    )

    officials = {official.name: official for official in db.session.scalars(select(Official))}
    assert officials["Dana Kowalski"].positions[0].stance is Stance.OPPOSES  # newest first
    assert officials["Karen Lindqvist"].positions[0].stance is Stance.SUPPORTS

    login_as("viewer")
    page = client.get("/organize/officials/?county=55009").get_data(as_text=True)
    assert all(name in page for name in ("Dana Kowalski", "Robert Vang", "Karen Lindqvist", "Luis Morales"))
