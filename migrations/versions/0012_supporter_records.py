"""supporter records: households (one mailbox, several names), name and phone search keys,
anonymised rows, bulk moderation runs, retention purge runs, when a petition closed

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 13:30:24.712757

"""
from alembic import op
import sqlalchemy as sa

import campaign.core.types
from campaign.core.text import name_key, phone_digits


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('purge_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', campaign.core.types.UTCDateTime(), nullable=False),
    sa.Column('finished_at', campaign.core.types.UTCDateTime(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('removed', sa.JSON(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_purge_runs_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purge_runs'))
    )
    with op.batch_alter_table('purge_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purge_runs_started_at'), ['started_at'], unique=False)

    op.create_table('bulk_moderations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('petition_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('filter', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='bulkactionstatus', native_enum=False, length=20), nullable=False),
    sa.Column('matched', sa.Integer(), nullable=False),
    sa.Column('touched', sa.Integer(), nullable=False),
    sa.Column('last_id', sa.Integer(), nullable=False),
    sa.Column('created_at', campaign.core.types.UTCDateTime(), nullable=False),
    sa.Column('finished_at', campaign.core.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_bulk_moderations_petition_id_petitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_bulk_moderations_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulk_moderations'))
    )
    with op.batch_alter_table('bulk_moderations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulk_moderations_petition_id'), ['petition_id'], unique=False)

    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('anonymised_at', campaign.core.types.UTCDateTime(), nullable=True))
        batch_op.create_index('ix_commitments_created', ['pledge_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_commitments_name_search', ['pledge_id', 'name_key'], unique=False, postgresql_ops={'name_key': 'text_pattern_ops'})

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_domain', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('name_key', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('erased_at', campaign.core.types.UTCDateTime(), nullable=True))
        batch_op.alter_column('email',
               existing_type=sa.VARCHAR(length=254),
               nullable=True)
        batch_op.alter_column('email_normalized',
               existing_type=sa.VARCHAR(length=254),
               nullable=True)
        batch_op.drop_constraint(batch_op.f('uq_people_email_normalized'), type_='unique')
        batch_op.create_index(batch_op.f('ix_people_email_domain'), ['email_domain'], unique=False)

    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', campaign.core.types.UTCDateTime(), nullable=True))

    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('anonymised_at', campaign.core.types.UTCDateTime(), nullable=True))
        batch_op.create_index('ix_rsvps_name_search', ['forum_id', 'name_key'], unique=False, postgresql_ops={'name_key': 'text_pattern_ops'})

    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_digits', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('anonymised_at', campaign.core.types.UTCDateTime(), nullable=True))
        batch_op.create_index('ix_signatures_created', ['petition_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_signatures_ip', ['petition_id', 'ip_hash', 'created_at'], unique=False)
        batch_op.create_index('ix_signatures_name_search', ['petition_id', 'name_key'], unique=False, postgresql_ops={'name_key': 'text_pattern_ops'})
        batch_op.create_index('ix_signatures_phone', ['petition_id', 'phone_digits'], unique=False)

    _fill_keys()
    # Every existing address had one person, so (address, name) is unique already.
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f('uq_people_email_normalized_name_key'), ['email_normalized', 'name_key']
        )
    op.execute(
        "UPDATE petitions SET closed_at = updated_at WHERE status IN ('closed', 'delivered')"
    )


def _fill_keys():
    """The search keys the models keep from now on, computed for the rows already there."""
    connection = op.get_bind()
    for table in ('people', 'commitments', 'rsvps', 'signatures'):
        rows = connection.execute(sa.text(f"SELECT id, first_name, last_name FROM {table}")).all()
        for row_id, first, last in rows:
            connection.execute(
                sa.text(f"UPDATE {table} SET name_key = :key WHERE id = :id"),
                {"key": name_key(first or "", last or ""), "id": row_id},
            )
    rows = connection.execute(sa.text("SELECT id, phone FROM signatures WHERE phone IS NOT NULL")).all()
    for row_id, phone in rows:
        connection.execute(
            sa.text("UPDATE signatures SET phone_digits = :digits WHERE id = :id"),
            {"digits": phone_digits(phone), "id": row_id},
        )
    for row_id, email in connection.execute(sa.text("SELECT id, email_normalized FROM people")).all():
        connection.execute(
            sa.text("UPDATE people SET email_domain = :domain WHERE id = :id"),
            {"domain": email.rpartition('@')[2], "id": row_id},
        )


def downgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_index('ix_signatures_phone')
        batch_op.drop_index('ix_signatures_name_search', postgresql_ops={'name_key': 'text_pattern_ops'})
        batch_op.drop_index('ix_signatures_ip')
        batch_op.drop_index('ix_signatures_created')
        batch_op.drop_column('anonymised_at')
        batch_op.drop_column('phone_digits')

    with op.batch_alter_table('rsvps', schema=None) as batch_op:
        batch_op.drop_index('ix_rsvps_name_search', postgresql_ops={'name_key': 'text_pattern_ops'})
        batch_op.drop_column('anonymised_at')
        batch_op.drop_column('name_key')

    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.drop_column('closed_at')

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_people_email_normalized_name_key'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_people_email_domain'))
        batch_op.create_unique_constraint(batch_op.f('uq_people_email_normalized'), ['email_normalized'])
        batch_op.alter_column('email_normalized',
               existing_type=sa.VARCHAR(length=254),
               nullable=False)
        batch_op.alter_column('email',
               existing_type=sa.VARCHAR(length=254),
               nullable=False)
        batch_op.drop_column('erased_at')
        batch_op.drop_column('name_key')
        batch_op.drop_column('email_domain')

    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_index('ix_commitments_name_search', postgresql_ops={'name_key': 'text_pattern_ops'})
        batch_op.drop_index('ix_commitments_created')
        batch_op.drop_column('anonymised_at')
        batch_op.drop_column('name_key')

    with op.batch_alter_table('bulk_moderations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bulk_moderations_petition_id'))

    op.drop_table('bulk_moderations')
    with op.batch_alter_table('purge_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purge_runs_started_at'))

    op.drop_table('purge_runs')
