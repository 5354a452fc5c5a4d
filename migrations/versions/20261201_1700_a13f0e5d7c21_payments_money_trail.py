"""follow the money: payments, 大额资金 thresholds with history, imported 台账 rows

Finance-ledger payments (unique per organisation, date, voucher, payee and amount, so a re-import does not
double them), each organisation's large-fund threshold from a day on, and the 编号 of each decision imported
from an existing 台账.

Revision ID: a13f0e5d7c21
Revises: d05e1a7c3b88
Create Date: 2026-12-01 13:28:44.104761

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a13f0e5d7c21'
down_revision = 'd05e1a7c3b88'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('fund_thresholds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('amount_cny', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_cny > 0', name=op.f('ck_fund_thresholds_amount_positive')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_fund_thresholds_organization_id_organizations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_fund_thresholds_set_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_thresholds')),
    sa.UniqueConstraint('organization_id', 'effective_from', name=op.f('uq_fund_thresholds_organization_id_effective_from'))
    )
    with op.batch_alter_table('fund_thresholds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_thresholds_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_thresholds_set_by_id'), ['set_by_id'], unique=False)

    op.create_table('ledger_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('ledger_ref', sa.String(length=40), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(trim(ledger_ref)) > 0', name=op.f('ck_ledger_entries_ledger_ref_not_blank')),
    sa.CheckConstraint('row_number > 0', name=op.f('ck_ledger_entries_row_positive')),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_ledger_entries_decision_id_decisions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_ledger_entries_imported_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_ledger_entries_organization_id_organizations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries')),
    sa.UniqueConstraint('decision_id', name=op.f('uq_ledger_entries_decision_id')),
    sa.UniqueConstraint('organization_id', 'ledger_ref', name=op.f('uq_ledger_entries_organization_id_ledger_ref'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entries_imported_by_id'), ['imported_by_id'], unique=False)

    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('voucher_no', sa.String(length=40), nullable=False),
    sa.Column('payee', sa.String(length=200), nullable=False),
    sa.Column('amount_cny', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_cny > 0', name=op.f('ck_payments_amount_positive')),
    sa.CheckConstraint('length(trim(payee)) > 0', name=op.f('ck_payments_payee_not_blank')),
    sa.CheckConstraint('length(trim(voucher_no)) > 0', name=op.f('ck_payments_voucher_not_blank')),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_payments_decision_id_decisions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_payments_imported_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_payments_organization_id_organizations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('organization_id', 'paid_on', 'voucher_no', 'payee', 'amount_cny', name='uq_payments_natural_key')
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_imported_by_id'), ['imported_by_id'], unique=False)
        batch_op.create_index('ix_payments_org_paid_on', ['organization_id', 'paid_on'], unique=False)
        batch_op.create_index('ix_payments_org_payee', ['organization_id', 'payee'], unique=False)



def downgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index('ix_payments_org_payee')
        batch_op.drop_index('ix_payments_org_paid_on')
        batch_op.drop_index(batch_op.f('ix_payments_imported_by_id'))
        batch_op.drop_index(batch_op.f('ix_payments_decision_id'))

    op.drop_table('payments')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entries_imported_by_id'))

    op.drop_table('ledger_entries')
    with op.batch_alter_table('fund_thresholds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_thresholds_set_by_id'))
        batch_op.drop_index(batch_op.f('ix_fund_thresholds_organization_id'))

    op.drop_table('fund_thresholds')
