"""In-process time of ``verify_chain`` for some organisations' chains (app start excluded), to compare with their sizes.

Usage: DATABASE_URL=… python bench/verify_chains.py CODE [CODE…]   (5 runs each: min and median)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import Organization
from app.services.audit import verify_chain


def main(codes: list[str]) -> None:
    app = create_app()
    with app.app_context():
        for code in codes:
            chain = db.session.execute(select(Organization.id).where(Organization.code == code)).scalar_one()
            times = []
            for _run in range(5):
                started = time.perf_counter()
                report = verify_chain(chain=chain)
                times.append(time.perf_counter() - started)
                db.session.rollback()
            assert report.ok, report
            times.sort()
            print(f"{code}: {report.events} events, min {times[0] * 1000:.1f} ms, median {times[2] * 1000:.1f} ms, "
                  f"{times[0] / max(report.events, 1) * 1e6:.1f} µs/event")


if __name__ == "__main__":
    main(sys.argv[1:])
