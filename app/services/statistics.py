"""Counters of decisions per organisation, year and fact, kept up to date in every write's own transaction.

A dashboard at a nation's size cannot GROUP BY the year's two million decisions
on each read, and a cache keyed by "anything changed" is never warm when
thousands of townships write. So ``decision_statistics`` holds, per
organisation and year, how many decisions have each raw fact (``total``,
``complete``, ``backfilled``, ``step:<category>:<kind>:<status>``,
``rule:<rule>``), **rolled up**: an organisation's row counts its own decisions
and all its descendants'. The dashboard of any subtree reads that subtree's
root rows (a few dozen), whatever the number of decisions or organisations
below it; the profile's required steps are applied at read time, so the
counters do not depend on it.

Every write goes through ``compliance.refresh_summary``, which computes the
decision's *signature* (organisation, year, category, complete/backfilled
flags, the five step statuses, the rules it breaks), compares it with the one
stored on the decision (``decisions.statistics_keys``: what it is counted as
now) and queues −1 for the old keys and +1 for the new ones. The queued deltas
of a transaction are applied once, when it commits (so the shared ancestor
rows are locked only for the commit), to the organisation and each of its
ancestors: ``INSERT … ON CONFLICT DO UPDATE SET count = count + …`` for the
increments, ``UPDATE`` for the decrements, in one global row order (concurrent
writers lock the shared ancestor rows in the same order: no deadlock; a
rollback takes the deltas back with everything else). Readers in the same
transaction apply them first (``apply_pending``). Paths that write decisions in
bulk either count their rows themselves (the 台账 import) or call
``rebuild_statistics`` (demo synth, ``flask compliance rebuild``).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import g, has_request_context
from sqlalchemy import bindparam, delete, event, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Decision, DecisionStatistic
from app.rulebook.vocabulary import StepKind, StepStatus

KINDS: tuple[str, ...] = tuple(kind.value for kind in StepKind)
#: One letter per step status in a signature: the first letter of its value (SQL computes it as substr(status, 1, 1)).
STATUS_CODES = {status.value: status.value[0] for status in StepStatus}
CODE_STATUS = {code: status for status, code in STATUS_CODES.items()}
assert len(CODE_STATUS) == len(STATUS_CODES), "step statuses must differ in their first letter"

#: Above this many counter rows' organisations (a scope that is not a few whole subtrees), the report scans instead.
MAX_TERMS = 200
PENDING = "decision_statistics_pending"
_log = logging.getLogger(__name__)


# -- signatures and keys ----------------------------------------------------------------------------------------


def signature(organization_id: int, year: int, category: str, complete: bool, backfilled: bool,
              statuses: Mapping[str, str], rules: Iterable[str]) -> str:
    """What a decision is counted as: ``org|year|category|flags|step codes|rules`` (about 40 characters)."""
    steps = "".join(STATUS_CODES.get(str(statuses[kind]), "-") if kind in statuses else "-" for kind in KINDS)
    flags = ("c" if complete else "-") + ("b" if backfilled else "-")
    return f"{organization_id}|{year}|{category}|{flags}|{steps}|{','.join(sorted(set(rules)))}"


def decision_signature(decision: Decision) -> str:
    """The signature of a decision as it stands in the session (its summary just refreshed)."""
    org_id = decision.organization_id if decision.organization_id is not None else decision.organization.id
    return signature(org_id, int(decision.year), str(decision.category), bool(decision.is_complete),
                     bool(decision.backfilled), {str(step.kind): str(step.status) for step in decision.steps},
                     (finding.rule for finding in decision.findings))


def keys_of(sig: str) -> tuple[int, int, list[str]]:
    """Organisation, year and the counter keys of a signature."""
    org, year, category, flags, steps, rules = sig.split("|")
    keys = ["total"]
    if flags[:1] == "c":
        keys.append("complete")
    if flags[1:2] == "b":
        keys.append("backfilled")
    keys.extend(f"step:{category}:{kind}:{CODE_STATUS[code]}" for kind, code in zip(KINDS, steps, strict=False)
                if code in CODE_STATUS)
    keys.extend(f"rule:{rule}" for rule in rules.split(",") if rule)
    return int(org), int(year), keys


def own_counts(signatures: Iterable[tuple[str | None, int]]) -> Counter:
    """(organisation, year, key) → decisions, from (signature, how many) pairs."""
    counts: Counter = Counter()
    for sig, number in signatures:
        if not sig:
            continue
        org, year, keys = keys_of(sig)
        for key in keys:
            counts[(org, year, key)] += number
    return counts


# -- the write path ----------------------------------------------------------------------------------------------


def count_change(session: Session, old: str | None, new: str | None) -> None:
    """Queue the counter change of a decision counted as ``old`` and now as ``new`` (None: not counted)."""
    if old == new:
        return
    pending: Counter = session.info.setdefault(PENDING, Counter())
    for sig, sign in ((old, -1), (new, 1)):
        if sig:
            org, year, keys = keys_of(sig)
            for key in keys:
                pending[(org, year, key)] += sign


def ancestors(connection: Connection, organization_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each organisation with its ancestors up to its root (itself first): the request's tree, else one query."""
    ids = sorted(set(organization_ids))
    if not ids:
        return {}
    tree = g.get("org_tree") if has_request_context() else None
    if tree is not None and all(org_id in tree.nodes for org_id in ids):
        return {org_id: _chain(tree, org_id) for org_id in ids}
    rows = connection.execute(text(
        "WITH RECURSIVE up(org_id, ancestor_id, depth) AS ("
        " SELECT id, id, 0 FROM organizations WHERE id IN :ids"
        " UNION ALL SELECT up.org_id, o.parent_id, up.depth + 1 FROM up JOIN organizations o ON o.id = up.ancestor_id"
        " WHERE o.parent_id IS NOT NULL AND up.depth < 64)"
        " SELECT org_id, ancestor_id FROM up ORDER BY org_id, depth"
    ).bindparams(bindparam("ids", expanding=True)), {"ids": ids}).all()
    chains: dict[int, list[int]] = {}
    for org_id, ancestor_id in rows:
        chains.setdefault(org_id, []).append(ancestor_id)
    return chains


