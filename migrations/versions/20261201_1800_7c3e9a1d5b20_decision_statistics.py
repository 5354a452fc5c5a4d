"""decision statistics: rolled-up counters per organisation, year and fact

``decision_statistics`` counts, per organisation and year, the decisions of it
and all its descendants with each raw fact (total, complete, backfilled,
``step:<category>:<kind>:<status>``, ``rule:<rule>``); ``decisions.statistics_keys``
is what each decision is counted as (``org|year|category|flags|step codes|rules``),
so a write's change of the counters needs nothing else (app/services/statistics.py).

Filled here from the stored summaries in SQL: one UPDATE … FROM for the
signatures (one pass over the steps and findings), one INSERT … SELECT that
joins each decision's own counts to its organisation's ancestors (a recursive
CTE) and sums per ancestor. Works on an empty database and on the previous
release's data.

Revision ID: 7c3e9a1d5b20
Revises: d4e5a1b7c9f2
Create Date: 2026-12-01 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3e9a1d5b20'
down_revision = 'd4e5a1b7c9f2'
branch_labels = None
depends_on = None

KINDS = ('public_participation', 'expert_review', 'risk_assessment', 'legality_review', 'collective_decision')


def _signatures(dialect: str) -> str:
    rules = "string_agg(rule, ',' ORDER BY rule)" if dialect == 'postgresql' else "group_concat(rule, ',')"
    step_codes = ', '.join(f"max(CASE WHEN kind = '{kind}' THEN substr(status, 1, 1) END) AS k{index}"
                           for index, kind in enumerate(KINDS))
    codes = ' || '.join(f"coalesce(st.k{index}, '-')" for index in range(len(KINDS)))
    return (
        "SELECT d.id AS id, CAST(d.organization_id AS TEXT) || '|' || CAST(d.year AS TEXT) || '|' || d.category"
        " || '|' || (CASE WHEN d.is_complete THEN 'c' ELSE '-' END) || (CASE WHEN d.backfilled THEN 'b' ELSE '-' END)"
        f" || '|' || {codes} || '|' || coalesce(f.rules, '') AS sig"
        " FROM decisions d"
        f" LEFT JOIN (SELECT decision_id, {step_codes} FROM steps GROUP BY decision_id) st ON st.decision_id = d.id"
        f" LEFT JOIN (SELECT decision_id, {rules} AS rules FROM decision_findings GROUP BY decision_id) f"
        " ON f.decision_id = d.id"
    )


COUNTERS = """
WITH RECURSIVE up(org_id, ancestor_id, depth) AS (
    SELECT id, id, 0 FROM organizations
    UNION ALL
    SELECT up.org_id, o.parent_id, up.depth + 1 FROM up JOIN organizations o ON o.id = up.ancestor_id
    WHERE o.parent_id IS NOT NULL AND up.depth < 64
), own(organization_id, year, key, n) AS (
    SELECT organization_id, year, 'total', count(*) FROM decisions GROUP BY organization_id, year
    UNION ALL
    SELECT organization_id, year, 'complete', count(*) FROM decisions WHERE is_complete
    GROUP BY organization_id, year
    UNION ALL
    SELECT organization_id, year, 'backfilled', count(*) FROM decisions WHERE backfilled
    GROUP BY organization_id, year
    UNION ALL
    SELECT d.organization_id, d.year, 'step:' || d.category || ':' || s.kind || ':' || s.status, count(*)
    FROM steps s JOIN decisions d ON d.id = s.decision_id
    GROUP BY d.organization_id, d.year, d.category, s.kind, s.status
    UNION ALL
    SELECT d.organization_id, d.year, 'rule:' || f.rule, count(*)
    FROM decision_findings f JOIN decisions d ON d.id = f.decision_id
    GROUP BY d.organization_id, d.year, f.rule
)
INSERT INTO decision_statistics (organization_id, year, key, count)
SELECT up.ancestor_id, own.year, own.key, sum(own.n)
FROM own JOIN up ON up.org_id = own.organization_id
GROUP BY up.ancestor_id, own.year, own.key
"""


def upgrade():
    # In place (ADD COLUMN), no batch rebuild of decisions.
    op.add_column('decisions', sa.Column('statistics_keys', sa.Text(), nullable=True))
    op.create_table('decision_statistics',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint('count >= 0', name=op.f('ck_decision_statistics_count_not_negative')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                            name=op.f('fk_decision_statistics_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'year', 'key', name=op.f('pk_decision_statistics'))
    )
    dialect = op.get_bind().dialect.name
    op.execute(f"UPDATE decisions SET statistics_keys = s.sig FROM ({_signatures(dialect)}) s WHERE decisions.id = s.id")
    op.execute(COUNTERS)


def downgrade():
    op.drop_table('decision_statistics')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE decisions DROP COLUMN statistics_keys')
    else:
        op.drop_column('decisions', 'statistics_keys')
