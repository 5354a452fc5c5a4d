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


def upgrade():
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('row_version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('backfilled', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('backfill_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_decisions_backfill_reason_required'),
            sa.text('NOT backfilled OR (backfill_reason IS NOT NULL AND length(trim(backfill_reason)) > 0)'),
        )
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))

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
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.drop_column('version')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_decisions_backfill_reason_required'), type_='check')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('submitted_at')
        batch_op.drop_column('backfill_reason')
        batch_op.drop_column('backfilled')
        batch_op.drop_column('row_version')
