"""decision list drill-down indexes

The decision list filters by a procedure's status (the dashboard's completed /
exempted / missing per procedure): ``steps (kind, status, decision_id)`` answers
"which decisions have this step in this state" from the index alone. The rule
filter uses ``ix_decision_findings_rule``, which exists. Plain CREATE INDEX.

Revision ID: 3e8b1f0c7a65
Revises: 5cc8db8cdd62
Create Date: 2026-12-01 16:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3e8b1f0c7a65'
down_revision = '5cc8db8cdd62'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_steps_kind_status_decision', 'steps', ['kind', 'status', 'decision_id'], unique=False)


def downgrade():
    op.drop_index('ix_steps_kind_status_decision', table_name='steps')
