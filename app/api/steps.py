"""The five procedures: ``PUT /decisions/{id}/steps/{kind}`` and the legality review's signature.

One route per kind, each with the request schema of its kind's facts, so the
OpenAPI document tells exactly which fields each step takes; an unknown kind is
an unknown path (404).
"""

from __future__ import annotations

from app.rulebook.vocabulary import StepKind
from app.services.decisions import load_decision
from app.services.steps import record_step, sign_legality_review

from .auth import current_user
from .common import DECISION_ID, api_blueprint, errors
from .presenters import step_answer
from .schemas import STEP_INPUT_SCHEMAS, STEP_SCHEMAS, SignSchema

blueprint = api_blueprint("api-steps", "The five statutory procedures of a decision.")

_DOCS = {
    StepKind.PUBLIC_PARTICIPATION: "Record the public participation (公众参与, clerk).",
    StepKind.EXPERT_REVIEW: "Record the expert review (专家论证, clerk); `experts` in full.",
    StepKind.RISK_ASSESSMENT: "Record the risk assessment (风险评估, clerk).",
    StepKind.LEGALITY_REVIEW: (
        "Record that the materials went to legality review (合法性审查送审, clerk): only `submitted_on` "
        "(and `responsible`) with status `in_progress`; the opinion is the legal adviser's (LR-01)."
    ),
    StepKind.COLLECTIVE_DECISION: (
        "Record the meeting (集体讨论决定, clerk) of a submitted decision (CD-01); `opinions` in speaking "
        "order. A completed meeting with an outcome of approved or rejected makes the decision `decided`."
    ),
}
_COMMON_DOC = (
    "\n\nPUT replaces the step's facts: a field left out is cleared. `version` is the step's own (from "
    "`steps.{kind}.version` of the decision), not the decision's. `status` is `in_progress`, `completed` "
    "or `exempted` (with `exemption_reason` and `exemption_basis`). Refused with field errors or the "
    "rulebook's blocker findings (422)."
)


def _put_view(kind: StepKind):
    def put_step(args, decision_id):
        user = current_user()
        decision = load_decision(user, decision_id)
        step = record_step(user, decision, kind, args)
        return step_answer(step)

    put_step.__name__ = f"put_{kind.value}"
    put_step.__doc__ = _DOCS[kind] + _COMMON_DOC
    view = errors(blueprint, 400, 401, 403, 404, 409, 413)(put_step)
    view = blueprint.response(200, STEP_SCHEMAS[kind])(view)
    view = blueprint.arguments(STEP_INPUT_SCHEMAS[kind])(view)
    return blueprint.route(f"/decisions/{DECISION_ID}/steps/{kind.value}", methods=["PUT"],
                           endpoint=f"put_{kind.value}")(view)


for _kind in StepKind:
    _put_view(_kind)


@blueprint.route(f"/decisions/{DECISION_ID}/steps/legality_review/sign", methods=["POST"])
@blueprint.arguments(SignSchema)
@blueprint.response(200, STEP_SCHEMAS[StepKind.LEGALITY_REVIEW])
@errors(blueprint, 400, 401, 403, 404, 409, 413)
def sign(args, decision_id):
    """Sign the legality opinion (legal adviser) on the current draft's sha256.

    Refused (422) for anyone but a legal adviser (LR-01) and until public
    participation, expert review and risk assessment are done (LR-02).
    Signing again replaces the opinion; the old one stays in the history.
    """
    user = current_user()
    decision = load_decision(user, decision_id)
    step = sign_legality_review(user, decision, args)
    return step_answer(step)
