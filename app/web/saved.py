"""The message after a save: plain success, or a warning naming the findings the save added.

The ledger records a violation as it happened (DESIGN §3), so a save that adds
one is not refused; but it is not a plain success either: the message says
which rule it breaks, why and where the law says so.
"""

from __future__ import annotations

from flask import flash
from flask_babel import get_locale
from flask_babel import gettext as _

from app.models import Decision
from app.rulebook import Finding
from app.services.compliance import evaluate_decision


def _key(finding: Finding) -> tuple:
    # Not the message: GEN-01 naming the step's new status is the same finding, not a new one.
    return finding.rule, finding.step, finding.severity


def standing_findings(decision: Decision) -> frozenset[tuple]:
    """What the rulebook finds on the decision now (read before the save)."""
    return frozenset(_key(f) for f in evaluate_decision(decision).findings)


def added_findings(decision: Decision, before: frozenset[tuple]) -> list[Finding]:
    return [f for f in evaluate_decision(decision).findings if _key(f) not in before]


def flash_saved(message: str, decision: Decision, before: frozenset[tuple]) -> None:
    """Flash ``message`` as a success, or with the findings the save added, as a warning."""
    added = added_findings(decision, before)
    if not added:
        flash(message, "success")
        return
    locale = str(get_locale() or "zh_CN")
    listed = _("; ").join(
        _("%(rule)s %(message)s (%(citation)s)", rule=f.rule, message=f.message(locale), citation=f.citation)
        for f in added
    )
    flash(_("%(saved)s The record now shows: %(findings)s", saved=message, findings=listed), "warning")
