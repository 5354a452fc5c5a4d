"""Time one page through the test client, warm, as the same logged-in user; optionally its SQL and a profile.

Usage: python bench/profile_page.py USERNAME PATH [N] [--sql] [--prof]   (same DATABASE_URL and SECRET_KEY as the
server). Prints the answer's status and size, with ``--sql`` the statements of one warm request, then the mean time
of N warm requests (default 1000) and with ``--prof`` a cProfile of another N. No browser headers are sent, as wrk
sends none (Flask-Login's session identifier then matches the cookie's, see session_cookie.py).
"""

from __future__ import annotations

import cProfile
import os
import pathlib
import pstats
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, text  # noqa: E402

from app import create_app  # noqa: E402
from app.database import QUICK_STATEMENT_LISTENERS, engines_of  # noqa: E402
from app.extensions import db  # noqa: E402


def main(username: str, path: str, n: int, *, sql: bool, prof: bool) -> None:
    cookie = subprocess.check_output(  # noqa: S603 - our own script
        [sys.executable, str(ROOT / "bench" / "session_cookie.py"), username], text=True).strip()
    app = create_app()
    client = app.test_client(use_cookies=False)
    client.environ_base.pop("HTTP_USER_AGENT", None)
    headers = {"Cookie": cookie.split(": ", 1)[1]}

    def get():
        return client.get(path, headers=headers)

    answer = get()
    print(answer.status_code, len(answer.data), "bytes")
    for _ in range(50):
        get()
    if sql:
        with app.app_context():
            engines = engines_of(db.engine)  # a page that only reads runs on the reading engine (PostgreSQL)
        statements: list[str] = []

        def seen(*args):
            statements.append(args[2])

        def quick(statement, _parameters):
            statements.append(statement)

        for engine in engines:
            event.listen(engine, "before_cursor_execute", seen)
        QUICK_STATEMENT_LISTENERS.append(quick)
        get()
        QUICK_STATEMENT_LISTENERS.remove(quick)  # not while the requests below are timed
        for engine in engines:
            event.remove(engine, "before_cursor_execute", seen)
        print(len(statements), "statements")
        for statement in statements:
            print(" ", " ".join(statement.split())[:160])
    backends = _server_processes(app)
    server_before = _cpu_seconds(backends)
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(n):
        get()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    line = f"{wall / n * 1000:.3f} ms per request, of which {cpu / n * 1000:.3f} ms CPU in this process"
    if backends:
        line += f", {(_cpu_seconds(backends) - server_before) / n * 1000:.3f} ms CPU in the database server"
    print(line)
    if prof:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(n):
            get()
        profile.disable()
        pstats.Stats(profile).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(50)


def _server_processes(app) -> list[int]:
    """The PostgreSQL backends of the database (on this machine; the warm requests opened this process's): their
    CPU is the page's too. Nothing else should use the database meanwhile. SQLite: none."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return []
        pids = [pid for pid, in db.session.execute(text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'"))]
        db.session.remove()
        return pids


def _cpu_seconds(pids: list[int]) -> float:
    """User and system CPU of these processes so far (``/proc/PID/stat``), in seconds."""
    ticks = 0
    for pid in pids:
        try:
            fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    args = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    if len(args) < 2:
        sys.exit(__doc__)
    main(args[0], args[1], int(args[2]) if len(args) > 2 else 1000, sql="--sql" in sys.argv, prof="--prof" in sys.argv)
