"""server-side sessions, login throttles, account rules

Web sessions are rows (``user_sessions``): logout, idle time and an absolute
lifetime end them on the server. Failed logins are counted per username
(``login_throttles``), across workers and nodes. Usernames are unique whatever
their case; an administrator's password must be changed at first login.

Upgrading fails if two existing usernames differ only in case: rename one first.

Revision ID: 5cc8db8cdd62
Revises: 9f3a7c21d5e4
Create Date: 2026-12-01 10:41:58.973139

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5cc8db8cdd62'
down_revision = '9f3a7c21d5e4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_throttles',
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('username', name=op.f('pk_login_throttles'))
    )
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.CheckConstraint('length(token_hash) = 64', name=op.f('ck_user_sessions_token_hash_length')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_index('uq_users_username_lower', 'users', [sa.text('lower(username)')], unique=True)


def downgrade():
    op.drop_index('uq_users_username_lower', table_name='users')
    if op.get_bind().dialect.name == 'sqlite':
        # Not a batch rebuild: dropping the users table would touch audit_events (actor_id), which its
        # append-only triggers refuse. SQLite 3.35+ drops a plain column in place.
        op.execute('ALTER TABLE users DROP COLUMN must_change_password')
    else:
        op.drop_column('users', 'must_change_password')

    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))

    op.drop_table('user_sessions')
    op.drop_table('login_throttles')
