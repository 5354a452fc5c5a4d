"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.extensions import db as database


# SQLite cannot reflect the expression index on lower(username), so alembic skips it there (with warnings);
# PostgreSQL compares it, and tests/security/test_accounts.py proves it refuses a twin on both.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_models_and_migrations_agree(app, ctx):
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, database.metadata)
    assert diff == []


def test_check_constraints_exist_in_the_database(app, ctx):
    inspector = inspect(database.engine)
    for table in database.metadata.sorted_tables:
        declared = {c.name for c in table.constraints if c.__class__.__name__ == "CheckConstraint"}
        if not declared:
            continue
        present = {c["name"] for c in inspector.get_check_constraints(table.name)}
        assert declared <= present, (table.name, declared - present)


def test_downgrade_to_empty_and_upgrade_again(app, ctx):
    from flask_migrate import downgrade, upgrade

    database.session.remove()
    downgrade(revision="base")
    assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert {"decisions", "steps", "audit_events"} <= set(inspect(database.engine).get_table_names())


PREVIOUS = "e86618375266"  # the release with one chain for the whole database
BEFORE_CHAINS = "c41f0e7d9a2b"  # the last revision before the chains (indexes only)


def _legacy_tip(conn) -> tuple[int, str]:
    """Walk the previous release's single chain with its formula; assert it holds."""
    import hashlib

    from sqlalchemy import text

    from app.services.audit import _AT_TEXT, GENESIS_HASH

    rows = conn.execute(text(
        f"SELECT {_AT_TEXT[conn.dialect.name]}, actor, action, entity, entity_id, decision_id, before, after, "
        "prev_hash, hash FROM audit_events ORDER BY id"
    )).all()
    prev = GENESIS_HASH
    for *fields, prev_hash, stored in rows:
        assert prev_hash == prev
        link = "\x1f".join([prev, *("" if f is None else str(f) for f in fields)])
        assert hashlib.sha256(link.encode()).hexdigest() == stored
        prev = stored
    return len(rows), prev


def _previous_release_with_events(orgs, make_decision, walk, make_user) -> int:
    from flask_migrate import downgrade

    from app.models import AuditEvent
    from app.services.calendar import load_calendar_days

    walk(make_decision(), "signed")
    make_user("clerk", "CD")
    load_calendar_days("2027-10-04,holiday\n")
    database.session.commit()
    count = database.session.query(AuditEvent).count()
    database.session.remove()
    downgrade(revision=PREVIOUS)  # rehashes into one chain with the old formula
    return count


def test_upgrade_from_one_chain_splits_it_per_organisation(app, ctx, orgs, make_decision, walk, make_user):
    from flask_migrate import upgrade
    from sqlalchemy import select

    from app.models import GLOBAL_CHAIN, AuditEvent
    from app.services.audit import verify_chain

    bd, cd = orgs["BD"].id, orgs["CD"].id
    count = _previous_release_with_events(orgs, make_decision, walk, make_user)
    with database.engine.connect() as conn:
        legacy = _legacy_tip(conn)
    assert legacy[0] == count
    upgrade()
    report = verify_chain()
    assert report.ok and report.events == count + 1 and report.chains == 4
    events = database.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
    chain = {(e.action, e.entity_id if e.entity != "decision" else None): e.chain for e in events}
    assert {e.chain for e in events if e.decision_id is not None} == {bd}
    assert chain[("organization.create", cd)] == cd
    assert chain[("calendar.load", None)] == GLOBAL_CHAIN
    assert {e.chain for e in events if e.action == "user.create"} == {bd, cd}
    migrated = events[-1]
    assert (migrated.chain, migrated.action) == (GLOBAL_CHAIN, "audit.migrate")
    assert migrated.after_data == {"legacy_events": count, "legacy_tip": legacy[1], "revision": "b7d2c4e9f1a3"}


def test_a_broken_single_chain_is_not_migrated(app, ctx, orgs, make_decision, walk, make_user):
    import pytest
    from flask_migrate import upgrade
    from sqlalchemy import text

    _previous_release_with_events(orgs, make_decision, walk, make_user)
    with database.engine.begin() as conn:  # the previous release had no triggers
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = 3"))
    try:
        with pytest.raises(SystemExit):  # Flask-Migrate logs the migration's refusal and exits
            upgrade()
        with database.engine.connect() as conn:
            # PostgreSQL runs the whole upgrade in one transaction; SQLite keeps the revisions before the refusal.
            stays_at = PREVIOUS if conn.dialect.name == "postgresql" else BEFORE_CHAINS
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == stays_at
    finally:
        database.session.remove()
        with database.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_events"))
        upgrade()


BEFORE_STATISTICS = "d4e5a1b7c9f2"  # the last revision without decision_statistics


def test_upgrade_counts_the_decisions_made_before_the_counters(app, ctx, orgs, make_decision, walk, make_user):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from app.services import reports, statistics
    from app.services.compliance import current_profile
    from app.services.organizations import load_tree
    from app.services.steps import record_step

    clerk_ha = make_user("clerk", "HA", username="clerk_ha")
    walk(make_decision(), "decided")
    exempted = make_decision(category="large_fund")
    record_step(exempted.created_by, exempted, "expert_review", {
        "status": "exempted", "exemption_reason": "不涉及专业技术问题",
        "exemption_basis": "《重大行政决策程序暂行条例》第十九条"})
    make_decision(year=2024, backfilled=True, backfill_reason="补录")
    make_decision(user=clerk_ha)
    make_decision(user=make_user("clerk", "CD"))
    database.session.commit()
    database.session.remove()
    downgrade(revision=BEFORE_STATISTICS)
    assert "decision_statistics" not in inspect(database.engine).get_table_names()
    upgrade()
    assert database.session.execute(text("SELECT count(*) FROM decisions WHERE statistics_keys IS NULL")).scalar() == 0
    assert statistics.check_statistics() == []
    tree = load_tree()
    for org_id in tree.nodes:
        for year in (2024, 2025):
            scope = tree.subtree(org_id)
            counted = reports.report_from_counts(statistics.scope_counts(scope, year), year, current_profile())
            assert counted == reports._compute(scope, year, current_profile())
    # What the migration filled is what a rebuild writes.
    before = database.session.execute(text("SELECT * FROM decision_statistics ORDER BY 1, 2, 3")).all()
    statistics.rebuild_statistics()
    assert database.session.execute(text("SELECT * FROM decision_statistics ORDER BY 1, 2, 3")).all() == before