def roll_up(deltas: Mapping[tuple[int, int, str], int], chains: Mapping[int, list[int]]) -> Counter:
    """Own changes → changes of every counter row they touch (the organisation's and its ancestors')."""
    combined: Counter = Counter()
    for (org, year, key), delta in deltas.items():
        if delta:
            for ancestor in chains.get(org, [org]):
                combined[(ancestor, year, key)] += delta
    return combined


def apply_deltas(connection: Connection, deltas: Mapping[tuple[int, int, str], int]) -> None:
    """Add own changes to the counters of their organisations and ancestors, in the transaction.

    Rows are taken in one global order, (year, key, organisation), so concurrent writers lock shared ancestor
    rows in the same order (no deadlock), in runs of one sign: increments as one INSERT … ON CONFLICT DO
    UPDATE (the row may be new), decrements as UPDATEs (a row that is counted exists; a CHECK would refuse the
    negative row an upsert proposes). A write usually changes two or three keys: as many statements.
    """
    combined = roll_up(deltas, ancestors(connection, {org for (org, _y, _k), d in deltas.items() if d}))
    ordered = sorted(((year, key, org), delta) for (org, year, key), delta in combined.items() if delta)
    run: list[tuple[tuple[int, str, int], int]] = []
    for item in ordered:
        if run and (run[-1][1] > 0) != (item[1] > 0):
            _write_run(connection, run)
            run = []
        run.append(item)
    if run:
        _write_run(connection, run)


def _write_run(connection: Connection, run: list[tuple[tuple[int, str, int], int]]) -> None:
    table = DecisionStatistic.__table__
    rows = [{"organization_id": org, "year": year, "key": key, "count": delta} for (year, key, org), delta in run]
    if run[0][1] < 0:
        updated = connection.execute(
            table.update()
            .where(table.c.organization_id == bindparam("o"), table.c.year == bindparam("y"),
                   table.c.key == bindparam("k"))
            .values(count=table.c.count + bindparam("d")),
            [{"o": row["organization_id"], "y": row["year"], "k": row["key"], "d": row["count"]} for row in rows],
        ).rowcount
        if updated not in (len(rows), -1):
            _log.error("decision_statistics: %d of %d decremented rows were missing (run flask compliance "
                       "statistics --check)", len(rows) - updated, len(rows))
        return
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    for start in range(0, len(rows), 500):
        stmt = insert(table).values(rows[start:start + 500])
        connection.execute(stmt.on_conflict_do_update(
            index_elements=[table.c.organization_id, table.c.year, table.c.key],
            set_={"count": table.c.count + stmt.excluded.count},
        ))


