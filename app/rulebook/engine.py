"""Running the catalogue: the standing findings of a decision, and the blockers of one action."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from .findings import Finding
from .profiles import Profile
from .rules import RULES, CatalogueContext, Context
from .snapshot import Action, CatalogueSnapshot, DecisionSnapshot
from .vocabulary import PRE_MEETING_STEPS, Category, Severity, StepKind
from .workdays import WorkdayCalendar

_SEVERITY_ORDER = {severity: i for i, severity in enumerate(Severity)}
_STEP_ORDER = {kind: i for i, kind in enumerate(StepKind)}


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Order findings as users read them: worst first, then by step in statutory order, then by rule id."""
    return sorted(
        findings,
        key=lambda f: (_SEVERITY_ORDER[f.severity], _STEP_ORDER.get(f.step, len(_STEP_ORDER)), f.rule),
    )


def required_steps(profile: Profile, category: Category) -> tuple[StepKind, ...]:
    """The procedures a decision of ``category`` must go through under ``profile``."""
    return profile.required_steps(category)


def evaluate(snapshot: DecisionSnapshot, profile: Profile, calendar: WorkdayCalendar) -> list[Finding]:
    """Everything missing or done wrong in the decision as it stands, so the ledger tells the truth."""
    ctx = Context(snapshot, profile, calendar)
    return sort_findings(
        f for rule in RULES.values() if not rule.action_only and rule.subject == "decision" for f in rule(ctx)
    )


def evaluate_catalogue(snapshot: CatalogueSnapshot, profile: Profile) -> list[Finding]:
    """The catalogue findings (CAT-02, CAT-03): they belong to the catalogue, not to a decision."""
    ctx = CatalogueContext(snapshot, profile)
    return sort_findings(f for rule in RULES.values() if rule.subject == "catalogue" for f in rule(ctx))


def is_complete(snapshot: DecisionSnapshot, findings: Iterable[Finding], profile: Profile) -> bool:
    """A decision stands when every required step is done and nothing worse than a warning is found."""
    steps_done = all(snapshot.step(kind).is_done for kind in profile.required_steps(snapshot.category))
    return steps_done and not any(f.severity in (Severity.BLOCKER, Severity.VIOLATION) for f in findings)


def _record_step(ctx: Context) -> list[Finding]:
    """An exemption is refused unless lawful: judge the snapshot as it would be with the proposed step."""
    proposed = ctx.action.step if ctx.action else None
    if proposed is None:
        raise ValueError("record_step needs the proposed step in Action.step")
    trial = replace(ctx.snapshot, steps={**ctx.snapshot.steps, proposed.kind: proposed})
    return [f for f in RULES["GEN-02"](replace(ctx, snapshot=trial)) if f.step == proposed.kind]


def _sign_legality_review(ctx: Context) -> list[Finding]:
    return RULES["LR-01"](ctx) + RULES["LR-02"](ctx)


def _submit(ctx: Context) -> list[Finding]:
    """The meeting may not see a draft whose procedures are missing, unlawful, risky or unreviewed."""
    missing = [f for f in RULES["GEN-01"](ctx) if f.step in PRE_MEETING_STEPS]
    others = ("GEN-02", "RA-01", "LR-04", "LR-05", "CAT-01")
    return missing + [f for rule_id in others for f in RULES[rule_id](ctx)]


def _record_collective_decision(ctx: Context) -> list[Finding]:
    return RULES["CD-01"](ctx)


def _complete(ctx: Context) -> list[Finding]:
    findings = evaluate(ctx.snapshot, ctx.profile, ctx.calendar)
    return [f for f in findings if f.severity == Severity.BLOCKER]


_GUARDS: dict[str, Callable[[Context], list[Finding]]] = {
    "record_step": _record_step,
    "sign_legality_review": _sign_legality_review,
    "submit": _submit,
    "record_collective_decision": _record_collective_decision,
    "complete": _complete,
}

#: The action names check_action understands.
ACTIONS: tuple[str, ...] = tuple(_GUARDS)


def check_action(
    action: Action, snapshot: DecisionSnapshot, profile: Profile, calendar: WorkdayCalendar
) -> list[Finding]:
    """The blockers that refuse ``action`` on the decision; an empty list lets it go ahead."""
    guard = _GUARDS.get(action.name)
    if guard is None:
        raise ValueError(f"unknown action {action.name!r}; expected one of: {', '.join(ACTIONS)}")
    return sort_findings(guard(Context(snapshot, profile, calendar, action)))
