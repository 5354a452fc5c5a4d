"""What the review page shows: the draft, what changed since the last signature, the other steps' materials."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.models import Decision, DraftVersion, User
from app.rulebook import Action, Finding
from app.rulebook.vocabulary import PREPARATORY_STEPS, StepKind
from app.services import permissions
from app.services.compliance import blockers
from app.web import queries
from app.web.checklist import Assessment, StepView, assess, step_views
from app.web.diffs import Diff, compare


@dataclass
class ReviewPage:
    decision: Decision
    #: Public participation, expert review and risk assessment: the materials under review (713号令 art. 26).
    materials: list[StepView]
    legality: StepView
    current_draft: DraftVersion
    #: The draft version the last opinion was signed on, if any.
    signed_draft: DraftVersion | None
    #: From the signed version to the current one, when they differ.
    diff: Diff | None
    #: What refuses a signature now (LR-01, LR-02).
    sign_blockers: list[Finding] = field(default_factory=list)
    can_sign: bool = False

    @property
    def signed_current(self) -> bool:
        return self.signed_draft is not None and self.signed_draft.sha256 == self.current_draft.sha256


def review_page(decision: Decision, user: User, assessment: Assessment | None = None) -> ReviewPage:
    """The review page's content; ``decision`` comes from ``load_decision`` (steps and drafts loaded)."""
    assessment = assessment or assess(decision)
    views = {view.kind: view for view in step_views(decision, user, assessment)}
    legality = views[StepKind.LEGALITY_REVIEW]
    drafts = list(decision.drafts)
    current = drafts[-1]
    signed = None
    if legality.step.draft_sha256:
        matching = [d for d in drafts if d.sha256 == legality.step.draft_sha256]
        signed = matching[-1] if matching else None
    wanted = {current.number} | ({signed.number} if signed else set())
    texts = queries.drafts_with_text(decision.id, wanted)
    current = texts.get(current.number, current)
    if signed is not None:
        signed = texts.get(signed.number, signed)
    diff = compare(signed.text, current.text) if signed is not None and signed.number != current.number else None
    can_sign = permissions.can_sign_legality_review(user, decision)
    sign_blockers = (
        blockers(Action("sign_legality_review", actor_role=user.role_enum), decision, assessment.snapshot)
        if can_sign else []
    )
    return ReviewPage(
        decision=decision,
        materials=[views[kind] for kind in PREPARATORY_STEPS if kind in views],
        legality=legality,
        current_draft=current,
        signed_draft=signed,
        diff=diff,
        sign_blockers=sign_blockers,
        can_sign=can_sign,
    )
