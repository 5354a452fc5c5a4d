"""decision list order index

The decision list (web page and API) reads the newest decisions first:
``ORDER BY year DESC, seq DESC, id DESC``. Over several organisations (an
auditor's scope) no index served that order, so every page sorted all the
scope's rows (≈ 150 ms at 100,000 decisions). ``decisions (year, seq, id)`` is
walked backwards and stops after the page; one organisation's list keeps the
unique ``(organization_id, year, seq)``. Plain CREATE INDEX.

Revision ID: 7c1d9e4b2a60
Revises: 7c3e9a1d5b20
Create Date: 2026-12-01 18:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7c1d9e4b2a60'
down_revision = '7c3e9a1d5b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_decisions_year_seq_id', 'decisions', ['year', 'seq', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_decisions_year_seq_id', table_name='decisions')
