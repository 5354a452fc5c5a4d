"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.extensions import db as database


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
