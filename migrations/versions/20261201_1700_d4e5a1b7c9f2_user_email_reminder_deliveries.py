"""user e-mail addresses, reminder deliveries

``users.email`` (optional) is where ``flask reminders send`` mails a user's
deadlines; ``reminder_deliveries`` records each item sent to a user on a day,
unique, so a second run of the same day sends nothing twice.

Revision ID: d4e5a1b7c9f2
Revises: 3aea650430ce
Create Date: 2026-12-01 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4e5a1b7c9f2'
down_revision = '3aea650430ce'
branch_labels = None
depends_on = None


def upgrade():
    # In place (ADD COLUMN), no batch rebuild: recreating users would touch the audit trail's rows.
    op.add_column('users', sa.Column('email', sa.String(length=254), nullable=True))
    op.create_table('reminder_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('item_key', sa.String(length=120), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminder_deliveries_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_deliveries')),
    sa.UniqueConstraint('user_id', 'item_key', 'day', name=op.f('uq_reminder_deliveries_user_id_item_key_day'))
    )
    op.create_index(op.f('ix_reminder_deliveries_day'), 'reminder_deliveries', ['day'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_reminder_deliveries_day'), table_name='reminder_deliveries')
    op.drop_table('reminder_deliveries')
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite 3.35+ drops a plain column in place (a batch rebuild of users would touch audit_events).
        op.execute('ALTER TABLE users DROP COLUMN email')
    else:
        op.drop_column('users', 'email')
