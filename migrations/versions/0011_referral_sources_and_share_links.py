"""referral sources: the ?source= code on signatures, commitments and RSVPs; share links per
partner; confirmed signatures counted per hour, channel and source

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 09:36:29.836393

"""
from alembic import op
import sqlalchemy as sa

import campaign.core.types


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('share_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('target', sa.Enum('petition', 'pledge', 'forum', name='sharetarget', native_enum=False, length=20), nullable=False),
    sa.Column('target_slug', sa.String(length=80), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', campaign.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_share_links_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_share_links_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_share_links_organization_id_organizations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_links')),
    sa.UniqueConstraint('code', name=op.f('uq_share_links_code'))
    )
    with op.batch_alter_table('share_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_links_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('petition_hour_counts',
    sa.Column('petition_id', sa.Integer(), nullable=False),
    sa.Column('hour', sa.String(length=19), nullable=False),
    sa.Column('channel', sa.Enum('online', 'paper', name='signaturesource', native_enum=False, length=20), nullable=False),
    sa.Column('referral', sa.String(length=40), nullable=False),
    sa.Column('confirmed', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_petition_hour_counts_petition_id_petitions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('petition_id', 'hour', 'channel', 'referral', name=op.f('pk_petition_hour_counts'))
    )
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('referral', sa.String(length=40), nullable=True))

    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('referral', sa.String(length=40), nullable=True))

    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('referral', sa.String(length=40), nullable=True))
        batch_op.create_index('ix_signatures_referral', ['petition_id', 'referral'], unique=False)
        # The county page's signatures over time, from the index alone.
        batch_op.drop_index('ix_signatures_counts')
        batch_op.create_index(
            'ix_signatures_counts', ['petition_id', 'status', 'county_fips', 'confirmed_at'], unique=False
        )

    # The new count tables fill at each petition's next full recount: mark every count stale,
    # so the next page that shows it asks for one.
    op.execute("UPDATE petitions SET counted_at = NULL")


def downgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_index('ix_signatures_referral')
        batch_op.drop_index('ix_signatures_counts')
        batch_op.create_index('ix_signatures_counts', ['petition_id', 'status', 'county_fips'], unique=False)
        batch_op.drop_column('referral')

    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.drop_column('referral')

    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_column('referral')

    op.drop_table('petition_hour_counts')
    with op.batch_alter_table('share_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_links_campaign_id'))

    op.drop_table('share_links')
