"""The role matrix of every endpoint: anonymous 401, wrong role 403, another organisation 404 (DESIGN §4).

Writes get a fresh decision in the state the action needs, so that the one
allowed role succeeds and every other is refused for its role alone.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import COMPLETE_STEPS, SIGNATURE

from .test_evidence import SAMPLES

ROLES = ("anonymous", "clerk", "legal", "auditor", "admin", "other")


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    #: Stage the decision must have reached (None: just created; "published" after the meeting and publication).
    stage: str | None
    expected: dict[str, int]
    body: Callable[[Any], dict] | None = None
    upload: bool = False


READ = {"anonymous": 401, "clerk": 200, "legal": 200, "auditor": 200, "admin": 200, "other": 404}
CLERK_WRITE = {"anonymous": 401, "clerk": 200, "legal": 403, "auditor": 403, "admin": 403, "other": 404}

CASES = {
    "list": Case("GET", "/decisions", None, {**READ, "other": 200}),
    "create": Case("POST", "/decisions", None, {**CLERK_WRITE, "clerk": 201, "other": 201},
                   body=lambda d: {"title": "新事项", "category": "major_matter", "department": "党政办",
                                   "year": 2025, "draft_text": "草案"}),
    "read": Case("GET", "/decisions/{id}", None, READ),
    "update": Case("PATCH", "/decisions/{id}", None, CLERK_WRITE, body=lambda d: {"version": d.version, "title": "新"}),
    "record_step": Case("PUT", "/decisions/{id}/steps/public_participation", None, CLERK_WRITE,
                        body=lambda d: COMPLETE_STEPS["public_participation"]),
    "submit_materials": Case("PUT", "/decisions/{id}/steps/legality_review", "preparatory", CLERK_WRITE,
                             body=lambda d: {"status": "in_progress", "submitted_on": "2025-04-10"}),
    # Anyone but a legal adviser is refused by the rulebook (LR-01: 422), as DESIGN §3 says of blockers.
    "sign": Case("POST", "/decisions/{id}/steps/legality_review/sign", "submitted_for_review",
                 {"anonymous": 401, "clerk": 422, "legal": 200, "auditor": 422, "admin": 422, "other": 404},
                 body=lambda d: SIGNATURE),
    "submit": Case("POST", "/decisions/{id}/submit", "signed", CLERK_WRITE),
    "publish": Case("POST", "/decisions/{id}/publish", "decided", CLERK_WRITE,
                    body=lambda d: {"published_on": "2025-05-08"}),
    "archive": Case("POST", "/decisions/{id}/archive", "published", CLERK_WRITE),
    "upload": Case("POST", "/decisions/{id}/attachments", None, {**CLERK_WRITE, "clerk": 201}, upload=True),
    "history": Case("GET", "/decisions/{id}/history", None, READ),
    "completeness": Case("GET", "/reports/completeness?year=2025", None,
                         {"anonymous": 401, "clerk": 200, "legal": 403, "auditor": 200, "admin": 200, "other": 200}),
    "audit_verify": Case("GET", "/audit/verify", None,
                         {"anonymous": 401, "clerk": 403, "legal": 403, "auditor": 200, "admin": 200, "other": 403}),
}


@pytest.fixture
def users(clerk, legal, auditor, admin, other_clerk):
    return {"anonymous": None, "clerk": clerk, "legal": legal, "auditor": auditor, "admin": admin,
            "other": other_clerk}


@pytest.fixture
def decision_at(db, clerk, make_decision, walk):
    from app.services.decisions import publish_decision

    def make(stage: str | None):
        decision = make_decision()
        if stage == "published":
            walk(decision, "decided")
            publish_decision(clerk, decision, "2025-05-08")
            db.session.commit()
        elif stage is not None:
            walk(decision, stage)
        return decision

    return make


@pytest.mark.parametrize("name", list(CASES))
def test_role_matrix(api, users, decision_at, name):
    case = CASES[name]
    shared = decision_at(case.stage)
    writes = case.method != "GET"
    for role in ROLES:
        # A write that succeeded changes the decision's state: every role gets a fresh one.
        decision = decision_at(case.stage) if writes else shared
        path = case.path.replace("{id}", str(decision.id))
        kwargs: dict[str, Any] = {}
        if case.body is not None:
            kwargs["json"] = case.body(decision)
        if case.upload:
            kwargs["data"] = {"step": "expert_review", "file": (io.BytesIO(SAMPLES["pdf"]), "意见.pdf")}
        answer = api.call(case.method, path, users[role], **kwargs)
        assert answer.status == case.expected[role], (role, answer.json)
        if answer.status >= 400:
            assert set(answer.error) >= {"code", "message", "findings"}
        if name == "sign" and answer.status == 422:
            assert answer.rules == ["LR-01"]


def test_auditor_of_the_city_sees_its_towns_but_a_town_sees_only_itself(api, clerk, auditor, make_user,
                                                                        make_decision):
    bd = make_decision()
    cd_clerk = make_user("clerk", "CD")
    cd = make_decision(user=cd_clerk)
    seen_by_auditor = {item["id"] for item in api.get("/decisions", as_=auditor).json["items"]}
    assert seen_by_auditor == {bd.id}  # CD is not under HA
    assert {item["id"] for item in api.get("/decisions", as_=cd_clerk).json["items"]} == {cd.id}
    assert api.get(f"/decisions/{cd.id}", as_=auditor).status == 404
    ha_clerk = make_user("clerk", "HA")
    assert api.get(f"/decisions/{bd.id}", as_=ha_clerk).status == 404
