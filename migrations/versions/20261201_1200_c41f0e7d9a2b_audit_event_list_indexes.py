"""audit event list indexes

The audit-event list (``GET /api/v1/audit/events``, ``/audit/events``) filters
by actor and action and by a range of ``at``, newest first: one index each.
Plain CREATE INDEX (no table copy, on SQLite either).

Revision ID: c41f0e7d9a2b
Revises: e86618375266
Create Date: 2026-12-01 12:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c41f0e7d9a2b'
down_revision = 'e86618375266'
branch_labels = None
depends_on = None

INDEXES = ("at", "actor", "action")


def upgrade():
    for column in INDEXES:
        op.create_index(op.f(f'ix_audit_events_{column}'), 'audit_events', [column], unique=False)


def downgrade():
    for column in reversed(INDEXES):
        op.drop_index(op.f(f'ix_audit_events_{column}'), table_name='audit_events')
