"""The ``flask`` commands: users, audit verify, calendar load, compliance rebuild."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.models import AuditEvent, CalendarDay, User


def _run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def test_users_create(app, db, orgs):
    result = _run(app, "users", "create", "--username", "wang", "--role", "legal_adviser", "--org", "BD",
                  "--password", "s3cret-pass")
    assert result.exit_code == 0, result.output
    db.session.rollback()
    user = db.session.execute(select(User).where(User.username == "wang")).scalar_one()
    assert user.role == "legal_adviser" and user.check_password("s3cret-pass")
    assert user.password_hash != "s3cret-pass"


def test_users_create_reports_bad_input(app, db, orgs):
    result = _run(app, "users", "create", "--username", "li", "--role", "clerk", "--org", "XX", "--password", "short")
    assert result.exit_code == 2
    assert "org" in result.output and "password" in result.output
    db.session.rollback()
    assert db.session.execute(select(User).where(User.username == "li")).first() is None


def test_audit_verify_ok_then_broken(app, db, make_decision, walk, tamper):
    walk(make_decision(), until="signed")
    result = _run(app, "audit", "verify")
    assert result.exit_code == 0, result.output
    count = db.session.execute(select(AuditEvent.id)).all()
    assert f"{len(count)} events" in result.output
    target = db.session.execute(select(AuditEvent.id).order_by(AuditEvent.id).offset(2).limit(1)).scalar_one()
    tamper("UPDATE audit_events SET actor = 'mallory' WHERE id = :id", {"id": target})
    result = _run(app, "audit", "verify")
    assert result.exit_code == 1
    assert f"event {target}" in result.output


def test_audit_keygen_writes_a_private_key_only_its_owner_reads(app, tmp_path):
    key = tmp_path / "signing.pem"
    result = _run(app, "audit", "keygen", str(key))
    assert result.exit_code == 0, result.output
    assert key.stat().st_mode & 0o777 == 0o600
    assert key.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert (tmp_path / "signing.pem.pub").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    assert _run(app, "audit", "keygen", str(key)).exit_code == 2  # never overwritten


def test_audit_checkpoint_needs_a_key(app, db, orgs, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_SIGNING_KEY_FILE", None)
    result = _run(app, "audit", "checkpoint")
    assert result.exit_code == 2 and "AUDIT_SIGNING_KEY_FILE" in result.output


def test_audit_checkpoint_then_verify_against_it(app, db, orgs, make_decision, walk, signing_key, tamper, tmp_path,
                                                monkeypatch):
    walk(make_decision(), until="signed")
    stdout = _run(app, "audit", "checkpoint")
    assert stdout.exit_code == 0 and '"format": "audit-checkpoint/1"' in stdout.output
    checkpoint = tmp_path / "checkpoint.json"
    result = _run(app, "audit", "checkpoint", "--out", str(checkpoint))
    assert result.exit_code == 0, result.output
    make_decision()  # the trail grows after the checkpoint
    result = _run(app, "audit", "verify", "--checkpoint", str(checkpoint))
    assert result.exit_code == 0, result.output
    assert "extend the checkpoint" in result.output
    # An outside auditor holds only the public key.
    monkeypatch.setitem(app.config, "AUDIT_SIGNING_KEY_FILE", None)
    monkeypatch.setitem(app.config, "AUDIT_VERIFY_KEY_FILE", None)
    assert _run(app, "audit", "verify", "--checkpoint", str(checkpoint)).exit_code == 2  # no trusted key: no verdict
    result = _run(app, "audit", "verify", "--org", "BD", "--checkpoint", str(checkpoint),
                  "--public-key", signing_key[1])
    assert result.exit_code == 0 and "chain BD" in result.output

    last = db.session.execute(select(AuditEvent.id).where(AuditEvent.chain == orgs["BD"].id)
                              .order_by(AuditEvent.seq.desc()).limit(3)).scalars().all()
    tamper("DELETE FROM audit_events WHERE id IN (:a, :b, :c)", dict(zip("abc", last, strict=True)))
    assert _run(app, "audit", "verify").exit_code == 0  # cut off the end: the chain alone cannot tell
    trusted = ("--checkpoint", str(checkpoint), "--public-key", signing_key[1])
    result = _run(app, "audit", "verify", *trusted)
    assert result.exit_code == 1 and "chain BD: events were cut off" in result.output
    assert _run(app, "audit", "verify", "--org", "CD", *trusted).exit_code == 0


def test_audit_verify_refuses_a_forged_checkpoint(app, db, orgs, signing_key, tmp_path):
    checkpoint = tmp_path / "checkpoint.json"
    assert _run(app, "audit", "checkpoint", "--out", str(checkpoint)).exit_code == 0
    checkpoint.write_text(checkpoint.read_text().replace('"events": 1', '"events": 2', 1))
    result = _run(app, "audit", "verify", "--checkpoint", str(checkpoint))
    assert result.exit_code == 1 and "signature does not match" in result.output


def test_audit_verify_one_organisation(app, db, orgs, make_decision):
    make_decision()
    result = _run(app, "audit", "verify", "--org", "BD")
    bd_events = db.session.execute(select(AuditEvent.id).where(AuditEvent.chain == orgs["BD"].id)).all()
    assert result.exit_code == 0 and f"ok: {len(bd_events)} events verified (chain BD)" in result.output
    assert _run(app, "audit", "verify", "--org", "XX").exit_code == 2


def test_calendar_load(app, db, tmp_path):
    good = tmp_path / "2027.csv"
    good.write_text("date,kind\n2027-10-01,holiday\n2027-10-09,workday\n", encoding="utf-8")
    result = _run(app, "calendar", "load", str(good))
    assert result.exit_code == 0, result.output
    db.session.rollback()
    days = dict(db.session.execute(select(CalendarDay.day, CalendarDay.kind)).all())
    assert days == {date(2027, 10, 1): "holiday", date(2027, 10, 9): "workday"}


def test_calendar_load_rejects_a_bad_file_whole(app, db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("2027-10-01,holiday\n2027-02-30,holiday\n2027-10-02,vacation\n", encoding="utf-8")
    result = _run(app, "calendar", "load", str(bad))
    assert result.exit_code == 2
    assert "line 2" in result.output and "line 3" in result.output
    db.session.rollback()
    assert db.session.execute(select(CalendarDay)).first() is None


def test_loaded_calendar_changes_the_working_day_count(app, db, make_decision):
    from app.services.calendar import load_calendar_days
    from app.services.compliance import load_calendar

    load_calendar_days("2027-10-04,holiday\n")
    db.session.commit()
    calendar = load_calendar()
    assert calendar.is_workday(date(2027, 10, 4)) is False
    assert calendar.is_workday(date(2027, 10, 5)) is True


def test_compliance_rebuild(app, db, make_decision, walk):
    walk(make_decision())
    result = _run(app, "compliance", "rebuild")
    assert result.exit_code == 0, result.output
    assert "rebuilt 1 decisions" in result.output


def test_reminders_send_delivers_once_a_day_through_a_real_smtp_server(app, db, clerk, make_decision, walk,
                                                                      monkeypatch):
    from tests.smtp_server import smtp_server

    decision = walk(make_decision(), "decided")  # its publication (2025) is long overdue
    clerk.email = "clerk@bd.example.cn"
    db.session.commit()
    with smtp_server() as mailbox:
        monkeypatch.setitem(app.config, "MAIL_SERVER", mailbox.host)
        monkeypatch.setitem(app.config, "MAIL_PORT", mailbox.port)
        first = _run(app, "reminders", "send")
        assert first.exit_code == 0, first.output
        assert "sent 1 messages with 2 deadlines" in first.output
        second = _run(app, "reminders", "send")
        assert second.exit_code == 0 and "sent 0 messages" in second.output
        [message] = mailbox.messages
        assert message["To"].endswith("<clerk@bd.example.cn>") and decision.ref_no in mailbox.body(message)
        mailbox.refuse.add("clerk@bd.example.cn")
        db.session.rollback()
        walk(make_decision(), "decided")  # a new item, refused by the server
        refused = _run(app, "reminders", "send")
        assert refused.exit_code == 1 and "error: clerk_bd" in refused.output


def test_users_create_takes_an_email_address(app, db, orgs):
    result = _run(app, "users", "create", "--username", "zhao", "--role", "clerk", "--org", "BD",
                  "--email", "not-an-address", "--password", "s3cret-pass")
    assert result.exit_code == 2 and "email" in result.output
    result = _run(app, "users", "create", "--username", "zhao", "--role", "clerk", "--org", "BD",
                  "--email", "zhao@bd.example.cn", "--password", "s3cret-pass")
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert db.session.execute(select(User.email).where(User.username == "zhao")).scalar_one() == "zhao@bd.example.cn"
