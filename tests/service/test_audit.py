"""The audit trail: one chain per organisation, append-only in the database, never forked, tampering found,
and anchored by signed checkpoints that a rewritten or shortened chain no longer extends."""

from __future__ import annotations

import json
import threading
import time
from itertools import pairwise

import pytest
from sqlalchemy import exc, func, select, text, update

from app.models import GLOBAL_CHAIN, AuditCheckpoint, AuditEvent, AuditLogImmutable
from app.services import audit
from app.services.audit import GENESIS_HASH, chain_tips, event_hash, verify_chain


def _chain(db, chain: int) -> list[AuditEvent]:
    return list(db.session.execute(
        select(AuditEvent).where(AuditEvent.chain == chain).order_by(AuditEvent.seq)).scalars())


def _rehash_from(db, tamper, chain: int, seq: int, **changes) -> None:
    """What someone who can write to the database does: change an event, then rehash the rest of its chain."""
    events = _chain(db, chain)
    prev = events[seq - 2].hash if seq > 1 else GENESIS_HASH
    rows = []
    for event in events[seq - 1:]:
        fields = {"actor": event.actor, "action": event.action, "after": event.after}
        if event.seq == seq:
            fields.update(changes)
        digest = event_hash(prev, chain, event.seq, event.at, fields["actor"], fields["action"], event.entity,
                            event.entity_id, event.decision_id, event.before, fields["after"])
        rows.append({**fields, "prev": prev, "hash": digest, "id": event.id})
        prev = digest
    db.session.rollback()
    for row in rows:
        tamper("UPDATE audit_events SET actor = :actor, action = :action, after = :after, prev_hash = :prev, "
               "hash = :hash WHERE id = :id", row)


def test_every_write_is_a_chained_event_of_its_organisation(db, orgs, make_decision, walk):
    decision = walk(make_decision())
    events = _chain(db, orgs["BD"].id)
    actions = [e.action for e in events if e.decision_id == decision.id]
    assert "decision.create" in actions and "decision.submit" in actions
    assert "step.legality_review.sign" in actions and "step.collective_decision.record" in actions
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == GENESIS_HASH and events[0].action == "organization.create"
    assert all(later.prev_hash == earlier.hash for earlier, later in pairwise(events))
    assert {e.action for e in events} >= {"organization.create", "user.create"}  # BD's clerk is BD's
    report = verify_chain()
    assert report.ok and report.events == db.session.execute(select(func.count(AuditEvent.id))).scalar()
    assert report.chains == 3  # HA, BD, CD


def test_calendar_events_go_to_the_global_chain(db, clerk):
    from app.services.calendar import load_calendar_days

    load_calendar_days("2027-10-04,holiday\n", clerk)
    db.session.commit()
    assert [e.action for e in _chain(db, GLOBAL_CHAIN)] == ["calendar.load"]


@pytest.mark.parametrize(
    ("column", "value"),
    [("after", '{"title":"篡改"}'), ("actor", "someone_else"), ("action", "decision.delete"), ("seq", "99")],
)
def test_a_row_altered_with_raw_sql_is_found(db, orgs, make_decision, walk, tamper, column, value):
    walk(make_decision(), until="signed")
    target = _chain(db, orgs["BD"].id)[3].id
    tamper(f"UPDATE audit_events SET {column} = :value WHERE id = :id", {"value": value, "id": target})
    report = verify_chain()
    assert not report.ok
    assert report.first_broken == target and report.chain == orgs["BD"].id
    assert report.events == db.session.execute(select(func.count()).where(AuditEvent.id < target)).scalar()


def test_a_deleted_row_is_found(db, orgs, make_decision, walk, tamper):
    walk(make_decision(), until="signed")
    events = _chain(db, orgs["BD"].id)
    tamper("DELETE FROM audit_events WHERE id = :id", {"id": events[2].id})
    report = verify_chain()
    assert not report.ok and report.first_broken == events[3].id


