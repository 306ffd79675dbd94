"""pending actions (repeat actions wait for mailbox proof), RSVPs confirmed by mail, a per-forum guest cap

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 19:00:00

"""
from alembic import op
import sqlalchemy as sa

import campaign.core.types


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pending_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', campaign.core.types.UTCDateTime(), nullable=False),
    sa.Column('used_at', campaign.core.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_pending_actions_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_actions'))
    )
    with op.batch_alter_table('pending_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_actions_person_id'), ['person_id'], unique=False)

    with op.batch_alter_table('forums', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_guests', sa.Integer(), server_default='4', nullable=False))

    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed_at', campaign.core.types.UTCDateTime(), nullable=True))
    # RSVPs made before confirmation existed took their seat or place when they were made.
    op.execute("UPDATE rsvps SET confirmed_at = created_at WHERE status != 'cancelled'")


def downgrade():
    op.execute("DELETE FROM rsvps WHERE status = 'pending'")
    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.drop_column('confirmed_at')

    with op.batch_alter_table('forums', schema=None) as batch_op:
        batch_op.drop_column('max_guests')

    with op.batch_alter_table('pending_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_actions_person_id'))

    op.drop_table('pending_actions')
