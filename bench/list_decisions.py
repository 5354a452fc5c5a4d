"""Time ``list_decisions`` (and the API's read answers) for one user, in-process: median of N calls.

Usage: python bench/list_decisions.py [USERNAME] [-n N] [--explain]   (DATABASE_URL as the server's)

"cold" is the first call of a fresh process (nothing cached), "warm" the median of
the next N; "cold after write" moves the user's scope stamp first (an audit event in
the user's own chain, as any write there does) and times the first call after it.
``--explain`` prints the plan of each statement the call runs (EXPLAIN QUERY PLAN on
SQLite, EXPLAIN ANALYZE on PostgreSQL).
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))  # run from anywhere

from flask import current_app
from sqlalchemy import event, select

from app import create_app
from app.extensions import db
from app.models import Decision, User


def _timed(app, call, n: int) -> tuple[float, list[float]]:
    """The first call, then ``n`` more: each in a request context of its own, like a request."""
    times = []
    for _ in range(n + 1):
        with app.test_request_context("/"):
            start = time.perf_counter()
            call()
            times.append((time.perf_counter() - start) * 1000)
            db.session.rollback()  # a request's session ends after it: no identity map carried over
    return times[0], times[1:]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("username", nargs="?", default="auditor")
    parser.add_argument("-n", type=int, default=20)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()

    from app.services.decisions import DecisionFilter, list_decisions

    app = create_app()
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == args.username)).scalar_one()
        db.session.expunge(user)  # loaded once, as a request's authentication would have it
        statements: list[tuple[str, object]] = []

        def seen(_conn, _cursor, statement, parameters, *_rest):
            statements.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", seen)

        def plain() -> None:
            list_decisions(user, DecisionFilter(), page=1, per_page=25)

        def year() -> None:
            list_decisions(user, DecisionFilter(year=2025), page=1, per_page=25)

        def deep() -> None:
            list_decisions(user, DecisionFilter(), page=200, per_page=25)

        for label, call in (("no filter, page 1", plain), ("year=2025, page 1", year), ("no filter, page 200", deep)):
            statements.clear()
            cold, warm = _timed(app, call, args.n)
            per_call = len(statements)
            print(f"{label:22s} cold={cold:7.1f} ms  warm median={statistics.median(warm):6.1f} ms "
                  f"min={min(warm):6.1f} max={max(warm):6.1f} (n={args.n}, {per_call / (args.n + 1):.1f} queries/call)")

        _write_in_scope(user)
        statements.clear()
        after, _ = _timed(app, plain, 0)
        print(f"{'cold after a write':22s} first call={after:7.1f} ms ({len(statements)} queries)")

        _time_api(app, user, args.n)

        if args.explain:
            event.remove(db.engine, "before_cursor_execute", seen)
            _explain(user)


def _time_api(app, user: User, n: int) -> None:
    """``GET /api/v1/decisions`` and ``/decisions/{id}`` through the test client: warm, and first after a write."""
    from app.api.auth import grant_token

    with app.app_context():
        token, _row = grant_token(db.session.merge(user), "127.0.0.1")
        db.session.commit()
        newest = db.session.execute(select(Decision.id).order_by(Decision.id.desc()).limit(1)).scalar_one()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    for path in ("/api/v1/decisions", f"/api/v1/decisions/{newest}"):
        def get(path: str = path) -> None:
            assert client.get(path, headers=headers).status_code == 200
        cold, warm = _timed_plain(get, n)
        with app.app_context():
            _write_in_scope(db.session.merge(user))
        after, _ = _timed_plain(get, 0)
        print(f"GET {path:28s} first={cold:7.1f} ms  warm median={statistics.median(warm):6.1f} ms  "
              f"first after a write in the scope={after:7.1f} ms (test client, n={n})")


def _timed_plain(call, n: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(n + 1):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times[0], times[1:]


def _write_in_scope(user: User) -> None:
    """A write in the user's organisation: one audit event in its chain moves its stamp, as any audited write does."""
    from app.services.audit import record_event

    record_event(user, "bench.touch", "user", user.id, after={"bench": True})
    db.session.commit()


def _explain(user: User) -> None:
    from app.services.decisions import DecisionFilter, list_decisions

    captured: list[tuple[str, object]] = []

    def seen(_conn, _cursor, statement, parameters, *_rest):
        captured.append((statement, parameters))

    _write_in_scope(user)  # a cold count, so that its statement is seen too
    event.listen(db.engine, "before_cursor_execute", seen)
    with current_app.test_request_context("/"):
        list_decisions(user, DecisionFilter(), page=1, per_page=25)
        db.session.rollback()
    event.remove(db.engine, "before_cursor_execute", seen)
    dialect = db.engine.dialect.name
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        for statement, parameters in captured:
            print("\n--", statement.replace("\n", " ")[:400])
            prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
            cursor = raw.cursor()
            cursor.execute(prefix + statement, parameters)
            for row in cursor.fetchall():
                print("   ", row[-1] if dialect == "sqlite" else row[0])


if __name__ == "__main__":
    main()
