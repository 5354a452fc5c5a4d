"""The audit trail: append-only, hash-chained, never forked, tampering found."""

from __future__ import annotations

import threading
from itertools import pairwise

import pytest
from sqlalchemy import select, text, update

from app.models import AuditEvent, AuditLogImmutable
from app.services.audit import GENESIS_HASH, verify_chain


def test_every_write_is_a_chained_event(db, make_decision, walk):
    walk(make_decision())
    events = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
    actions = [e.action for e in events]
    assert "decision.create" in actions and "decision.submit" in actions
    assert "step.legality_review.sign" in actions and "step.collective_decision.record" in actions
    assert events[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.hash for earlier, later in pairwise(events))
    report = verify_chain()
    assert report.ok and report.events == len(events)


@pytest.mark.parametrize(
    ("column", "value"),
    [("after", '{"title":"篡改"}'), ("actor", "someone_else"), ("action", "decision.delete")],
)
def test_a_row_altered_with_raw_sql_is_found(db, make_decision, walk, column, value):
    walk(make_decision(), until="signed")
    target = db.session.execute(select(AuditEvent.id).order_by(AuditEvent.id).offset(3).limit(1)).scalar_one()
    db.session.execute(text(f"UPDATE audit_events SET {column} = :value WHERE id = :id"),
                       {"value": value, "id": target})
    db.session.commit()
    report = verify_chain()
    assert not report.ok
    assert report.first_broken == target
    assert report.events == 3


def test_a_deleted_row_is_found(db, make_decision, walk):
    walk(make_decision(), until="signed")
    ids = db.session.execute(select(AuditEvent.id).order_by(AuditEvent.id)).scalars().all()
    db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": ids[2]})
    db.session.commit()
    report = verify_chain()
    assert not report.ok and report.first_broken == ids[3]


def test_the_application_refuses_to_change_or_delete_events(db, make_decision):
    make_decision()
    event = db.session.execute(select(AuditEvent)).scalars().first()
    event.actor = "nobody"
    with pytest.raises(AuditLogImmutable):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.execute(select(AuditEvent)).scalars().first())
    with pytest.raises(AuditLogImmutable):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AuditLogImmutable):
        db.session.execute(update(AuditEvent).values(actor="x"))
    db.session.rollback()
    assert verify_chain().ok


def test_parallel_writers_do_not_fork_the_chain(app, db, clerk):
    """Several threads, each its own connection and transaction, append at once."""
    from app.database import write_intent
    from app.extensions import db as database
    from app.models import User
    from app.services.decisions import create_decision
    from tests.conftest import DECISION_DATA

    writers, per_writer = 4, 5
    clerk_id = clerk.id  # read once here: the main thread's session is not shared
    errors: list[BaseException] = []
    start = threading.Barrier(writers)

    def write(n: int) -> None:
        try:
            with app.app_context():
                start.wait()
                for i in range(per_writer):
                    with write_intent():  # as a web request that writes: one transaction each
                        user = database.session.get(User, clerk_id)
                        create_decision(user, {**DECISION_DATA, "title": f"并发写入 {n}-{i}"})
                        database.session.commit()
                database.session.remove()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    db.session.rollback()  # end this thread's read snapshot; see what the writers committed
    report = verify_chain()
    assert report.ok
    creates = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "decision.create")
    ).scalars().all()
    assert len(creates) == writers * per_writer
    refs = {e.after_data["ref_no"] for e in creates}
    assert len(refs) == writers * per_writer  # reference numbers never collide either
