"""server-side organizer sessions, login throttles keyed by email hash, hashed audit addresses

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import campaign.core.types


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', campaign.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_user_sessions_key_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('login_throttles',
    sa.Column('email_hash', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', campaign.core.types.UTCDateTime(), nullable=True),
    sa.Column('locked_until', campaign.core.types.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('email_hash', name=op.f('pk_login_throttles'))
    )
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttles_last_failure_at'), ['last_failure_at'], unique=False)

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ip_hash', sa.String(length=64), nullable=True))

    # The failure count moves off the account row: it now lives per typed email, known or not.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')

    # Audit events kept client addresses in clear under details["ip"]: drop them (the key for a
    # hash is not at hand here, and the purge would clear most of them anyway).
    events = sa.table(
        'audit_events', sa.column('id', sa.Integer()), sa.column('action', sa.String()), sa.column('details', sa.JSON())
    )
    logins = sa.select(events.c.id, events.c.details).where(
        events.c.action.in_(['login', 'login_failed', 'account_locked'])
    )
    connection = op.get_bind()
    for event_id, details in connection.execute(logins).all():
        if isinstance(details, dict) and 'ip' in details:
            kept = {key: value for key, value in details.items() if key != 'ip'}
            connection.execute(events.update().where(events.c.id == event_id).values(details=kept))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', campaign.core.types.UTCDateTime(), nullable=True))

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('ip_hash')

    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttles_last_failure_at'))

    op.drop_table('login_throttles')
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))

    op.drop_table('user_sessions')
