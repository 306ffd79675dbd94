"""outbox: recipients in lower case and indexed (per-recipient throttle); an index of messages whose bodies are kept (purge)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # One address, one spelling: the throttle counts by equality on this column.
    op.execute("UPDATE outbox_messages SET recipient = lower(recipient)")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_messages_recipient', ['recipient', 'created_at'], unique=False)
        batch_op.create_index(
            'ix_outbox_messages_bodies_kept',
            ['sent_at'],
            unique=False,
            sqlite_where=sa.text("body_text <> ''"),
            postgresql_where=sa.text("body_text <> ''"),
        )


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_bodies_kept')
        batch_op.drop_index('ix_outbox_messages_recipient')
