"""Plain, immutable facts about one decision: what every rule reads.

The services build a snapshot from the database; tests build one by hand. No
rule ever touches the ORM, so the whole rulebook can be tested without Flask.
Field names are those of the JSON API (DESIGN §5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from .vocabulary import CatalogueStatus, Category, DecisionStatus, Role, StepKind, StepStatus


@dataclass(frozen=True)
class Expert:
    name: str
    field: str | None = None
    institution: str | None = None
    #: False when the expert has a direct interest in the matter (713号令 art. 20).
    no_conflict: bool = True


@dataclass(frozen=True)
class MemberOpinion:
    """One member's stated position, in speaking order."""

    member: str
    position: str | None
    remarks: str | None = None
    is_principal: bool = False
    recused: bool = False


@dataclass(frozen=True)
class StepFacts:
    """One step's status and the facts recorded for it.

    ``data`` holds the kind's fields by their API names (for example
    ``comment_start`` or ``opinion``); a field never recorded is absent or None.
    ``experts`` and ``opinions`` are the list fields of expert review and the
    collective decision.
    """

    kind: StepKind
    status: StepStatus = StepStatus.NOT_STARTED
    data: Mapping[str, Any] = field(default_factory=dict)
    exemption_reason: str | None = None
    exemption_basis: str | None = None
    evidence_count: int = 0
    experts: tuple[Expert, ...] = ()
    opinions: tuple[MemberOpinion, ...] = ()

    def get(self, name: str) -> Any:
        return self.data.get(name)

    @property
    def is_done(self) -> bool:
        """Completed, or lawfully set aside: either way nothing is missing."""
        return self.status in (StepStatus.COMPLETED, StepStatus.EXEMPTED)


@dataclass(frozen=True)
class DecisionSnapshot:
    """A decision as the rulebook sees it at one moment (``today``)."""

    category: Category
    status: DecisionStatus
    #: sha256 of the current draft version, compared with the signed one (LR-05).
    draft_sha256: str | None
    steps: Mapping[StepKind, StepFacts]
    today: date
    ref_no: str = ""
    published_on: date | None = None
    #: The decision's amount in yuan (GEN-03: the money categories need one).
    amount_cny: Decimal | None = None
    #: Entered after the fact (补录): its dates are as stated, not as recorded (REC-02; no REC-01).
    backfilled: bool = False
    #: The system's own record, as local (Beijing) days, that stated dates may not precede (REC-01):
    #: the day the signed draft version was recorded, the day the decision was submitted for
    #: discussion, the day the collective decision was recorded. None: no such record.
    signed_draft_recorded_on: date | None = None
    submitted_recorded_on: date | None = None
    decided_recorded_on: date | None = None
    #: Linked to a listed (not removed) item of its organisation's published catalogue of its year (CAT-01).
    in_published_catalogue: bool = False

    def step(self, kind: StepKind) -> StepFacts:
        """The facts of one step; a step never recorded reads as not started."""
        return self.steps.get(kind) or StepFacts(kind=kind)


@dataclass(frozen=True)
class Action:
    """A workflow action the rulebook may refuse (severity ``blocker``).

    ``name`` is one of ``record_step``, ``sign_legality_review``, ``submit``,
    ``record_collective_decision``, ``complete``. ``step`` is the proposed new
    state of the step being recorded or signed, when there is one.
    """

    name: str
    actor_role: Role | None = None
    step: StepFacts | None = None


@dataclass(frozen=True)
class CatalogueItemFacts:
    """One item of a catalogue, as CAT-03 reads it."""

    seq: int
    title: str
    planned_completion: date | None = None
    #: Its linked decision was decided (the meeting's outcome recorded), published or archived.
    decided: bool = False


@dataclass(frozen=True)
class CatalogueSnapshot:
    """An organisation's catalogue of one year (事项目录) as the catalogue rules see it."""

    year: int
    status: CatalogueStatus
    published_on: date | None
    today: date
    #: The items still listed (removed ones are out of the catalogue).
    items: tuple[CatalogueItemFacts, ...] = ()
