"""The annual catalogue (事项目录) through the API: build, approve, publish, adjust, link, CAT-01..03, public page."""

from __future__ import annotations

import json

import pytest

from app.services.steps import record_step
from tests.conftest import COMPLETE_STEPS

ITEM = {
    "title": "白甸镇农桥建设工程",
    "category": "major_project",
    "decision_body": "白甸镇人民政府",
    "sponsor_unit": "白甸镇建设局",
    "legal_basis": "《公路法》",
    "procedures": {"public_participation": True, "expert_review": False, "risk_assessment": True,
                   "hearing": False, "fair_competition_review": False},
    "planned_completion": "2025-06-30",
}
APPROVAL = {"approved_on": "2025-03-01", "approval_ref": "白委〔2025〕3号"}


@pytest.fixture
def nantong(app):
    previous = app.config["RULEBOOK_PROFILE"]
    app.config["RULEBOOK_PROFILE"] = "nantong"
    yield
    app.config["RULEBOOK_PROFILE"] = previous


def build(api, clerk, year=2025, items=(ITEM,), publish=True):
    created = api.post("/catalogues", as_=clerk, json={"year": year})
    assert created.status == 201, created.json
    cid = created.json["id"]
    ids = []
    for item in items:
        answer = api.post(f"/catalogues/{cid}/items", as_=clerk, json=item)
        assert answer.status == 201, answer.json
        ids.append(answer.json["id"])
    if publish:
        assert api.post(f"/catalogues/{cid}/approve", as_=clerk, json=APPROVAL).status == 200
        assert api.post(f"/catalogues/{cid}/publish", as_=clerk, json={"published_on": "2025-03-13"}).status == 200
    return cid, ids


def test_build_approve_publish(api, clerk):
    cid, (item_id,) = build(api, clerk, publish=False)
    shown = api.get(f"/catalogues/{cid}", as_=clerk).json
    assert shown["status"] == "draft" and shown["organization"] == "BD" and shown["year"] == 2025
    (item,) = shown["items"]
    assert item["seq"] == 1 and item["procedures"]["expert_review"] is False and item["decision_id"] is None
    assert item["planned_completion"] == "2025-06-30"
    # Before publication, changes need no reason and leave no change log.
    assert api.patch(f"/catalogues/{cid}/items/{item_id}", as_=clerk, json={"title": "农桥建设工程"}).status == 200
    early = api.post(f"/catalogues/{cid}/publish", as_=clerk, json={"published_on": "2025-03-13"})
    assert early.status == 422 and early.error["code"] == "invalid_state"
    approved = api.post(f"/catalogues/{cid}/approve", as_=clerk, json=APPROVAL)
    assert approved.status == 200 and approved.json["status"] == "approved"
    assert approved.json["approval_ref"] == "白委〔2025〕3号"
    published = api.post(f"/catalogues/{cid}/publish", as_=clerk, json={"published_on": "2025-03-13"})
    assert published.status == 200 and published.json["status"] == "published"
    assert published.json["changes"] == []
    listed = api.get("/catalogues?year=2025", as_=clerk).json["items"]
    assert [c["id"] for c in listed] == [cid]


def test_second_catalogue_of_a_year_is_409(api, clerk):
    assert api.post("/catalogues", as_=clerk, json={"year": 2025}).status == 201
    again = api.post("/catalogues", as_=clerk, json={"year": 2025})
    assert again.status == 409 and again.error["code"] == "conflict"
    assert api.post("/catalogues", as_=clerk, json={"year": 2026}).status == 201


def test_field_errors(api, clerk):
    cid = api.post("/catalogues", as_=clerk, json={"year": 2025}).json["id"]
    missing = api.post(f"/catalogues/{cid}/items", as_=clerk, json={"title": "x"})
    assert missing.status == 422 and {"category", "sponsor_unit"} <= set(missing.error["fields"])
    bad = api.post(f"/catalogues/{cid}/items", as_=clerk, json={**ITEM, "procedures": {"hearing": "yes"}})
    assert bad.status == 422
    assert api.post(f"/catalogues/{cid}/approve", as_=clerk, json=APPROVAL).status == 422  # no items yet
    api.post(f"/catalogues/{cid}/items", as_=clerk, json=ITEM)
    twice = api.post(f"/catalogues/{cid}/items", as_=clerk, json={**ITEM, "seq": 1})
    assert twice.status == 422 and "seq" in twice.error["fields"]
    future = api.post(f"/catalogues/{cid}/approve", as_=clerk, json={**APPROVAL, "approved_on": "2099-01-01"})
    assert future.status == 422 and "approved_on" in future.error["fields"]


