"""Issue 9: the API accepts exactly what it documents; per-step versions, backfill, REC-01, GEN-03 through the API."""

from __future__ import annotations

import io

import pytest

from tests.conftest import COMPLETE_STEPS, DECISION_DATA, MEETING, SIGNATURE

from .test_errors import assert_error_shape
from .test_evidence import PDF

RA = "/decisions/{}/steps/risk_assessment"
PP = "/decisions/{}/steps/public_participation"


# -- dates --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["2025-W40-1", "20250101", "2025-4-08", "２０２５-04-08", "2025-04-08T00:00",
                                 " 2025-04-08", "1999-12-31", "2025-02-30"])
def test_dates_only_as_yyyy_mm_dd(api, clerk, make_decision, day):
    decision = make_decision()
    answer = api.put(RA.format(decision.id), as_=clerk,
                     json={**COMPLETE_STEPS["risk_assessment"], "assessed_on": day})
    assert_error_shape(answer, 422, "validation_failed")
    assert set(answer.error["fields"]) == {"assessed_on"}


def test_publication_date_only_as_yyyy_mm_dd(api, clerk, make_decision, walk):
    decision = walk(make_decision(), "decided")
    answer = api.post(f"/decisions/{decision.id}/publish", as_=clerk, json={"published_on": "2025-W20-1"})
    assert_error_shape(answer, 422, "validation_failed")
    assert "published_on" in answer.error["fields"]


# -- visible text --------------------------------------------------------------------------------------


@pytest.mark.parametrize("blank", ["\u200b", " \u200b\u200d ", "\ufeff", "\u3000"])
def test_signed_opinion_must_contain_a_visible_character(api, legal, make_decision, walk, blank):
    decision = walk(make_decision(), "submitted_for_review")
    answer = api.post(f"/decisions/{decision.id}/steps/legality_review/sign", as_=legal,
                      json={**SIGNATURE, "opinion_text": blank})
    assert_error_shape(answer, 422, "validation_failed")
    assert set(answer.error["fields"]) == {"opinion_text"}


@pytest.mark.parametrize("field", ["title", "department", "draft_text"])
def test_required_decision_text_must_be_visible(api, clerk, field):
    answer = api.post("/decisions", as_=clerk, json={**DECISION_DATA, field: "\u200b\u200b"})
    assert_error_shape(answer, 422, "validation_failed")
    assert field in answer.error["fields"]


def test_expert_and_member_names_must_be_visible(api, clerk, make_decision, walk):
    decision = make_decision()
    experts = [{**e} for e in COMPLETE_STEPS["expert_review"]["experts"]]
    experts[1]["name"] = "\u200b"
    answer = api.put(f"/decisions/{decision.id}/steps/expert_review", as_=clerk,
                     json={**COMPLETE_STEPS["expert_review"], "experts": experts})
    assert_error_shape(answer, 422, "validation_failed")
    assert set(answer.error["fields"]) == {"experts[1].name"}
    walk(decision, "submitted")
    opinions = [{**o} for o in MEETING["opinions"]]
    opinions[0]["member"] = "\u2060 "
    answer = api.put(f"/decisions/{decision.id}/steps/collective_decision", as_=clerk,
                     json={**MEETING, "opinions": opinions})
    assert_error_shape(answer, 422, "validation_failed")
    assert set(answer.error["fields"]) == {"opinions[0].member"}


# -- amounts ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["-0", "-0.00", -0.0, "0"])
def test_minus_zero_is_zero(api, clerk, amount):
    answer = api.post("/decisions", as_=clerk, json={**DECISION_DATA, "amount_cny": amount})
    assert answer.status == 201, answer.json
    assert answer.json["amount_cny"] == "0.00"