def apply_pending(session: Session) -> None:
    """Apply the counter changes queued in this transaction (by ``refresh_summary``)."""
    pending = session.info.pop(PENDING, None)
    if pending:
        apply_deltas(session.connection(), pending)


@event.listens_for(Session, "before_commit")
def _apply_pending_at_commit(session: Session) -> None:
    """At the commit, not at each flush: a writer then holds the shared ancestor rows only while it commits, so
    writers of different organisations under one county do not queue behind each other's whole requests."""
    apply_pending(session)


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, _previous: Any) -> None:
    session.info.pop(PENDING, None)


# -- reading -----------------------------------------------------------------------------------------------------


def scope_terms(scope: Iterable[int]) -> tuple[list[int], list[int]]:
    """Rows whose sum is the scope's count: + the tops of its subtrees, − their children outside the scope.

    Σ own(x) over the scope = Σ tree(x) over its tops − Σ tree(c) over children c of scope members not in it.
    """
    from .organizations import load_tree

    tree = load_tree()
    wanted = {org_id for org_id in scope if org_id in tree.nodes}
    plus = sorted(org_id for org_id in wanted if tree.nodes[org_id].parent_id not in wanted)
    minus = sorted(child for org_id in wanted for child in tree.children.get(org_id, []) if child not in wanted)
    return plus, minus


def scope_counts(scope: Iterable[int], year: int) -> dict[str, int] | None:
    """Key → decisions of the year in the scope, from the counters; None when the scope needs too many rows."""
    apply_pending(db.session)
    plus, minus = scope_terms(scope)
    if len(plus) + len(minus) > MAX_TERMS:
        return None
    if not plus:
        return {}
    signs = dict.fromkeys(plus, 1) | dict.fromkeys(minus, -1)
    table = DecisionStatistic.__table__
    rows = db.session.execute(
        select(table.c.organization_id, table.c.key, table.c.count)
        .where(table.c.organization_id.in_(list(signs)), table.c.year == year)
    ).all()
    counts: Counter = Counter()
    for org_id, key, number in rows:
        counts[key] += signs[org_id] * number
    return {key: number for key, number in counts.items() if number}


def own_by_organization(organization_ids: Iterable[int], year: int, keys: Iterable[str]) -> dict[int, dict[str, int]]:
    """Per organisation, its own decisions' counts: its row minus its children's rows (``tree_counts`` of both)."""
    from .organizations import load_tree

    tree = load_tree()
    ids = sorted(set(organization_ids))
    children = {org_id: tree.children.get(org_id, []) for org_id in ids}
    stored = tree_counts(set(ids) | {child for kids in children.values() for child in kids}, year, keys)
    result = {}
    for org_id in ids:
        own = Counter(stored[org_id])
        for child in children[org_id]:
            own.subtract(stored[child])
        result[org_id] = dict(own)
    return result


def tree_counts(organization_ids: Iterable[int], year: int, keys: Iterable[str]) -> dict[int, dict[str, int]]:
    """Per organisation, the counts of its whole subtree (its own row as stored): one query."""
    apply_pending(db.session)
    ids = sorted(set(organization_ids))
    table = DecisionStatistic.__table__
    result: dict[int, dict[str, int]] = {org_id: {} for org_id in ids}
    for start in range(0, len(ids), 500):
        rows = db.session.execute(
            select(table.c.organization_id, table.c.key, table.c.count).where(
                table.c.year == year, table.c.key.in_(list(keys)), table.c.organization_id.in_(ids[start:start + 500]))
        )
        for org_id, key, number in rows:
            result[org_id][key] = number
    return result


# -- rebuilding and checking -------------------------------------------------------------------------------------


def _rules_aggregate(dialect: str) -> str:
    return "string_agg(rule, ',' ORDER BY rule)" if dialect == "postgresql" else "group_concat(rule, ',')"


