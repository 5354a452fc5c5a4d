"""EXPLAIN (ANALYZE) of every query a page runs, for the closing notes and bench/README.md.

Usage: python bench/explain.py USERNAME PATH [PATH …]     (DATABASE_URL as the server's)

Each PATH is requested twice through the test client as USERNAME (the first request warms the caches, the second
is what a warm page costs); the statements of both are printed with their plans: ``EXPLAIN (ANALYZE, BUFFERS)`` on
PostgreSQL, ``EXPLAIN QUERY PLAN`` on SQLite. Only SELECTs are explained (a page writes nothing but its session).
"""

from __future__ import annotations

import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))  # run from anywhere

from session_cookie import signed_session  # bench/ is the script's own directory
from sqlalchemy import event, text

from app import create_app
from app.database import QUICK_STATEMENT_LISTENERS, engines_of
from app.extensions import db


def main(username: str, paths: list[str]) -> None:
    app = create_app()
    name, value = signed_session(app, username)
    statements: list[tuple[str, object, float]] = []
    started: dict[int, float] = {}

    with app.app_context():
        engine = db.engine
        engines = engines_of(engine)  # a page that only reads runs on the reading engine (PostgreSQL)

    def _before(conn, cursor, statement, parameters, context, executemany):
        started[id(cursor)] = time.perf_counter()

    def _after(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters, time.perf_counter() - started.pop(id(cursor), time.perf_counter())))

    for each in engines:
        event.listen(each, "before_cursor_execute", _before)
        event.listen(each, "after_cursor_execute", _after)
    # The session's statement of a reading request runs past SQLAlchemy's events (its time is not measured).
    QUICK_STATEMENT_LISTENERS.append(lambda statement, parameters: statements.append((statement, parameters, 0.0)))

    client = app.test_client()
    client.set_cookie(name, value)
    postgres = engine.dialect.name == "postgresql"
    for path in paths:
        for round_ in ("cold", "warm"):
            statements.clear()
            began = time.perf_counter()
            response = client.get(path)
            took = time.perf_counter() - began
            print(f"\n=== {path} ({round_}): HTTP {response.status_code}, {len(response.data)} bytes, "
                  f"{took * 1000:.1f} ms in-process, {len(statements)} statements")
            selects = [s for s in statements if s[0].lstrip().upper().startswith(("SELECT", "WITH"))]
            with engine.connect() as connection:
                for statement, parameters, seconds in selects:
                    print(f"\n--- {seconds * 1000:.2f} ms: {' '.join(statement.split())[:400]}")
                    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
                    raw = connection.connection.driver_connection.cursor()
                    raw.execute(prefix + statement, parameters)
                    for row in raw.fetchall():
                        print("    " + " | ".join(str(v) for v in row))
                    raw.close()
                connection.execute(text("SELECT 1"))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