@pytest.mark.parametrize("amount", ["12.345", 12.345, "0.001", 1e-7])
def test_more_than_two_decimals_is_refused_not_rounded(api, clerk, amount):
    answer = api.post("/decisions", as_=clerk, json={**DECISION_DATA, "amount_cny": amount})
    assert_error_shape(answer, 422, "validation_failed")
    assert set(answer.error["fields"]) == {"amount_cny"}


@pytest.mark.parametrize("amount", ["１２５", "1e3", " 12", "-1", "1" * 15, "12,5"])
def test_amounts_only_in_ascii_digits_and_in_range(api, clerk, amount):
    answer = api.post("/decisions", as_=clerk, json={**DECISION_DATA, "amount_cny": amount})
    assert_error_shape(answer, 422, "validation_failed")
    assert set(answer.error["fields"]) == {"amount_cny"}


def test_two_decimals_still_accepted(api, clerk):
    for amount, shown in (("1250000.00", "1250000.00"), (99.5, "99.50"), (7, "7.00"), ("0.01", "0.01")):
        answer = api.post("/decisions", as_=clerk, json={**DECISION_DATA, "amount_cny": amount})
        assert answer.status == 201 and answer.json["amount_cny"] == shown


# -- booleans -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["yes", "on", "true", 1, 0, "1"])
def test_booleans_only_as_json_booleans(api, clerk, make_decision, value):
    decision = make_decision()
    answer = api.put(f"/decisions/{decision.id}/steps/expert_review", as_=clerk,
                     json={**COMPLETE_STEPS["expert_review"], "opinion_signed": value})
    assert_error_shape(answer, 422, "validation_failed")
    assert set(answer.error["fields"]) == {"opinion_signed"}
    created = api.post("/decisions", as_=clerk, json={**DECISION_DATA, "backfilled": value,
                                                      "backfill_reason": "补录"})
    assert_error_shape(created, 422, "validation_failed")
    assert set(created.error["fields"]) == {"backfilled"}


# -- ids, years ---------------------------------------------------------------------------------------


def test_ids_and_years_only_in_ascii_digits(api, clerk, make_decision):
    decision = make_decision()
    assert api.get(f"/decisions/{decision.id}", as_=clerk).status == 200
    assert_error_shape(api.get("/decisions/%EF%BC%91", as_=clerk), 404, "not_found")
    assert_error_shape(api.get("/decisions/%D9%A1", as_=clerk), 404, "not_found")  # Arabic-Indic 1
    answer = api.get("/decisions?year=２０２５", as_=clerk)
    assert_error_shape(answer, 422, "validation_failed")
    assert set(answer.error["fields"]) == {"year"}
    assert api.get("/decisions?year=2025", as_=clerk).json["total"] == 1
    assert_error_shape(api.get("/reports/completeness?year=２０２５", as_=clerk), 422, "validation_failed")
    assert_error_shape(api.get("/decisions?page=１", as_=clerk), 422, "validation_failed")
    assert_error_shape(api.get("/decisions?complete=yes", as_=clerk), 422, "validation_failed")
    assert api.get("/decisions?complete=false", as_=clerk).json["total"] == 1


# -- JSON itself --------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [
    '{"title": "甲", "title": "乙"}',
    '{"status": "in_progress", "comments_received": NaN}',
    '{"status": "in_progress", "comments_received": Infinity}',
    '{"status": "in_progress", "comments_received": -Infinity}',
    '{"status": "in_progress", "experts": [{"name": "甲", "name": "乙"}]}',
])
def test_duplicate_keys_and_nan_are_bad_json(api, clerk, make_decision, body):
    decision = make_decision()
    answer = api.put(f"/decisions/{decision.id}/steps/expert_review", as_=clerk, data=body,
                     content_type="application/json")
    assert_error_shape(answer, 400, "bad_json")


# -- languages ----------------------------------------------------------------------------------------


