"""What every rule shares: the Rule record, the context it reads, and small fact helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ..findings import Finding
from ..profiles import Profile
from ..snapshot import Action, CatalogueSnapshot, DecisionSnapshot, StepFacts
from ..vocabulary import Severity, StepKind, StepStatus
from ..workdays import WorkdayCalendar

#: The national regulation (国务院令第713号), as every citation names it.
REG = "《重大行政决策程序暂行条例》"
#: The Party rule behind the personnel-meeting rules (quorum, 2/3, recusal); its article numbers are unverified.
CADRE_RULES = "《党委（党组）讨论决定干部任免事项守则》"


@dataclass(frozen=True)
class Context:
    """Everything a rule may read: the decision's facts, the jurisdiction, the calendar, the action tried."""

    snapshot: DecisionSnapshot
    profile: Profile
    calendar: WorkdayCalendar
    action: Action | None = None

    def step(self, kind: StepKind) -> StepFacts:
        return self.snapshot.step(kind)


@dataclass(frozen=True)
class CatalogueContext:
    """What a catalogue rule reads: the catalogue's facts and the jurisdiction."""

    snapshot: CatalogueSnapshot
    profile: Profile


@dataclass(frozen=True)
class Issue:
    """What a check found, before the rule adds its id, severity and citation.

    ``step`` defaults to the rule's step; ``severity`` to the rule's (PP-01 and
    LR-03 downgrade to a warning); ``citation`` to the rule's default article.
    """

    zh: str
    en: str
    step: StepKind | None = None
    severity: Severity | None = None
    citation: str | None = None


Check = Callable[[Context], Iterable[Issue]]


@dataclass(frozen=True)
class Rule:
    """One entry of the catalogue (DESIGN §3): its id, severity and article, and the check behind it."""

    id: str
    severity: Severity
    step: StepKind | None
    citation: str
    title_zh: str
    title_en: str
    check: Check
    #: Guards an action only (LR-01, LR-02, CD-01): not a standing fact, so evaluate() skips it.
    action_only: bool = False
    #: What the rule judges: a decision, or a catalogue (CAT-02, CAT-03: ``evaluate_catalogue``).
    subject: str = "decision"

    def __call__(self, ctx: Context) -> list[Finding]:
        """Run the check and turn each issue into a finding citing the profile's article for this rule."""
        return [
            Finding(
                rule=self.id,
                severity=issue.severity or self.severity,
                step=issue.step or self.step,
                message_zh=issue.zh,
                message_en=issue.en,
                citation=ctx.profile.citation(self.id, issue.citation or self.citation),
            )
            for issue in self.check(ctx)
        ]


#: Every rule, by id, in the order the modules define them; ``rules.RULES`` orders it as the catalogue.
REGISTRY: dict[str, Rule] = {}


def rule(
    rule_id: str,
    severity: Severity,
    step: StepKind | None,
    *,
    citation: str,
    title_zh: str,
    title_en: str,
    action_only: bool = False,
    subject: str = "decision",
) -> Callable[[Check], Rule]:
    """Declare a check function as the rule ``rule_id`` and register it."""

    def register(check: Check) -> Rule:
        if rule_id in REGISTRY:
            raise ValueError(f"rule {rule_id} is defined twice")
        REGISTRY[rule_id] = Rule(rule_id, severity, step, citation, title_zh, title_en, check, action_only, subject)
        return REGISTRY[rule_id]

    return register


def active(step: StepFacts) -> bool:
    """Whether the step's facts count: it is under way or done, not untouched or set aside."""
    return step.status in (StepStatus.IN_PROGRESS, StepStatus.COMPLETED)


def as_date(value: Any) -> date | None:
    """A recorded date, whether the services pass a ``date`` or its ISO text."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def filled(value: Any) -> bool:
    """Whether a free-text fact was actually written (blank text does not count)."""
    return value is not None and str(value).strip() != ""


def fallback_note(years: tuple[int, ...]) -> tuple[str, str]:
    """The caveat a count carries when a year's holidays were not loaded, in Chinese and English."""
    if not years:
        return "", ""
    listed = "、".join(f"{year}年" for year in years)
    return (
        f"（{listed}的法定节假日和调休安排未加载，按周一至周五计算）",
        f" ({', '.join(map(str, years))}: statutory holidays not loaded, Monday to Friday was used)",
    )
