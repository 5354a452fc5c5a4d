"""Append N chained audit events quickly, to benchmark ``flask audit verify`` at scale.

Usage: DATABASE_URL=... python bench/audit_events.py 1000000 [CHAINS]
The events are ordinary, valid links of the chains (action ``bench.event``), so verify must accept them. They go
round-robin to CHAINS chains (default 1, the global chain 0; chains 1… need not be organisations for verify).
"""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))  # run from anywhere

import time
from datetime import timedelta

from sqlalchemy import func, insert, select

from app import create_app
from app.clock import utcnow
from app.database import write_intent
from app.extensions import db
from app.models import AuditEvent
from app.services.audit import canonical_json, chain_tip, event_hash, lock_chains


def main(count: int, chains: int = 1, batch: int = 20_000) -> None:
    app = create_app()
    with app.app_context(), write_intent():
        keys = list(range(chains))
        lock_chains(db.session, keys)
        tips = {key: chain_tip(db.session, key) for key in keys}
        state = {key: [tip.hash, tip.seq] for key, tip in tips.items()}
        next_id = (db.session.execute(select(func.max(AuditEvent.id))).scalar() or 0) + 1
        start = utcnow()
        started = time.perf_counter()
        rows = []
        for n in range(count):
            key = keys[n % chains]
            link = state[key]
            prev, seq = link[0], link[1] + 1
            at = start + timedelta(microseconds=n)
            after = canonical_json({"n": n, "note": "基准测试事件"})
            digest = event_hash(prev, key, seq, at, "bench", "bench.event", "bench", n, None, None, after)
            rows.append({"id": next_id + n, "chain": key, "seq": seq, "at": at, "actor_id": None, "actor": "bench",
                         "action": "bench.event", "entity": "bench", "entity_id": n, "decision_id": None,
                         "before": None, "after": after, "prev_hash": prev, "hash": digest})
            link[0], link[1] = digest, seq
            if len(rows) == batch:
                db.session.execute(insert(AuditEvent), rows)
                rows = []
        if rows:
            db.session.execute(insert(AuditEvent), rows)
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("SELECT setval('audit_events_id_seq', (SELECT max(id) FROM audit_events))"))
            db.session.commit()
            db.session.execute(db.text("ANALYZE audit_events"))
        db.session.commit()
    print(f"appended {count} events to {chains} chain(s) in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000, int(sys.argv[2]) if len(sys.argv) > 2 else 1)