def test_field_errors_are_in_the_request_language(api, clerk, make_decision):
    data = {k: v for k, v in DECISION_DATA.items() if k != "title"}
    chinese = api.post("/decisions", as_=clerk, json=data)
    assert_error_shape(chinese, 422, "validation_failed")
    assert chinese.error["fields"]["title"] == "缺少必填字段。"
    english = api.post("/decisions", as_=clerk, json=data, headers={"Accept-Language": "en"})
    assert english.error["fields"]["title"] == "Missing data for required field."
    unknown = api.post("/decisions", as_=clerk, json={**DECISION_DATA, "colour": "红"})
    assert unknown.error["fields"]["colour"] == "未知字段。"


def test_the_decision_404_is_in_the_request_language(api, clerk):
    chinese = api.get("/decisions/999999", as_=clerk)
    assert_error_shape(chinese, 404, "not_found")
    assert "决策" in chinese.error["message"]
    english = api.get("/decisions/999999", as_=clerk, headers={"Accept-Language": "en"})
    assert english.error["message"].startswith("There is no such decision")


# -- limits in the document ---------------------------------------------------------------------------


def test_the_document_states_the_limits(api):
    spec = api.get("/openapi.json").json
    schemas = spec["components"]["schemas"]
    create = schemas["DecisionCreate"]["properties"]
    assert create["title"]["maxLength"] == 200 and create["department"]["maxLength"] == 100
    assert create["draft_text"]["maxLength"] == 500_000 and "pattern" in create["title"]
    assert (create["year"]["minimum"], create["year"]["maximum"]) == (2000, 2100)
    assert create["amount_cny"]["anyOf"][0]["pattern"]
    experts = schemas["ExpertReviewInput"]["properties"]["experts"]
    assert experts["maxItems"] == 200
    meeting = schemas["CollectiveDecisionInput"]["properties"]
    assert meeting["members_total"]["minimum"] == 1 and meeting["members_present"]["maximum"] == 1_000_000_000
    assert "pattern" in meeting["meeting_date"] and "2000-01-01" in meeting["meeting_date"]["description"]
    path = spec["paths"]["/api/v1/decisions/{decision_id}"]
    params = path.get("parameters") or path["get"]["parameters"]
    assert params[0]["schema"] == {"type": "integer", "minimum": 1, "maximum": 2147483647}


# -- archived decisions are frozen ------------------------------------------------------------------


def test_no_evidence_for_an_archived_decision(api, clerk, make_decision, walk):
    decision = walk(make_decision(), "decided")
    api.post(f"/decisions/{decision.id}/publish", as_=clerk, json={"published_on": "2025-05-08"})
    archived = api.post(f"/decisions/{decision.id}/archive", as_=clerk)
    assert archived.status == 200, archived.json
    version = archived.json["version"]
    answer = api.post(f"/decisions/{decision.id}/attachments", as_=clerk,
                      data={"step": "collective_decision", "file": (PDF(), "补充纪要.pdf", "application/pdf")})
    assert_error_shape(answer, 422, "invalid_state")
    assert api.get(f"/decisions/{decision.id}", as_=clerk).json["version"] == version


# -- per-step versions --------------------------------------------------------------------------------


