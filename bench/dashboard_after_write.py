"""A dashboard's answer time warm, after a write in another organisation, and after a write in its own scope.

Usage: DATABASE_URL=… python bench/dashboard_after_write.py AUDITOR ORG OTHER_CLERK OWN_CLERK [--year 2025]

Through the test client, as AUDITOR, the dashboard of ORG: warm (asked before), then after OTHER_CLERK (an
organisation outside ORG's subtree) renamed one of its decisions, then after OWN_CLERK (inside the subtree) did the
same. The first two should be the same class (the scope's stamp did not move), the third a recomputation from the
rolled-up counters. Each write goes through the services in one transaction, with its audit event; the titles are
put back afterwards (two more events each).
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from session_cookie import signed_session  # bench/ is the script's own directory
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import Decision, User
from app.rulebook.vocabulary import EDITABLE_STATUSES
from app.services.decisions import update_decision


def _rename(app, username: str, suffix: str) -> None:
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        decision = db.session.execute(select(Decision).where(
            Decision.organization_id == user.organization_id,
            Decision.status.in_([status.value for status in EDITABLE_STATUSES]),
        ).order_by(Decision.id.desc()).limit(1)).scalar_one()
        title = decision.title.removesuffix("（测）") + suffix
        update_decision(user, decision, {"title": title, "version": decision.version})
        db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("auditor")
    parser.add_argument("org")
    parser.add_argument("other_clerk")
    parser.add_argument("own_clerk")
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    app = create_app()
    name, value = signed_session(app, args.auditor)
    client = app.test_client()
    client.set_cookie(name, value)
    path = f"/reports/dashboard?year={args.year}&org={args.org}"

    def timed() -> float:
        began = time.perf_counter()
        response = client.get(path)
        assert response.status_code == 200, response.status_code
        return (time.perf_counter() - began) * 1000

    timed()
    warm = statistics.median(timed() for _ in range(9))
    print(f"# {path} as {args.auditor}, {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
    print(f"warm: median {warm:.1f} ms")
    for label, clerk in (("after a write in another organisation", args.other_clerk),
                         ("after a write in its own scope", args.own_clerk)):
        results = []
        for suffix in ("（测）", ""):
            _rename(app, clerk, suffix)
            results.append(timed())
        print(f"{label}: {', '.join(f'{ms:.1f}' for ms in results)} ms (first request after each of two writes)")


if __name__ == "__main__":
    main()