def test_the_database_refuses_raw_update_and_delete(db, make_decision, signing_key):
    """Raw SQL cannot edit the trail without first dropping the triggers (what ``tamper`` has to do)."""
    from app.services.checkpoints import create_checkpoint

    make_decision()
    create_checkpoint()
    db.session.commit()
    statements = [
        "UPDATE audit_events SET actor = 'mallory'",
        "DELETE FROM audit_events",
        "UPDATE audit_checkpoints SET document = '{}'",
        "DELETE FROM audit_checkpoints",
    ]
    if db.engine.dialect.name == "postgresql":
        statements.append("TRUNCATE audit_events, audit_checkpoints")
    for statement in statements:
        with pytest.raises(exc.DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert verify_chain().ok
    assert db.session.execute(select(func.count(AuditCheckpoint.id))).scalar() == 1


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


def _writers(app, jobs) -> list[BaseException]:
    """Run each job (a callable) in its own thread with its own app context, session and transactions."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(jobs))

    def run(job) -> None:
        from app.extensions import db as database

        try:
            with app.app_context():
                start.wait()
                job()
                database.session.remove()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def _create_decisions(user_id: int, label: str, count: int):
    def job() -> None:
        from app.database import write_intent
        from app.extensions import db as database
        from app.models import User
        from app.services.decisions import create_decision
        from tests.conftest import DECISION_DATA

        for i in range(count):
            with write_intent():  # as a web request that writes: one transaction each
                user = database.session.get(User, user_id)
                create_decision(user, {**DECISION_DATA, "title": f"并发写入 {label}-{i}"})
                database.session.commit()

    return job


def test_parallel_writers_do_not_fork_the_chain(app, db, clerk):
    """Several threads of one organisation append to its chain at once."""
    writers, per_writer = 4, 5
    errors = _writers(app, [_create_decisions(clerk.id, str(n), per_writer) for n in range(writers)])
    assert not errors, errors
    db.session.rollback()  # end this thread's read snapshot; see what the writers committed
    assert verify_chain().ok
    creates = db.session.execute(select(AuditEvent).where(AuditEvent.action == "decision.create")).scalars().all()
    assert len(creates) == writers * per_writer
    assert len({e.after_data["ref_no"] for e in creates}) == writers * per_writer  # no reference number collides


def test_parallel_writers_of_different_organisations_keep_their_chains(app, db, orgs, clerk, make_user):
    other = make_user("clerk", "CD")
    per_writer = 6
    jobs = [_create_decisions(clerk.id, "BD", per_writer), _create_decisions(other.id, "CD", per_writer),
            _create_decisions(clerk.id, "BD2", per_writer), _create_decisions(other.id, "CD2", per_writer)]
    errors = _writers(app, jobs)
    assert not errors, errors
    db.session.rollback()
    assert verify_chain().ok
    for code in ("BD", "CD"):
        chain = orgs[code].id
        events = _chain(db, chain)
        assert sum(e.action == "decision.create" for e in events) == 2 * per_writer
        assert verify_chain(chain=chain).ok


def _held_open_append(app, user_id: int, opened: threading.Event, release: threading.Event, log: list) -> None:
    """Append one event to the user's chain, then keep the transaction (and the chain's lock) open until told."""
    from app.database import write_intent
    from app.extensions import db as database
    from app.models import User
    from app.services.decisions import create_decision
    from tests.conftest import DECISION_DATA

    with app.app_context(), write_intent():
        create_decision(database.session.get(User, user_id), DECISION_DATA)
        opened.set()
        release.wait(timeout=3)
        database.session.commit()
        log.append(("first committed", time.monotonic()))
        database.session.remove()


@pytest.mark.parametrize(("second_org", "waits"), [("CD", False), ("BD", True)])
def test_a_writer_waits_only_for_writers_of_its_own_organisation(app, db, clerk, make_user, second_org, waits):
    """PostgreSQL: the advisory lock is per chain. (SQLite has one writer at a time, whatever the chain.)"""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises every writer at BEGIN IMMEDIATE")
    second_id = make_user("clerk", second_org, username=f"second_{second_org}").id  # read here, not in a thread
    opened, release, log = threading.Event(), threading.Event(), []
    first = threading.Thread(target=_held_open_append, args=(app, clerk.id, opened, release, log))
    first.start()
    assert opened.wait(timeout=10)
    writer = threading.Thread(target=lambda: (_in_context(app, _create_decisions(second_id, "2nd", 1)),
                                              log.append(("second committed", time.monotonic()))))
    writer.start()
    writer.join(timeout=1.5)
    finished_while_first_open = not writer.is_alive()
    release.set()
    first.join(timeout=10)
    writer.join(timeout=10)
    assert finished_while_first_open is not waits, log
    db.session.rollback()
    assert verify_chain().ok


def _in_context(app, job) -> None:
    from app.extensions import db as database

    with app.app_context():
        job()
        database.session.remove()


def test_verify_one_organisation_reads_only_its_chain(db, orgs, clerk, make_user, make_decision, tamper,
                                                      monkeypatch):
    other = make_user("clerk", "CD")
    make_decision()
    make_decision(user=other)
    cd_event = _chain(db, orgs["CD"].id)[-1].id
    tamper("UPDATE audit_events SET actor = 'mallory' WHERE id = :id", {"id": cd_event})
    bd = orgs["BD"].id
    read: list[int] = []
    rows = audit._rows

    def counted(*args, **kwargs):
        for row in rows(*args, **kwargs):
            read.append(row[1])  # the chain of every row the database handed over
            yield row

    monkeypatch.setattr(audit, "_rows", counted)
    report = verify_chain(chain=bd)
    assert report.ok and report.chains == 1
    assert report.events == len(_chain(db, bd)) == len(read) and set(read) == {bd}
    whole = verify_chain()
    assert not whole.ok and whole.first_broken == cd_event


# -- checkpoints -----------------------------------------------------------------------------------------------


@pytest.fixture
def checkpointed(db, orgs, signing_key, make_decision, walk):
    """A BD decision well under way, then a checkpoint of every chain; returns the verified checkpoint."""
    from app.services.checkpoints import create_checkpoint, load_checkpoint, verify_key

    walk(make_decision(), until="signed")
    _row, document = create_checkpoint()
    db.session.commit()
    return load_checkpoint(document, verify_key())


def test_a_checkpoint_signs_every_chain_tip_and_is_an_event(db, orgs, checkpointed):
    tips = chain_tips(db.session)
    entries = {entry.chain: entry for entry in checkpointed.chains}
    assert set(entries) == set(tips) - {GLOBAL_CHAIN}  # its own event came after the tips were read
    assert entries[orgs["BD"].id].org == "BD"
    assert all(entries[c].events == tips[c].seq and entries[c].tip == tips[c].hash for c in entries)
    logged = _chain(db, GLOBAL_CHAIN)[-1]
    assert logged.action == "audit.checkpoint" and logged.after_data["events"] == checkpointed.events


def test_a_chain_that_grew_still_extends_the_checkpoint(db, orgs, checkpointed, make_decision, walk):
    walk(make_decision(), until="submitted_for_review")
    assert verify_chain(checkpoint=checkpointed.tips()).ok
    assert verify_chain(chain=orgs["BD"].id, checkpoint=checkpointed.tips()).ok


def test_a_chain_rewritten_and_rehashed_no_longer_extends_the_checkpoint(db, orgs, checkpointed, tamper):
    bd = orgs["BD"].id
    _rehash_from(db, tamper, bd, 4, actor="mallory")
    assert verify_chain().ok  # the plain chain cannot tell
    for chain in (None, bd):
        report = verify_chain(chain=chain, checkpoint=checkpointed.tips())
        assert not report.ok and report.reason == audit.NOT_EXTENDED and report.chain == bd
    assert verify_chain(chain=orgs["CD"].id, checkpoint=checkpointed.tips()).ok


def test_a_chain_cut_short_no_longer_extends_the_checkpoint(db, orgs, checkpointed, tamper):
    bd = orgs["BD"].id
    last_two = [e.id for e in _chain(db, bd)[-2:]]
    tamper("DELETE FROM audit_events WHERE id IN (:a, :b)", {"a": last_two[0], "b": last_two[1]})
    assert verify_chain().ok
    report = verify_chain(checkpoint=checkpointed.tips())
    assert not report.ok and report.reason == audit.CUT_OFF and report.chain == bd


def test_an_edited_checkpoint_fails_its_signature(db, checkpointed, key_files, tmp_path):
    from app.services.checkpoints import (
        CheckpointError,
        generate_key_files,
        latest_checkpoint,
        load_checkpoint,
        verify_key,
    )

    document = json.loads(latest_checkpoint().document)
    document["chains"][0]["events"] -= 1  # make a cut-off chain look like it extends the checkpoint
    with pytest.raises(CheckpointError, match="signature"):
        load_checkpoint(json.dumps(document), verify_key())
    # Signed by another key: refused even though the file carries that key and a valid signature for it.
    other = tmp_path / "other.pem"
    generate_key_files(other)
    with pytest.raises(CheckpointError, match="not by the trusted key"):
        load_checkpoint(latest_checkpoint().document, verify_key(other.with_name("other.pem.pub")))