def test_steps_lock_one_by_one(api, clerk, make_decision):
    decision = make_decision()
    read = api.get(f"/decisions/{decision.id}", as_=clerk).json
    pp_version = read["steps"]["public_participation"]["version"]
    ra_version = read["steps"]["risk_assessment"]["version"]
    saved = api.put(RA.format(decision.id), as_=clerk, json={**COMPLETE_STEPS["risk_assessment"],
                                                            "version": ra_version})
    assert saved.status == 200 and saved.json["version"] == ra_version + 1
    uploaded = api.post(f"/decisions/{decision.id}/attachments", as_=clerk,
                        data={"step": "risk_assessment", "file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "评估.pdf")})
    assert uploaded.status == 201
    # Another tab, opened before: the public participation form still saves.
    other = api.put(PP.format(decision.id), as_=clerk, json={**COMPLETE_STEPS["public_participation"],
                                                            "version": pp_version})
    assert other.status == 200, other.json
    # A stale write of the same step is a conflict.
    stale = api.put(RA.format(decision.id), as_=clerk, json={**COMPLETE_STEPS["risk_assessment"],
                                                            "risk_level": "high", "version": ra_version})
    assert_error_shape(stale, 409, "conflict")
    after = api.get(f"/decisions/{decision.id}", as_=clerk).json
    assert after["version"] == read["version"]
    assert after["steps"]["risk_assessment"]["risk_level"] == "low"


# -- backfill, REC-01, GEN-03 ------------------------------------------------------------------------


def test_backfilled_decision_through_the_api(api, clerk):
    missing = api.post("/decisions", as_=clerk, json={**DECISION_DATA, "backfilled": True})
    assert_error_shape(missing, 422, "validation_failed")
    assert set(missing.error["fields"]) == {"backfill_reason"}
    created = api.post("/decisions", as_=clerk, json={**DECISION_DATA, "backfilled": True,
                                                      "backfill_reason": "依据纸质台账补录"})
    assert created.status == 201
    assert created.json["backfilled"] is True and created.json["backfill_reason"] == "依据纸质台账补录"
    assert "REC-02" in [f["rule"] for f in created.json["compliance"]["findings"]]
    live = api.post("/decisions", as_=clerk, json=DECISION_DATA).json
    assert live["backfilled"] is False and live["backfill_reason"] is None
    changed = api.patch(f"/decisions/{live['id']}", as_=clerk, json={"version": live["version"],
                                                                     "backfilled": True})
    assert_error_shape(changed, 422, "validation_failed")
    report = api.get("/reports/completeness?year=2025", as_=clerk).json
    assert report["backfilled"] == 1


def test_meeting_before_the_submission_is_rec01_through_the_api(api, clerk, make_decision, walk):
    decision = walk(make_decision(), "signed")
    assert api.post(f"/decisions/{decision.id}/submit", as_=clerk).status == 200
    meeting = api.put(f"/decisions/{decision.id}/steps/collective_decision", as_=clerk, json=MEETING)
    assert meeting.status == 200
    body = api.get(f"/decisions/{decision.id}", as_=clerk).json
    rec = [f for f in body["compliance"]["findings"] if f["rule"] == "REC-01"]
    assert len(rec) == 1 and rec[0]["severity"] == "violation" and rec[0]["step"] == "collective_decision"
    assert body["compliance"]["complete"] is False


def test_new_review_round_through_the_api(api, clerk, legal, make_decision, walk):
    decision = walk(make_decision(), "signed")
    moved = api.put(f"/decisions/{decision.id}/steps/legality_review", as_=clerk,
                    json={"status": "in_progress", "submitted_on": "2025-04-20"})
    assert moved.status == 200
    assert moved.json["status"] == "in_progress" and moved.json["opinion"] is None
    assert moved.json["draft_sha256"] is None and moved.json["reviewed_on"] is None
    history = api.get(f"/decisions/{decision.id}/history", as_=clerk).json
    [round_] = [e for e in history if e["action"] == "step.legality_review.new_round"]
    assert round_["before"]["opinion"] == "lawful" and round_["before"]["reviewed_on"] == "2025-04-25"
    refused = api.post(f"/decisions/{decision.id}/submit", as_=clerk)
    assert_error_shape(refused, 422, "blocked_by_rules")
    assert ("GEN-01", "legality_review") in [(f["rule"], f["step"]) for f in refused.error["findings"]]


def test_gen03_through_the_api(api, clerk):
    data = {k: v for k, v in DECISION_DATA.items() if k != "amount_cny"}
    created = api.post("/decisions", as_=clerk, json={**data, "category": "large_fund"}).json
    assert [f["severity"] for f in created["compliance"]["findings"] if f["rule"] == "GEN-03"] == ["violation"]