def test_adjustments_after_publication_need_a_reason_and_are_logged(api, clerk, db):
    from app.models import AuditEvent

    cid, (item_id,) = build(api, clerk)
    refused = api.patch(f"/catalogues/{cid}/items/{item_id}", as_=clerk, json={"title": "农桥建设（调整）"})
    assert refused.status == 422 and "adjustment_reason" in refused.error["fields"]
    added_refused = api.post(f"/catalogues/{cid}/items", as_=clerk, json={**ITEM, "title": "新增事项"})
    assert added_refused.status == 422 and "adjustment_reason" in added_refused.error["fields"]
    removed_refused = api.call("DELETE", f"/catalogues/{cid}/items/{item_id}", as_=clerk, json={})
    assert removed_refused.status == 422

    changed = api.patch(f"/catalogues/{cid}/items/{item_id}", as_=clerk,
                        json={"title": "农桥建设（调整）", "adjustment_reason": "建设规模调整"})
    assert changed.status == 200
    added = api.post(f"/catalogues/{cid}/items", as_=clerk,
                     json={**ITEM, "title": "新增事项", "adjustment_reason": "年中新增"})
    assert added.status == 201 and added.json["seq"] == 2
    removed = api.call("DELETE", f"/catalogues/{cid}/items/{item_id}", as_=clerk,
                       json={"adjustment_reason": "项目取消"})
    assert removed.status == 204
    shown = api.get(f"/catalogues/{cid}", as_=clerk).json
    assert [(c["action"], c["title"], c["reason"]) for c in shown["changes"]] == [
        ("changed", "农桥建设（调整）", "建设规模调整"),
        ("added", "新增事项", "年中新增"),
        ("removed", "农桥建设（调整）", "项目取消"),
    ]
    assert [i["removed"] for i in shown["items"]] == [True, False]
    actions = [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id) if
               e.action.startswith("catalogue.item")]
    assert actions == ["catalogue.item.add", "catalogue.item.change", "catalogue.item.add", "catalogue.item.remove"]
    removal = db.session.query(AuditEvent).filter_by(action="catalogue.item.remove").one()
    assert json.loads(removal.after)["adjustment_reason"] == "项目取消"


def test_a_draft_item_is_deleted_without_a_trace_in_the_change_log(api, clerk):
    cid, (item_id,) = build(api, clerk, publish=False)
    assert api.call("DELETE", f"/catalogues/{cid}/items/{item_id}", as_=clerk).status == 204
    shown = api.get(f"/catalogues/{cid}", as_=clerk).json
    assert shown["items"] == [] and shown["changes"] == []


def test_permissions_and_scope(api, clerk, auditor, legal, other_clerk):
    cid, (item_id,) = build(api, clerk, publish=False)
    assert api.get(f"/catalogues/{cid}", as_=auditor).status == 200  # 海安市 sees 白甸镇
    assert api.get(f"/catalogues/{cid}", as_=legal).status == 200  # everyone of the organisation reads
    assert api.get(f"/catalogues/{cid}", as_=other_clerk).status == 404
    assert api.get("/catalogues", as_=other_clerk).json["items"] == []
    assert api.post(f"/catalogues/{cid}/items", as_=other_clerk, json=ITEM).status == 404
    assert api.patch(f"/catalogues/{cid}/items/{item_id}", as_=other_clerk, json={"title": "x"}).status == 404
    assert api.post(f"/catalogues/{cid}/items", as_=auditor, json=ITEM).status == 403
    assert api.post(f"/catalogues/{cid}/approve", as_=legal, json=APPROVAL).status == 403
    assert api.post("/catalogues", as_=auditor, json={"year": 2025}).status == 403
    assert api.get(f"/catalogues/{cid}/items", as_=clerk).status in (404, 405)
    assert api.get("/catalogues").status == 401


