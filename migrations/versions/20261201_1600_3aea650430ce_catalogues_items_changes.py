"""decision catalogues (事项目录), their items and change log; decisions link to an item

One catalogue per organisation and year; an item links at most one decision
(``decisions.catalogue_item_id`` unique).

Revision ID: 3aea650430ce
Revises: a13f0e5d7c21
Create Date: 2026-12-01 13:28:38.137059

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3aea650430ce'
down_revision = 'a13f0e5d7c21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('catalogues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('approval_ref', sa.String(length=100), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status <> 'published' OR published_on IS NOT NULL", name=op.f('ck_catalogues_publication_recorded')),
    sa.CheckConstraint("status = 'draft' OR (approved_on IS NOT NULL AND approval_ref IS NOT NULL)", name=op.f('ck_catalogues_approval_recorded')),
    sa.CheckConstraint("status IN ('draft', 'approved', 'published')", name=op.f('ck_catalogues_status')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_catalogues_year_range')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_catalogues_organization_id_organizations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogues')),
    sa.UniqueConstraint('organization_id', 'year', name=op.f('uq_catalogues_organization_id_year'))
    )
    with op.batch_alter_table('catalogues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalogues_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalogues_year'), ['year'], unique=False)

    op.create_table('catalogue_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('catalogue_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('decision_body', sa.String(length=100), nullable=True),
    sa.Column('sponsor_unit', sa.String(length=100), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=True),
    sa.Column('public_participation', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('expert_review', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('risk_assessment', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('hearing', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('fair_competition_review', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('planned_completion', sa.Date(), nullable=True),
    sa.Column('removed', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('removal_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("category IN ('major_matter', 'cadre_appointment', 'major_project', 'large_fund')", name=op.f('ck_catalogue_items_category')),
    sa.CheckConstraint('NOT removed OR removal_reason IS NOT NULL', name=op.f('ck_catalogue_items_removal_reason_required')),
    sa.CheckConstraint('seq > 0', name=op.f('ck_catalogue_items_seq_positive')),
    sa.ForeignKeyConstraint(['catalogue_id'], ['catalogues.id'], name=op.f('fk_catalogue_items_catalogue_id_catalogues'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_items')),
    sa.UniqueConstraint('catalogue_id', 'seq', name=op.f('uq_catalogue_items_catalogue_id_seq'))
    )
    with op.batch_alter_table('catalogue_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalogue_items_catalogue_id'), ['catalogue_id'], unique=False)

    op.create_table('catalogue_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('catalogue_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("action IN ('added', 'changed', 'removed')", name=op.f('ck_catalogue_changes_action')),
    sa.CheckConstraint('length(trim(reason)) > 0', name=op.f('ck_catalogue_changes_reason_required')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_catalogue_changes_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['catalogue_id'], ['catalogues.id'], name=op.f('fk_catalogue_changes_catalogue_id_catalogues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['catalogue_items.id'], name=op.f('fk_catalogue_changes_item_id_catalogue_items'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_changes'))
    )
    with op.batch_alter_table('catalogue_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalogue_changes_catalogue_id'), ['catalogue_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalogue_changes_item_id'), ['item_id'], unique=False)

    op.add_column('steps', sa.Column('catalogue_deviation_reason', sa.Text(), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        # Plain ADD COLUMN (a batch recreate of ``decisions`` would rebuild the table everything references);
        # SQLite takes the foreign key with the new column.
        op.execute('ALTER TABLE decisions ADD COLUMN catalogue_item_id INTEGER '
                   'CONSTRAINT fk_decisions_catalogue_item_id_catalogue_items '
                   'REFERENCES catalogue_items (id)')
        op.execute('CREATE UNIQUE INDEX uq_decisions_catalogue_item_id ON decisions (catalogue_item_id)')
    else:
        op.add_column('decisions', sa.Column('catalogue_item_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_decisions_catalogue_item_id_catalogue_items'), 'decisions', 'catalogue_items',
                              ['catalogue_item_id'], ['id'])
        op.create_index('uq_decisions_catalogue_item_id', 'decisions', ['catalogue_item_id'], unique=True)


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE steps DROP COLUMN catalogue_deviation_reason')
        op.execute('DROP INDEX uq_decisions_catalogue_item_id')
        # SQLite ≥ 3.35 drops a plain column in place, its column-level reference with it.
        op.execute('ALTER TABLE decisions DROP COLUMN catalogue_item_id')
    else:
        op.drop_constraint(op.f('fk_decisions_catalogue_item_id_catalogue_items'), 'decisions', type_='foreignkey')
        op.drop_index('uq_decisions_catalogue_item_id', table_name='decisions')
        op.drop_column('decisions', 'catalogue_item_id')
        op.drop_column('steps', 'catalogue_deviation_reason')

    with op.batch_alter_table('catalogue_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalogue_changes_item_id'))
        batch_op.drop_index(batch_op.f('ix_catalogue_changes_catalogue_id'))

    op.drop_table('catalogue_changes')
    with op.batch_alter_table('catalogue_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalogue_items_catalogue_id'))

    op.drop_table('catalogue_items')
    with op.batch_alter_table('catalogues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalogues_year'))
        batch_op.drop_index(batch_op.f('ix_catalogues_organization_id'))

    op.drop_table('catalogues')
