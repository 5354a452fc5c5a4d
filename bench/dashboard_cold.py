"""Time the auditor dashboard cold (every cache cleared) and warm, in process, for a few organisations.

Usage (from a checkout, its own code is measured):
    DATABASE_URL=sqlite:////tmp/agg-bench.sqlite .venv/bin/python bench/dashboard_cold.py [--user auditor]
        [--org HA --org BD] [--year 2025] [--repeat 7]

Runs the dashboard view itself inside a request context (argument parsing, cache key, numbers, charts, the
rendered page), so it measures what a cold request costs the app, without HTTP and the login session. Prints the
median and the best in milliseconds, and the SQL statements of the last run of each kind. Works on the previous
release's code too (run it from that checkout), for the before/after comparison.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.getcwd())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", default="auditor")
    parser.add_argument("--org", action="append")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep-charts", action="store_true",
                        help="cold = the page's caches cleared but the drawn charts kept (a write in the scope that "
                             "left the charts' numbers as they were)")
    args = parser.parse_args()

    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 40)
    from flask_login import login_user
    from sqlalchemy import event, select

    from app import create_app
    from app.database import QUICK_STATEMENT_LISTENERS, engines_of
    from app.extensions import db
    from app.models import Organization, User
    from app.reports import dashboard
    from app.services import reports

    app = create_app()
    app.config["REPORT_CACHE_SECONDS"] = 3600
    statements: list[str] = []

    def clear() -> None:
        if args.keep_charts:
            dashboard.dashboards.clear()
            dashboard.incomplete_pages.clear()
        else:
            dashboard.clear_caches()
        reports.clear_report_cache()
        try:
            from app.services import catalogues
            catalogues._summaries.clear()
        except (ImportError, AttributeError):
            pass

    def run(org: str) -> float:
        with app.test_request_context(f"/reports/dashboard?year={args.year}&org={org}"):
            user = db.session.execute(select(User).where(User.username == args.user)).scalar_one()
            login_user(user)
            start = time.perf_counter()
            response = app.view_functions["reports.dashboard"]()
            elapsed = time.perf_counter() - start
            assert "data-count" in str(response), "no dashboard numbers"
            db.session.remove()
            return elapsed * 1000

    with app.app_context():
        engine = db.engine
        orgs = args.org or [code for code, in db.session.execute(
            select(Organization.code).where(Organization.parent_id.is_(None)).order_by(Organization.code).limit(1))]
        db.session.remove()
    for each in engines_of(engine):  # a page that only reads runs on the reading engine (PostgreSQL)
        event.listen(each, "before_cursor_execute", lambda *a: statements.append(a[2]))
    QUICK_STATEMENT_LISTENERS.append(lambda statement, _parameters: statements.append(statement))
    print(f"# dashboard {args.year}, {engine.url.get_backend_name()}, user {args.user}, repeat {args.repeat}"
          + (", charts kept" if args.keep_charts else ""))
    for org in orgs:
        run(org)  # import, template compilation, connection
        cold = []
        for _ in range(args.repeat):
            clear()
            statements.clear()
            cold.append(run(org))
        cold_queries = len(statements)
        warm = []
        for _ in range(args.repeat):
            statements.clear()
            warm.append(run(org))
        warm_queries = len(statements)
        print(f"{org:>6} cold: median {statistics.median(cold):8.1f} ms  best {min(cold):8.1f} ms  "
              f"({cold_queries} statements) | warm: median {statistics.median(warm):7.1f} ms  "
              f"best {min(warm):7.1f} ms ({warm_queries} statements)")


if __name__ == "__main__":
    main()
