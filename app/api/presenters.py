"""Decisions in the shape of the JSON API (DESIGN §5), with the findings the web page shows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Decision
from app.rulebook.vocabulary import StepKind
from app.services.compliance import evaluate_decision, evidence_counts, snapshot_of
from app.services.loading import whole_decision
from app.services.step_fields import step_to_dict

_ORDER = {kind.value: index for index, kind in enumerate(StepKind)}


def decision_to_dict(decision: Decision, locale: str, counts: dict[int, int] | None = None) -> dict[str, Any]:
    """``{id, ref_no, …, draft, steps, compliance}``; findings from ``evaluate_decision``, as on the page."""
    draft = decision.drafts[-1] if decision.drafts else None
    evaluation = evaluate_decision(decision, snapshot_of(decision, counts))
    steps = sorted(decision.steps, key=lambda step: _ORDER.get(step.kind, len(_ORDER)))
    return {
        "id": decision.id,
        "ref_no": decision.ref_no,
        "title": decision.title,
        "category": decision.category,
        "department": decision.department,
        "year": decision.year,
        "amount_cny": None if decision.amount_cny is None else f"{decision.amount_cny:.2f}",
        "summary": decision.summary,
        "status": decision.status,
        "version": decision.version,
        "backfilled": bool(decision.backfilled),
        "backfill_reason": decision.backfill_reason,
        "catalogue_item_id": decision.catalogue_item_id,
        "draft": {"number": draft.number, "sha256": draft.sha256, "text": draft.text} if draft else None,
        "steps": {step.kind: step_answer(step) for step in steps},
        "compliance": {
            "complete": evaluation.complete,
            "findings": [finding.to_dict(locale) for finding in evaluation.findings],
        },
    }


def step_answer(step) -> dict[str, Any]:
    """A step as the API answers it: its facts and its own optimistic-lock ``version``."""
    return {**step_to_dict(step), "version": step.version}


def load_for_answer(ids: Sequence[int]) -> list[Decision]:
    """The decisions with everything an answer shows, in a fixed number of queries, in ``ids`` order."""
    if not ids:
        return []
    rows = db.session.execute(
        select(Decision)
        .where(Decision.id.in_(ids))
        .options(*whole_decision(draft_texts=True, findings=False))
    ).scalars()
    by_id = {decision.id: decision for decision in rows}
    return [by_id[i] for i in ids if i in by_id]


def decisions_to_dicts(decisions: Sequence[Decision], locale: str) -> list[dict[str, Any]]:
    """Several decisions: the evidence of all their steps is counted in one query."""
    counts = evidence_counts(step.id for decision in decisions for step in decision.steps)
    return [decision_to_dict(decision, locale, counts) for decision in decisions]
