"""audit chains per organization, checkpoints, append-only triggers

One hash chain per organisation (``chain``, ``seq``; the hash now covers both),
a table of signed checkpoints, and triggers that refuse UPDATE and DELETE (and
TRUNCATE on PostgreSQL) on both tables.

The existing single chain is first verified with the old formula: a broken
chain is refused, so rehashing cannot launder a tampered row. Each old event is
then assigned to the chain the application now gives it (its decision's
organisation, else the user or organisation it is about, else its actor's;
calendar and system events to the global chain 0), rehashed in id order, and
the old tip (count and hash) is recorded in a ``audit.migrate`` event at the end
of the global chain, so that a copy of the old tip kept elsewhere still
vouches for the migrated trail. Downgrading rehashes into one chain again.

On SQLite a later ``batch_alter_table('audit_events')`` rebuilds the table and
drops its triggers: such a migration must create them again (see ``_TRIGGERS``).

Revision ID: b7d2c4e9f1a3
Revises: c41f0e7d9a2b
Create Date: 2026-11-25 09:00:00.000000

"""
import hashlib
import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7d2c4e9f1a3'
down_revision = 'c41f0e7d9a2b'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
SEP = "\x1f"
BATCH = 10_000
PROTECTED = ("audit_events", "audit_checkpoints")

_AT_TEXT = {
    "postgresql": """to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')""",
    "sqlite": "replace(e.at, ' ', 'T') || 'Z'",
}

# The chain rule of ``app.services.audit.chain_of``, in SQL.
_CHAIN = """COALESCE(
    d.organization_id,
    CASE WHEN e.entity = 'organization' THEN e.entity_id
         WHEN e.entity = 'user' THEN u.organization_id
         WHEN e.entity = 'calendar' THEN 0 END,
    a.organization_id,
    0)"""

_TRIGGERS = {
    "sqlite": [
        f"""CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"""
        for table in PROTECTED for verb in ("UPDATE", "DELETE")
    ],
    "postgresql": [
        """CREATE FUNCTION refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
               RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
           END $$""",
        *(f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table}
              FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change()""" for table in PROTECTED),
    ],
}
_DROP_TRIGGERS = {
    "sqlite": [f"DROP TRIGGER IF EXISTS {table}_no_{verb}" for table in PROTECTED for verb in ("update", "delete")],
    "postgresql": [
        *(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in PROTECTED),
        "DROP FUNCTION IF EXISTS refuse_audit_change()",
    ],
}


def _link(*parts) -> str:
    return hashlib.sha256(SEP.join("" if p is None else str(p) for p in parts).encode()).hexdigest()


def _events(conn, chain: str = "0"):
    """Every event in id order, in pages (constant memory), ``at`` as the hashed text, then ``chain`` (SQL)."""
    at_text = _AT_TEXT[conn.dialect.name]
    last = 0
    while True:
        rows = conn.execute(sa.text(
            f"SELECT e.id, {at_text}, e.actor, e.action, e.entity, e.entity_id, e.decision_id, e.before, e.after, "
            f"e.prev_hash, e.hash, {chain} FROM audit_events e "
            "LEFT JOIN decisions d ON d.id = e.decision_id "
            "LEFT JOIN users u ON e.entity = 'user' AND u.id = e.entity_id "
            "LEFT JOIN users a ON a.id = e.actor_id "
            f"WHERE e.id > :last ORDER BY e.id LIMIT {BATCH}"
        ), {"last": last}).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _verify_single_chain(conn) -> tuple[int, str]:
    """The old formula over the old single chain; refuse to migrate a broken one."""
    prev, count = GENESIS, 0
    for rows in _events(conn):
        for event_id, at, actor, action, entity, entity_id, decision_id, before, after, prev_hash, stored, _ in rows:
            if prev_hash != prev or _link(prev, at, actor, action, entity, entity_id, decision_id,
                                          before or "", after or "") != stored:
                raise RuntimeError(
                    f"the audit chain is broken at event {event_id}: it is not migrated, so that rehashing cannot "
                    "hide the break; investigate with `flask audit verify` on the previous release")
            prev, count = stored, count + 1
    return count, prev


def upgrade():
    conn = op.get_bind()
    dialect = conn.dialect.name
    legacy_events, legacy_tip = _verify_single_chain(conn)

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_audit_events_prev_hash'), type_='unique')

    tips: dict[int, tuple[str, int]] = {}
    update = sa.text("UPDATE audit_events SET chain = :chain, seq = :seq, prev_hash = :prev, hash = :hash "
                     "WHERE id = :id")
    for rows in _events(conn, _CHAIN):
        changes = []
        for event_id, at, actor, action, entity, entity_id, decision_id, before, after, _p, _h, chain in rows:
            prev, seq = tips.get(chain, (GENESIS, 0))
            seq += 1
            digest = _link(prev, chain, seq, at, actor, action, entity, entity_id, decision_id, before, after)
            changes.append({"chain": chain, "seq": seq, "prev": prev, "hash": digest, "id": event_id})
            tips[chain] = (digest, seq)
        conn.execute(update, changes)

    if legacy_events:
        prev, seq = tips.get(0, (GENESIS, 0))
        seq += 1
        at = datetime.now(UTC)
        at_text = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        after = json.dumps({"legacy_events": legacy_events, "legacy_tip": legacy_tip, "revision": revision},
                           sort_keys=True, separators=(",", ":"))
        digest = _link(prev, 0, seq, at_text, "system", "audit.migrate", "audit_chain", None, None, None, after)
        events = sa.table("audit_events", sa.column("at", sa.DateTime(timezone=True)), *(sa.column(name) for name in (
            "chain", "seq", "actor", "action", "entity", "after", "prev_hash", "hash")))
        conn.execute(events.insert().values(chain=0, seq=seq, at=at, actor="system", action="audit.migrate",
                                            entity="audit_chain", after=after, prev_hash=prev, hash=digest))

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('chain', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_events_chain_seq'), ['chain', 'seq'])
        batch_op.create_unique_constraint(batch_op.f('uq_audit_events_chain_prev_hash'), ['chain', 'prev_hash'])
        batch_op.create_check_constraint(batch_op.f('ck_audit_events_chain_not_negative'), 'chain >= 0')
        batch_op.create_check_constraint(batch_op.f('ck_audit_events_seq_positive'), 'seq >= 1')

    op.create_table('audit_checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints'))
    )
    for statement in _TRIGGERS[dialect]:
        op.execute(statement)


def downgrade():
    conn = op.get_bind()
    for statement in _DROP_TRIGGERS[conn.dialect.name]:
        op.execute(statement)
    op.drop_table('audit_checkpoints')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_audit_events_seq_positive'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_audit_events_chain_not_negative'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_audit_events_chain_prev_hash'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_audit_events_chain_seq'), type_='unique')

    # One chain again, in id order, with the old formula.
    prev = GENESIS
    update = sa.text("UPDATE audit_events SET prev_hash = :prev, hash = :hash WHERE id = :id")
    for rows in _events(conn):
        changes = []
        for event_id, at, actor, action, entity, entity_id, decision_id, before, after, _p, _h, _c in rows:
            digest = _link(prev, at, actor, action, entity, entity_id, decision_id, before, after)
            changes.append({"prev": prev, "hash": digest, "id": event_id})
            prev = digest
        conn.execute(update, changes)

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('seq')
        batch_op.drop_column('chain')
        batch_op.create_unique_constraint(batch_op.f('uq_audit_events_prev_hash'), ['prev_hash'])