def signature_select(dialect: str, where: str) -> str:
    """SQL: ``id, sig`` of the decisions ``d`` matching ``where``, computed from the stored summaries and steps
    exactly as ``signature`` does (one pass over their steps and findings)."""
    step_codes = ", ".join(
        f"max(CASE WHEN kind = '{kind}' THEN substr(status, 1, 1) END) AS k{index}" for index, kind in enumerate(KINDS))
    codes = " || ".join(f"coalesce(st.k{index}, '-')" for index in range(len(KINDS)))
    inner = f"SELECT d.id FROM decisions d WHERE {where}"  # noqa: S608 - our own fragments, values bound
    return (
        "SELECT d.id AS id, CAST(d.organization_id AS TEXT) || '|' || CAST(d.year AS TEXT) || '|' || d.category"  # noqa: S608
        " || '|' || (CASE WHEN d.is_complete THEN 'c' ELSE '-' END) || (CASE WHEN d.backfilled THEN 'b' ELSE '-' END)"
        f" || '|' || {codes} || '|' || coalesce(f.rules, '') AS sig"
        " FROM decisions d"
        f" LEFT JOIN (SELECT decision_id, {step_codes} FROM steps WHERE decision_id IN ({inner})"
        " GROUP BY decision_id) st ON st.decision_id = d.id"
        f" LEFT JOIN (SELECT decision_id, {_rules_aggregate(dialect)} AS rules FROM decision_findings"
        f" WHERE decision_id IN ({inner}) GROUP BY decision_id) f ON f.decision_id = d.id"
        f" WHERE {where}"
    )


def _where(organization_ids: Iterable[int] | None, years: Iterable[int] | None) -> tuple[str, dict, list]:
    parts, params, binds = ["1 = 1"], {}, []
    if organization_ids is not None:
        parts.append("d.organization_id IN :orgs")
        params["orgs"] = sorted(set(organization_ids)) or [-1]
        binds.append(bindparam("orgs", expanding=True))
    if years is not None:
        parts.append("d.year IN :years")
        params["years"] = sorted(set(years)) or [-1]
        binds.append(bindparam("years", expanding=True))
    return " AND ".join(parts), params, binds


@dataclass
class RebuildResult:
    #: Decisions whose stored signature was missing or wrong (now set).
    signatures: int = 0
    #: Counter rows written.
    rows: int = 0
    problems: list[str] = field(default_factory=list)


def rebuild_statistics(organization_ids: Iterable[int] | None = None, years: Iterable[int] | None = None
                       ) -> RebuildResult:
    """Recount the decisions of these organisations (all: None) and years (all: None) from the stored summaries.

    For whatever wrote decisions around ``refresh_summary`` (demo synth, a restore, a repair). The organisations
    given and their ancestors are recounted: one UPDATE sets the signatures of their own decisions that are
    missing or wrong, one GROUP BY over the signatures gives their own counts, and each of their rows becomes its
    own count plus its children's rows (recounted, or as stored for a child subtree outside the set). Other
    organisations' rows stay as they are. Inside the caller's transaction; the caller commits.
    """
    from .organizations import load_tree

    session = db.session
    session.flush()
    apply_pending(session)
    connection = session.connection()
    dialect = connection.dialect.name
    tree = load_tree()
    year_list = None if years is None else sorted(set(years))
    if organization_ids is None:
        targets, where_orgs = set(tree.nodes), None
    else:
        targets = {ancestor for org_id in organization_ids if org_id in tree.nodes
                   for ancestor in _chain(tree, org_id)}
        where_orgs = sorted(targets)
    where, params, binds = _where(where_orgs, year_list)
    distinct = "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"
    fresh = signature_select(dialect, where)
    updated = connection.execute(text(
        "UPDATE decisions SET statistics_keys = s.sig, row_version = row_version + 1"  # noqa: S608 - our fragments
        f" FROM ({fresh}) s WHERE decisions.id = s.id AND decisions.statistics_keys {distinct} s.sig"
    ).bindparams(*binds), params).rowcount
    if updated:
        session.expire_all()  # loaded decisions: their signature and row version moved
    grouped = connection.execute(text(
        f"SELECT d.statistics_keys, count(*) FROM decisions d WHERE {where} GROUP BY d.statistics_keys"  # noqa: S608
    ).bindparams(*binds), params).all()
    own: dict[int, Counter] = {}
    for (org_id, year, key), number in own_counts(grouped).items():
        own.setdefault(org_id, Counter())[(year, key)] += number
    table = DecisionStatistic.__table__
    # Child subtrees outside the set count as they are stored.
    outside = sorted({child for org_id in targets for child in tree.children.get(org_id, []) if child not in targets})
    stored: dict[int, Counter] = {}
    for start in range(0, len(outside), 500):
        stmt = select(table.c.organization_id, table.c.year, table.c.key, table.c.count).where(
            table.c.organization_id.in_(outside[start:start + 500]))
        if year_list is not None:
            stmt = stmt.where(table.c.year.in_(year_list))
        for org_id, year, key, number in connection.execute(stmt):
            stored.setdefault(org_id, Counter())[(year, key)] += number
    # Children before their parents: the reverse of a depth-first walk.
    totals: dict[int, Counter] = {}
    for node in reversed(tree.walk()):
        if node.id not in targets:
            continue
        counts = Counter(own.get(node.id, {}))
        for child in tree.children.get(node.id, []):
            counts.update(totals[child] if child in totals else stored.get(child, {}))
        totals[node.id] = counts
    stmt = delete(table)
    if where_orgs is not None:
        stmt = stmt.where(table.c.organization_id.in_(where_orgs))
    if year_list is not None:
        stmt = stmt.where(table.c.year.in_(year_list))
    connection.execute(stmt)
    rows = [{"organization_id": org_id, "year": year, "key": key, "count": number}
            for org_id, counts in sorted(totals.items()) for (year, key), number in sorted(counts.items()) if number]
    for start in range(0, len(rows), 1000):
        connection.execute(table.insert(), rows[start:start + 1000])
    return RebuildResult(updated or 0, len(rows))


