"""Property-based run of schemathesis over the OpenAPI document, on SQLite and PostgreSQL.

Every operation gets generated requests, valid and invalid, against a small
ledger with decisions in every state and a bearer token of the role that can
act on it. No answer may be a 500, and every answer must be one the document
declares for the operation, with a body matching its schema.

A request the document calls valid must be accepted (``positive_data_acceptance``):
the API accepts exactly what it documents. Excluded by name are only the
refusals that depend on the decision's state or the rulebook, not on the
request's shape: ``invalid_state``, ``blocked_by_rules``, and the field errors
that compare a fact with the record, with today or with another fact.
"""

from __future__ import annotations

import contextvars
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks
from schemathesis.specs.openapi.checks import positive_data_acceptance as _positive_data_acceptance

from tests.conftest import COMPLETE_STEPS

from .test_openapi import CONTRACT

#: Examples per operation; SCHEMATHESIS_EXAMPLES raises it for a longer local run.
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "40"))
#: Refusals of valid-looking requests that depend on the state of the record or the rules (by code).
STATE_AND_RULE_CODES = {"invalid_state", "blocked_by_rules"}
#: Field errors (in English, by message) that compare a fact with the record, with today or with another fact.
STATE_FIELD_MESSAGES = {
    # The services' own "is required" is always conditional (the legality review's submission, say): a field the
    # document requires is refused earlier, by the schema, with marshmallow's message.
    "is required",
    "must not be in the future",
    "is required when the step is completed",
    "is required for an open comment period",
    "is required for a hearing",
    "is required when the step is exempted",
    "must not be before the start of the comment period",
    "must not exceed the comments received",
    "must not exceed the members expected",
    "the materials have not been recorded as submitted for review",
    "must not be before the materials were submitted",
    "must not be before the meeting",
    "a deferred matter is not decided: record the step as in progress",
    "the collective decision cannot be exempted",
    "cannot be changed once the reference number is given",
    "is required for a decision entered after the fact",
    "is only stated for a decision entered after the fact",
    "Must not be before `since`.",
    # The catalogue's state: a number taken, published (adjustments need a reason), approval and publication dates,
    # and the decision to link (of the catalogue's organisation and year).
    "is already used by another item of this catalogue",
    "is required once the catalogue is published",
    "must be in the catalogue's year or the year before",
    "must not be before the approval",
    "is not a decision of the catalogue's organisation",
    "is a decision of another year",
}


def _state_refusal(response) -> bool:
    if response.status_code != 422:
        return False
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return False
    if error.get("code") in STATE_AND_RULE_CODES:
        return True
    fields = error.get("fields") or {}
    # An evidence file is judged by its content (pdf, docx, …), which a document cannot describe.
    others = {text for name, text in fields.items() if name != "file"}
    return error.get("code") == "validation_failed" and bool(fields) and others <= STATE_FIELD_MESSAGES


def positive_data_acceptance(ctx, response, case):
    """Valid data is accepted, unless the record's state or the rulebook refuses it."""
    if _state_refusal(response):
        return None
    return _positive_data_acceptance(ctx, response, case)


