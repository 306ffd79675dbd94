"""Load every US county (2020 list shipped in the addfips package).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

"""

import sqlalchemy as sa
from alembic import op

from campaign.geo.data import counties_2020

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

counties = sa.table(
    "counties",
    sa.column("fips", sa.String),
    sa.column("state", sa.String),
    sa.column("state_fips", sa.String),
    sa.column("name", sa.String),
)


def upgrade():
    op.bulk_insert(counties, counties_2020())


def downgrade():
    op.execute(counties.delete())