def test_link_a_decision_once(api, clerk, make_decision, other_clerk):
    cid, (first, second) = build(api, clerk, items=(ITEM, {**ITEM, "title": "第二项"}))
    decision = make_decision()
    linked = api.patch(f"/catalogues/{cid}/items/{first}", as_=clerk, json={"decision_id": decision.id})
    assert linked.status == 200 and linked.json["decision_id"] == decision.id
    assert api.get(f"/decisions/{decision.id}", as_=clerk).json["catalogue_item_id"] == first
    # The item links one decision; the decision links one item.
    other = make_decision()
    twice = api.patch(f"/catalogues/{cid}/items/{first}", as_=clerk, json={"decision_id": other.id})
    assert twice.status == 409
    again = api.patch(f"/catalogues/{cid}/items/{second}", as_=clerk, json={"decision_id": decision.id})
    assert again.status == 409
    # Another year or another organisation's decision is refused by field.
    wrong_year = make_decision(year=2024)
    refused = api.patch(f"/catalogues/{cid}/items/{second}", as_=clerk, json={"decision_id": wrong_year.id})
    assert refused.status == 422 and "decision_id" in refused.error["fields"]
    foreign = make_decision(user=other_clerk)
    refused = api.patch(f"/catalogues/{cid}/items/{second}", as_=clerk, json={"decision_id": foreign.id})
    assert refused.status == 422 and "decision_id" in refused.error["fields"]
    # A linked item cannot be removed; unlinking frees both.
    blocked = api.call("DELETE", f"/catalogues/{cid}/items/{first}", as_=clerk, json={"adjustment_reason": "取消"})
    assert blocked.status == 422
    assert api.patch(f"/catalogues/{cid}/items/{first}", as_=clerk, json={"decision_id": None}).json[
        "decision_id"] is None
    assert api.patch(f"/catalogues/{cid}/items/{second}", as_=clerk, json={"decision_id": decision.id}).status == 200


def test_cat01_blocks_submit_where_catalogues_are_required(api, clerk, make_decision, walk, nantong):
    decision = walk(make_decision(), "signed")
    refused = api.post(f"/decisions/{decision.id}/submit", as_=clerk)
    assert refused.status == 422 and refused.rules == ["CAT-01"]
    # Linked to a draft catalogue's item: still not in a published catalogue.
    cid, (item_id,) = build(api, clerk, publish=False)
    api.patch(f"/catalogues/{cid}/items/{item_id}", as_=clerk, json={"decision_id": decision.id})
    assert api.post(f"/decisions/{decision.id}/submit", as_=clerk).rules == ["CAT-01"]
    api.post(f"/catalogues/{cid}/approve", as_=clerk, json=APPROVAL)
    api.post(f"/catalogues/{cid}/publish", as_=clerk, json={"published_on": "2025-03-13"})
    shown = api.get(f"/decisions/{decision.id}", as_=clerk).json
    assert "CAT-01" not in [f["rule"] for f in shown["compliance"]["findings"]]
    assert api.post(f"/decisions/{decision.id}/submit", as_=clerk).status == 200


def test_cat01_not_in_the_national_profile(api, clerk, make_decision, walk):
    decision = walk(make_decision(), "signed")
    assert api.post(f"/decisions/{decision.id}/submit", as_=clerk).status == 200


def test_cat02_cat03_are_catalogue_findings(api, clerk, nantong, make_decision, walk):
    cid, (item_id, _late) = build(api, clerk, items=(ITEM, {**ITEM, "title": "第二项",
                                                             "planned_completion": "2099-12-31"}), publish=False)
    api.post(f"/catalogues/{cid}/approve", as_=clerk, json=APPROVAL)
    api.post(f"/catalogues/{cid}/publish", as_=clerk, json={"published_on": "2025-04-15"})
    findings = api.get(f"/catalogues/{cid}", as_=clerk).json["findings"]
    assert sorted(f["rule"] for f in findings) == ["CAT-02", "CAT-03"]
    cat03 = next(f for f in findings if f["rule"] == "CAT-03")
    assert "第1项" in cat03["message"] and cat03["severity"] == "warning"
    # A decided decision on the item ends CAT-03.
    decision = walk(make_decision(), "signed")
    api.patch(f"/catalogues/{cid}/items/{item_id}", as_=clerk, json={"decision_id": decision.id})
    walk(decision, "decided")
    findings = api.get(f"/catalogues/{cid}", as_=clerk).json["findings"]
    assert [f["rule"] for f in findings] == ["CAT-02"]