CHECKS = [
    positive_data_acceptance,
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
REVOKE = "/api/v1/tokens/current"
CHECKS_OUTSIDE_THE_DOCUMENT = [check for check in CHECKS if check is not positive_data_acceptance]
STAGES = (None, "preparatory", "submitted_for_review", "signed", "submitted", "decided", "published")


@pytest.fixture
def ledger(db, clerk, legal, auditor, make_decision, walk):
    """Decisions in every state, one with an exempted step and evidence; tokens of each role."""
    from app.api.auth import issue_token
    from app.services.decisions import publish_decision
    from app.services.evidence import store_attachment
    from app.services.steps import record_step

    ids = []
    for stage in STAGES:
        decision = make_decision()
        if stage == "published":
            walk(decision, "decided")
            publish_decision(clerk, decision, "2025-05-08")
        elif stage is not None:
            walk(decision, stage)
        ids.append(decision.id)
    exempted = make_decision(category="cadre_appointment", amount_cny=None)
    record_step(clerk, exempted, "expert_review", {"status": "exempted", "exemption_reason": "不涉及专业技术问题",
                                                   "exemption_basis": "第十九条"})
    record_step(clerk, exempted, "public_participation", COMPLETE_STEPS["public_participation"])
    store_attachment(clerk, exempted, "public_participation", "征求意见公告.pdf", b"%PDF-1.4\n%%EOF\n")
    ids.append(exempted.id)
    from app.services import catalogues

    listings = []
    for year, publish in ((2025, False), (2024, True)):
        catalogue = catalogues.create_catalogue(clerk, {"year": year})
        item = catalogues.add_item(clerk, catalogue, {"title": "农桥建设", "category": "major_project",
                                                      "sponsor_unit": "建设局"})
        if publish:
            catalogues.approve_catalogue(clerk, catalogue, {"approved_on": "2024-02-01", "approval_ref": "白委1号"})
            catalogues.publish_catalogue(clerk, catalogue, {"published_on": "2024-03-01"})
        listings.append((catalogue.id, item.id))
    tokens = {role: issue_token(user.username, "password123")[0]
              for role, user in (("clerk", clerk), ("legal", legal), ("auditor", auditor))}
    db.session.commit()
    return {"ids": ids, "tokens": tokens, "catalogues": listings}


def _role(path: str) -> str:
    if path.endswith("/sign"):
        return "legal"
    if path.startswith(("/api/v1/reports", "/api/v1/audit")):
        return "auditor"
    return "clerk"


# The operations are listed here, not discovered at collection, so each is its own test; test_openapi
# checks that the document has exactly these.
OPERATIONS = sorted(CONTRACT, key=lambda operation: (operation[1], operation[0]))


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m.upper()} {p[7:]}" for m, p in OPERATIONS])
def test_operation_conforms_to_the_document(app, ledger, method, path):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema[path][method.upper()]
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )
    ids = ledger["ids"]
    headers = {"Authorization": f"Bearer {ledger['tokens'][_role(path)]}", "Accept-Language": "en"}

    def fresh_token() -> str:
        """Revoking the token ends it: each revocation gets a token of its own (the cap drops old ones)."""
        from app.api.auth import issue_token
        from app.extensions import db

        token = issue_token("clerk_bd", "password123")[0]
        db.session.commit()
        return token

    def current_version(decision_id: int) -> int:
        from app.extensions import db
        from app.models import Decision

        with app.app_context():
            return db.session.get(Decision, decision_id).version

    @given(case=strategy)
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        decision_id = (case.path_parameters or {}).get("decision_id")
        if isinstance(decision_id, int) and decision_id % (len(ids) + 1) < len(ids):
            # Most requests go to a decision that exists; the rest to one that does not.
            decision_id = case.path_parameters["decision_id"] = ids[decision_id % (len(ids) + 1)]
            version = case.body.get("version") if isinstance(case.body, dict) else None
            if isinstance(version, int) and not isinstance(version, bool) and version % 3:
                # Mostly the version just read, so that writes get past the optimistic lock.
                case.body["version"] = current_version(decision_id)

        params = case.path_parameters or {}
        catalogue_id = params.get("catalogue_id")
        if isinstance(catalogue_id, int) and catalogue_id % 3 < 2:
            # Mostly a catalogue that exists (a draft, a published one), with its item.
            params["catalogue_id"], item_id = ledger["catalogues"][catalogue_id % 3]
            if isinstance(params.get("item_id"), int) and params["item_id"] % 3:
                params["item_id"] = item_id
        if path.startswith("/api/v1/public/") and isinstance(params.get("year"), int) and params["year"] % 2:
            params["org_code"], params["year"] = "BD", 2024

        def call():
            # One app context per request, as under a real server (the test's own stays untouched).
            with app.app_context():
                sent = {"Authorization": f"Bearer {fresh_token()}"} if path == REVOKE else headers
                case.call_and_validate(headers=sent, checks=CHECKS)

        contextvars.copy_context().run(call)

    run()


#: Inputs that once answered 500 (DESIGN §7: never a 500), mixed into generated requests.
TRICKY_AMOUNTS = ["NaN", "nan", "-NaN", "sNaN", "Infinity", "-Infinity", "inf", "-0", "-0.00", "1e999999999",
                  "99999999999999.995", 1e308, -0.0, 10**30]
TRICKY_IDS = [0, -1, 2**31, 2**63, 10**20]


def _run_with(app, ledger, method: str, path: str, mutate) -> None:
    """Positive cases of one operation, each changed by ``mutate(case, draw)`` before it is sent."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema[path][method.upper()]
    headers = {"Authorization": f"Bearer {ledger['tokens'][_role(path)]}"}

    @given(case=operation.as_strategy(GenerationMode.POSITIVE), data=st.data())
    @settings(max_examples=max(10, EXAMPLES // 2), deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case, data):
        mutate(case, data.draw)

        def call():
            with app.app_context():
                # The tricky values lie outside the document on purpose: no positive-data acceptance here.
                case.call_and_validate(headers=headers, checks=CHECKS_OUTSIDE_THE_DOCUMENT)

        contextvars.copy_context().run(call)

    run()


@pytest.mark.parametrize(("method", "path"), [("post", "/api/v1/decisions"),
                                              ("patch", "/api/v1/decisions/{decision_id}")])
def test_non_finite_amounts_conform(app, ledger, method, path):
    draft_id = ledger["ids"][0]

    def mutate(case, draw):
        if isinstance(case.body, dict):
            case.body["amount_cny"] = draw(st.sampled_from(TRICKY_AMOUNTS))
            if "version" in case.body:
                from app.extensions import db
                from app.models import Decision

                with app.app_context():
                    case.body["version"] = db.session.get(Decision, draft_id).version
        if case.path_parameters and "decision_id" in case.path_parameters:
            case.path_parameters["decision_id"] = draft_id

    _run_with(app, ledger, method, path, mutate)


ID_OPERATIONS = [operation for operation in OPERATIONS if "{decision_id}" in operation[1]]


@pytest.mark.parametrize(("method", "path"), ID_OPERATIONS, ids=[f"{m.upper()} {p[7:]}" for m, p in ID_OPERATIONS])
def test_ids_beyond_the_integers_conform(app, ledger, method, path):
    def mutate(case, draw):
        case.path_parameters["decision_id"] = draw(st.sampled_from(TRICKY_IDS))

    _run_with(app, ledger, method, path, mutate)