def _chain(tree, org_id: int) -> list[int]:
    chain, node = [], tree.nodes.get(org_id)
    while node is not None and node.id not in chain:
        chain.append(node.id)
        node = tree.nodes.get(node.parent_id) if node.parent_id is not None else None
    return chain or [org_id]


def base_own_counts(connection: Connection, where: str = "1 = 1", params: dict | None = None,
                    binds: list | None = None) -> Counter:
    """(organisation, year, key) → decisions, straight from decisions, steps and findings (GROUP BY per key kind).

    Independent of the signatures: what ``check_statistics`` compares the counters with.
    """
    sql = (
        f"SELECT d.organization_id, d.year, 'total', count(*) FROM decisions d WHERE {where}"  # noqa: S608
        " GROUP BY d.organization_id, d.year"
        f" UNION ALL SELECT d.organization_id, d.year, 'complete', count(*) FROM decisions d"
        f" WHERE {where} AND d.is_complete GROUP BY d.organization_id, d.year"
        f" UNION ALL SELECT d.organization_id, d.year, 'backfilled', count(*) FROM decisions d"
        f" WHERE {where} AND d.backfilled GROUP BY d.organization_id, d.year"
        " UNION ALL SELECT d.organization_id, d.year, 'step:' || d.category || ':' || s.kind || ':' || s.status,"
        f" count(*) FROM steps s JOIN decisions d ON d.id = s.decision_id WHERE {where}"
        " GROUP BY d.organization_id, d.year, d.category, s.kind, s.status"
        " UNION ALL SELECT d.organization_id, d.year, 'rule:' || f.rule, count(*) FROM decision_findings f"
        f" JOIN decisions d ON d.id = f.decision_id WHERE {where} GROUP BY d.organization_id, d.year, f.rule"
    )
    counts: Counter = Counter()
    for org_id, year, key, number in connection.execute(text(sql).bindparams(*(binds or [])), params or {}):
        counts[(org_id, year, key)] += number
    return counts


def check_statistics() -> list[str]:
    """What differs between the counters and a fresh count from the stored summaries (empty: they agree).

    Also the decisions whose stored signature is missing or not what their summary says.
    """
    from .organizations import load_tree

    db.session.flush()
    apply_pending(db.session)
    connection = db.session.connection()
    problems = []
    dialect = connection.dialect.name
    wrong = connection.execute(text(
        f"SELECT count(*) FROM decisions d JOIN ({signature_select(dialect, '1 = 1')}) s ON s.id = d.id"  # noqa: S608
        f" WHERE d.statistics_keys {'IS DISTINCT FROM' if dialect == 'postgresql' else 'IS NOT'} s.sig"
    )).scalar_one()
    if wrong:
        problems.append(f"{wrong} decisions are not counted as their stored summary says")
    tree = load_tree()
    fresh = base_own_counts(connection)
    expected = roll_up(fresh, {org: _chain(tree, org) for org in {o for o, _y, _k in fresh}})
    table = DecisionStatistic.__table__
    stored = Counter({(org, year, key): number for org, year, key, number in connection.execute(
        select(table.c.organization_id, table.c.year, table.c.key, table.c.count))})
    codes = {node.id: node.code for node in tree.nodes.values()}
    for key in sorted(set(expected) | set(stored)):
        if expected.get(key, 0) != stored.get(key, 0):
            org, year, name = key
            problems.append(f"{codes.get(org, org)} {year} {name}: counted {stored.get(key, 0)}, "
                            f"stored summaries say {expected.get(key, 0)}")
    return problems