def test_exemptions_follow_the_item(api, clerk, make_decision, db):
    cid, (item_id,) = build(api, clerk)  # expert review not required, risk assessment required
    decision = make_decision()
    api.patch(f"/catalogues/{cid}/items/{item_id}", as_=clerk, json={"decision_id": decision.id})
    # Not required by the item: the exemption may simply cite the catalogue.
    cited = api.put(f"/decisions/{decision.id}/steps/expert_review", as_=clerk, json={"status": "exempted"})
    assert cited.status == 200, cited.json
    assert "事项目录》第1项" in cited.json["exemption_basis"] and cited.json["exemption_reason"]
    # Required by the item: a reason why the catalogue was wrong is needed.
    exemption = {"status": "exempted", "exemption_reason": "已于2024年评估",
                 "exemption_basis": "《重大行政决策程序暂行条例》第二十二条"}
    refused = api.put(f"/decisions/{decision.id}/steps/risk_assessment", as_=clerk, json=exemption)
    assert refused.status == 422 and "catalogue_deviation_reason" in refused.error["fields"]
    assert "1" in refused.error["fields"]["catalogue_deviation_reason"]
    done = api.put(f"/decisions/{decision.id}/steps/risk_assessment", as_=clerk,
                   json={**exemption, "catalogue_deviation_reason": "目录编制时未注意到去年已作评估"})
    assert done.status == 200 and done.json["catalogue_deviation_reason"] == "目录编制时未注意到去年已作评估"
    # A completed step drops the deviation reason.
    again = api.put(f"/decisions/{decision.id}/steps/risk_assessment", as_=clerk,
                    json={**COMPLETE_STEPS["risk_assessment"], "version": done.json["version"]})
    assert again.status == 200 and again.json["catalogue_deviation_reason"] is None


def test_unlinked_decision_exempts_as_before(clerk, make_decision, db):
    decision = make_decision()
    step = record_step(clerk, decision, "expert_review", {"status": "exempted", "exemption_reason": "不涉及",
                                                          "exemption_basis": "第十九条"})
    assert step.status == "exempted" and step.catalogue_deviation_reason is None


def test_public_catalogue(api, client, clerk, make_decision, walk, db):
    not_yet = client.get("/api/v1/public/catalogues/BD/2025")
    assert not_yet.status_code == 404
    cid, (item_id, second) = build(api, clerk, items=(ITEM, {**ITEM, "title": "第二项"}), publish=False)
    assert client.get("/api/v1/public/catalogues/BD/2025").status_code == 404  # drafted, not published
    api.post(f"/catalogues/{cid}/approve", as_=clerk, json=APPROVAL)
    assert client.get("/api/v1/public/catalogues/BD/2025").status_code == 404  # approved, not published
    api.post(f"/catalogues/{cid}/publish", as_=clerk, json={"published_on": "2025-03-13"})
    decision = walk(make_decision(), "signed")
    api.patch(f"/catalogues/{cid}/items/{item_id}", as_=clerk, json={"decision_id": decision.id})
    walk(decision, "decided")
    assert api.post(f"/decisions/{decision.id}/publish", as_=clerk, json={"published_on": "2025-05-20"}).status == 200
    api.call("DELETE", f"/catalogues/{cid}/items/{second}", as_=clerk, json={"adjustment_reason": "并入第一项"})

    answer = client.get("/api/v1/public/catalogues/BD/2025")  # no token
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["organization"] == {"code": "BD", "name": "白甸镇"}
    (item,) = body["items"]
    assert item["decision_status"] == "published" and item["decision_published_on"] == "2025-05-20"
    assert item["decision_text"] == "关于白甸镇农桥建设工程的决定（草案）"
    assert body["changes"] == [{"on": body["changes"][0]["on"], "action": "removed", "title": "第二项",
                                "reason": "并入第一项"}]
    text = answer.get_data(as_text=True)
    for internal in ("clerk_bd", "findings", "CAT-0", "GEN-0", "sha256", "attachment", "version", "decision_id"):
        assert internal not in text, internal
    assert client.get("/api/v1/public/catalogues/XX/2025").status_code == 404
    assert client.get("/api/v1/public/catalogues/BD/2024").status_code == 404
