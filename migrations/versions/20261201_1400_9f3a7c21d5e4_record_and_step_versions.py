"""record and step versions

REC-01/REC-02 and per-step locks: a decision records when it was submitted and
decided and whether it was entered after the fact (补录, with its reason); each
step has its own optimistic-lock ``version``; the decision's ``row_version``
guards the row against concurrent writers while its ``version`` guards only its
own fields and draft.

Revision ID: 9f3a7c21d5e4
Revises: b7d2c4e9f1a3
Create Date: 2026-12-01 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9f3a7c21d5e4'
down_revision = 'b7d2c4e9f1a3'
branch_labels = None
depends_on = None


CHECK_NAME = 'ck_decisions_backfill_reason_required'
CHECK_SQL = 'NOT backfilled OR (backfill_reason IS NOT NULL AND length(trim(backfill_reason)) > 0)'


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def upgrade():
    # Plain ADD COLUMN on both databases: on SQLite a batch recreate of ``decisions`` would drop a table
    # that drafts, steps and audit events reference, which its foreign keys refuse once there is data.
    op.add_column('decisions', sa.Column('row_version', sa.Integer(), server_default='1', nullable=False))
    op.add_column('decisions', sa.Column('backfilled', sa.Boolean(), server_default=sa.false(), nullable=False))
    if _sqlite():
        # SQLite adds no table constraint to an existing table, but takes one with the new column.
        op.execute(f'ALTER TABLE decisions ADD COLUMN backfill_reason TEXT CONSTRAINT {CHECK_NAME} CHECK ({CHECK_SQL})')
    else:
        op.add_column('decisions', sa.Column('backfill_reason', sa.Text(), nullable=True))
        op.create_check_constraint(op.f(CHECK_NAME), 'decisions', sa.text(CHECK_SQL))
    op.add_column('decisions', sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('decisions', sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('steps', sa.Column('version', sa.Integer(), server_default='1', nullable=False))

    # Existing decisions: the submission and the decision are dated by their audit events where there are any.
    decisions = sa.table('decisions', sa.column('id', sa.Integer), sa.column('submitted_at'),
                         sa.column('decided_at'))
    events = sa.table('audit_events', sa.column('decision_id', sa.Integer), sa.column('action', sa.String),
                      sa.column('at'), sa.column('after'))
    op.execute(
        decisions.update().values(
            submitted_at=sa.select(sa.func.max(events.c.at))
            .where(events.c.decision_id == decisions.c.id, events.c.action == 'decision.submit')
            .scalar_subquery()
        )
    )
    op.execute(
        decisions.update().values(
            decided_at=sa.select(sa.func.min(events.c.at))
            .where(events.c.decision_id == decisions.c.id,
                   events.c.action == 'step.collective_decision.record')
            .scalar_subquery()
        ).where(sa.text("status IN ('decided', 'published', 'archived')"))
    )


def downgrade():
    if _sqlite():
        # SQLite ≥ 3.35 drops a column in place (the CHECK goes with the column it belongs to).
        for table, column in (('steps', 'version'), ('decisions', 'decided_at'), ('decisions', 'submitted_at'),
                              ('decisions', 'backfill_reason'), ('decisions', 'backfilled'),
                              ('decisions', 'row_version')):
            op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
        return
    op.drop_column('steps', 'version')
    op.drop_constraint(op.f(CHECK_NAME), 'decisions', type_='check')
    for column in ('decided_at', 'submitted_at', 'backfill_reason', 'backfilled', 'row_version'):
        op.drop_column('decisions', column)
