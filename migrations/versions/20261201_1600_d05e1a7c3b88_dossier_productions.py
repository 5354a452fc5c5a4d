"""dossier productions: which decisions have had their archive package (决策档案) produced

The archiving clock (713号令 art. 33) asks whether a decided decision has a
dossier; each production is one append-only row, written with its audit event.

Revision ID: d05e1a7c3b88
Revises: 3e8b1f0c7a65
Create Date: 2026-12-01 13:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd05e1a7c3b88'
down_revision = '3e8b1f0c7a65'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'dossier_productions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('decision_id', sa.Integer(), nullable=False),
        sa.Column('produced_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('produced_by_id', sa.Integer(), nullable=True),
        sa.Column('produced_by', sa.String(length=64), nullable=False),
        sa.Column('package', sa.String(length=10), nullable=False),
        sa.Column('manifest_sha256', sa.String(length=64), nullable=False),
        sa.Column('files', sa.Integer(), nullable=False),
        sa.Column('archival_code', sa.String(length=80), nullable=False),
        sa.CheckConstraint('length(manifest_sha256) = 64', name=op.f('ck_dossier_productions_manifest_sha256_length')),
        sa.CheckConstraint('files >= 1', name=op.f('ck_dossier_productions_files_positive')),
        sa.CheckConstraint("package IN ('decision', 'year')", name=op.f('ck_dossier_productions_package_kind')),
        sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_dossier_productions_decision_id_decisions'),
                                ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['produced_by_id'], ['users.id'], name=op.f('fk_dossier_productions_produced_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_productions')),
    )
    op.create_index('ix_dossier_productions_decision', 'dossier_productions', ['decision_id', 'produced_at'])


def downgrade():
    op.drop_index('ix_dossier_productions_decision', table_name='dossier_productions')
    op.drop_table('dossier_productions')
