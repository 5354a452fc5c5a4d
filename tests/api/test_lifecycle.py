"""A decision's whole life through the API alone, as a script that knows only DESIGN §5 would drive it.

At each stage: the answer, the compliance findings and the history.
"""

from __future__ import annotations

from tests.conftest import COMPLETE_STEPS, DECISION_DATA, MEETING, SIGNATURE

from .test_evidence import PDF

PREPARATORY = ("public_participation", "expert_review", "risk_assessment")


def findings(decision: dict) -> list[tuple[str, str | None]]:
    return [(f["rule"], f["step"]) for f in decision["compliance"]["findings"]]


def actions(api, decision_id: int, user) -> list[str]:
    answer = api.get(f"/decisions/{decision_id}/history", as_=user)
    assert answer.status == 200
    return [event["action"] for event in answer.json]


#: The script records a 2025 matter today: it enters it after the fact, saying why (REC-02, not REC-01).
BACKFILL = {"backfilled": True, "backfill_reason": "依据2025年纸质档案补录"}


def test_decision_life_through_the_api(api, clerk, legal, auditor):
    # 1. Create: a draft with every step missing.
    created = api.post("/decisions", as_=clerk, json={**DECISION_DATA, **BACKFILL})
    assert created.status == 201, created.json
    decision = created.json
    did = decision["id"]
    assert decision["ref_no"] == "BD-2025-001"
    assert decision["status"] == "draft" and decision["version"] == 1
    assert decision["amount_cny"] == "1250000.00"
    assert decision["draft"]["number"] == 1 and len(decision["draft"]["sha256"]) == 64
    assert set(decision["steps"]) == {*PREPARATORY, "legality_review", "collective_decision"}
    assert decision["compliance"]["complete"] is False
    assert decision["backfilled"] is True and ("REC-02", None) in findings(decision)
    assert [f for f in findings(decision) if f[0] == "GEN-01"] == [
        ("GEN-01", "public_participation"), ("GEN-01", "expert_review"), ("GEN-01", "risk_assessment"),
        ("GEN-01", "legality_review"), ("GEN-01", "collective_decision"),
    ]
    assert actions(api, did, clerk) == ["decision.create"]

    # 2. The meeting cannot be recorded before the decision is submitted (CD-01).
    early = api.put(f"/decisions/{did}/steps/collective_decision", as_=clerk, json=MEETING)
    assert early.status == 422 and early.rules == ["CD-01"]

    # 3. The legality review cannot be signed before the preparatory steps (LR-02).
    premature = api.post(f"/decisions/{did}/steps/legality_review/sign", as_=legal, json=SIGNATURE)
    assert premature.status == 422 and set(premature.rules) == {"LR-02"}

    # 4. The three preparatory steps.
    for kind in PREPARATORY:
        answer = api.put(f"/decisions/{did}/steps/{kind}", as_=clerk, json=COMPLETE_STEPS[kind])
        assert answer.status == 200, answer.json
        assert answer.json["kind"] == kind and answer.json["status"] == "completed"
    decision = api.get(f"/decisions/{did}", as_=clerk).json
    assert decision["status"] == "in_progress"
    assert ("GEN-01", "public_participation") not in findings(decision)
    assert ("EVD-01", "expert_review") in findings(decision)  # completed without an evidence file
    assert actions(api, did, clerk)[1:] == [f"step.{kind}.record" for kind in PREPARATORY]

    # 5. Submit is refused: the legality review is missing (GEN-01).
    refused = api.post(f"/decisions/{did}/submit", as_=clerk)
    assert refused.status == 422
    assert refused.error["code"] == "blocked_by_rules"
    assert [(f["rule"], f["step"]) for f in refused.error["findings"]] == [("GEN-01", "legality_review")]
    assert refused.error["findings"][0]["severity"] == "blocker"
    assert "713" in refused.error["findings"][0]["citation"] or "条例" in refused.error["findings"][0]["citation"]

    # 6. The clerk sends the materials to review; only a legal adviser records the opinion (LR-01).
    sent = api.put(f"/decisions/{did}/steps/legality_review", as_=clerk,
                   json={"status": "in_progress", "submitted_on": "2025-04-10"})
    assert sent.status == 200 and sent.json["submitted_on"] == "2025-04-10"
    by_clerk = api.post(f"/decisions/{did}/steps/legality_review/sign", as_=clerk, json=SIGNATURE)
    assert by_clerk.status == 422 and by_clerk.rules == ["LR-01"]
    opinion_by_clerk = api.put(f"/decisions/{did}/steps/legality_review", as_=clerk,
                               json={"status": "completed", "submitted_on": "2025-04-10", **SIGNATURE})
    assert opinion_by_clerk.status == 422 and opinion_by_clerk.rules == ["LR-01"]

    # 7. Signed unlawful: submit refused (LR-04).
    unlawful = api.post(f"/decisions/{did}/steps/legality_review/sign", as_=legal,
                        json={**SIGNATURE, "opinion": "unlawful", "opinion_text": "违反上位法"})
    assert unlawful.status == 200 and unlawful.json["opinion"] == "unlawful"
    assert unlawful.json["draft_sha256"] == decision["draft"]["sha256"]
    refused = api.post(f"/decisions/{did}/submit", as_=clerk)
    assert refused.status == 422 and refused.rules == ["LR-04"]

    # 8. Signed lawful, then the draft changes: the signature is stale (LR-05).
    lawful = api.post(f"/decisions/{did}/steps/legality_review/sign", as_=legal, json=SIGNATURE)
    assert lawful.status == 200 and lawful.json["opinion"] == "lawful"
    current = api.get(f"/decisions/{did}", as_=clerk).json
    changed = api.patch(f"/decisions/{did}", as_=clerk,
                        json={"version": current["version"], "draft_text": DECISION_DATA["draft_text"] + "（修改稿）"})
    assert changed.status == 200, changed.json
    assert changed.json["draft"]["number"] == 2
    assert changed.json["version"] > current["version"]
    assert ("LR-05", "legality_review") in findings(changed.json)
    refused = api.post(f"/decisions/{did}/submit", as_=clerk)
    assert refused.status == 422 and refused.rules == ["LR-05"]

    # 9. Re-signed on the new draft: submit goes through.
    resigned = api.post(f"/decisions/{did}/steps/legality_review/sign", as_=legal, json=SIGNATURE)
    assert resigned.status == 200 and resigned.json["draft_sha256"] == changed.json["draft"]["sha256"]
    submitted = api.post(f"/decisions/{did}/submit", as_=clerk)
    assert submitted.status == 200, submitted.json
    assert submitted.json["status"] == "submitted"
    assert [f for f in findings(submitted.json) if f[0] == "GEN-01"] == [("GEN-01", "collective_decision")]

    # 10. The draft is frozen once submitted.
    frozen = api.patch(f"/decisions/{did}", as_=clerk, json={"version": submitted.json["version"], "title": "改"})
    assert frozen.status == 422 and frozen.error["code"] == "invalid_state"

    # 11. The collective decision: decided, complete (warnings aside).
    meeting = api.put(f"/decisions/{did}/steps/collective_decision", as_=clerk, json=MEETING)
    assert meeting.status == 200, meeting.json
    assert [o["member"] for o in meeting.json["opinions"]] == [o["member"] for o in MEETING["opinions"]]
    decided = api.get(f"/decisions/{did}", as_=clerk).json
    assert decided["status"] == "decided"
    assert decided["compliance"]["complete"] is True
    assert {f["severity"] for f in decided["compliance"]["findings"]} <= {"warning"}

    # 12. Evidence for the meeting clears its EVD-01 warning.
    assert ("EVD-01", "collective_decision") in findings(decided)
    uploaded = api.post(f"/decisions/{did}/attachments", as_=clerk,
                        data={"step": "collective_decision", "file": (PDF(), "会议纪要.pdf", "application/pdf")})
    assert uploaded.status == 201, uploaded.json
    assert uploaded.json["filename"] == "会议纪要.pdf"
    with_evidence = api.get(f"/decisions/{did}", as_=clerk).json
    assert ("EVD-01", "collective_decision") not in findings(with_evidence)

    # 13. Publish.
    published = api.post(f"/decisions/{did}/publish", as_=clerk, json={"published_on": "2025-05-08"})
    assert published.status == 200, published.json
    assert published.json["status"] == "published"

    # The auditor of the city sees the same decision and the same findings as the clerk.
    seen = api.get(f"/decisions/{did}", as_=auditor)
    assert seen.status == 200
    assert seen.json["compliance"] == published.json["compliance"]

    # The whole history, in order, with the chain's hashes.
    history = api.get(f"/decisions/{did}/history", as_=auditor).json
    assert [event["action"] for event in history] == [
        "decision.create",
        "step.public_participation.record",
        "step.expert_review.record",
        "step.risk_assessment.record",
        "step.legality_review.submit_materials",
        "step.legality_review.sign",
        "step.legality_review.sign",
        "decision.update",
        "step.legality_review.sign",
        "decision.submit",
        "step.collective_decision.record",
        "attachment.upload",
        "decision.publish",
    ]
    assert [event["actor"] for event in history][5:7] == ["legal_adviser_bd", "legal_adviser_bd"]
    signatures = [event for event in history if event["action"] == "step.legality_review.sign"]
    assert signatures[1]["before"]["opinion"] == "unlawful" and signatures[1]["after"]["opinion"] == "lawful"
    assert all(len(event["hash"]) == 64 for event in history)
    assert history[-1]["after"] == {"status": "published", "published_on": "2025-05-08"}
    verify = api.get("/audit/verify", as_=auditor)
    assert verify.status == 200 and verify.json["ok"] is True


def test_findings_follow_accept_language(api, clerk, make_decision):
    decision = make_decision()
    chinese = api.get(f"/decisions/{decision.id}", as_=clerk).json
    english = api.get(f"/decisions/{decision.id}", as_=clerk, headers={"Accept-Language": "en-US,en;q=0.9"}).json
    zh_first = api.get(f"/decisions/{decision.id}", as_=clerk, headers={"Accept-Language": "zh-CN,en;q=0.5"}).json
    assert chinese["compliance"]["findings"][0]["message"] == zh_first["compliance"]["findings"][0]["message"]
    assert chinese["compliance"]["findings"][0]["message"] != english["compliance"]["findings"][0]["message"]
    assert english["compliance"]["findings"][0]["message"].isascii()
    refused = api.post(f"/decisions/{decision.id}/submit", as_=clerk, headers={"Accept-Language": "en"})
    assert refused.error["message"].isascii()
    assert all(f["message"].isascii() for f in refused.error["findings"])


def test_other_blockers_refuse_at_the_right_moment(api, clerk, legal, make_decision):
    decision = make_decision()
    did = decision.id
    # GEN-02: only the three preparatory steps may be exempted, with a reason and a basis.
    no_basis = api.put(f"/decisions/{did}/steps/expert_review", as_=clerk,
                       json={"status": "exempted", "exemption_reason": "不涉及专业技术问题"})
    assert no_basis.status == 422 and no_basis.rules == ["GEN-02"]
    lawful = api.put(f"/decisions/{did}/steps/expert_review", as_=clerk,
                     json={"status": "exempted", "exemption_reason": "不涉及专业技术问题",
                           "exemption_basis": "《重大行政决策程序暂行条例》第十九条"})
    assert lawful.status == 200 and lawful.json["status"] == "exempted"
    meeting_exempt = api.put(f"/decisions/{did}/steps/collective_decision", as_=clerk,
                             json={"status": "exempted", "exemption_reason": "x", "exemption_basis": "y"})
    assert meeting_exempt.status == 422
    review_exempt = api.put(f"/decisions/{did}/steps/legality_review", as_=clerk,
                            json={"status": "exempted", "exemption_reason": "x", "exemption_basis": "y"})
    assert review_exempt.status == 422 and review_exempt.rules == ["LR-01"]

    # RA-01: a high risk without mitigation refuses the submission.
    for kind in ("public_participation",):
        assert api.put(f"/decisions/{did}/steps/{kind}", as_=clerk, json=COMPLETE_STEPS[kind]).status == 200
    risky = {**COMPLETE_STEPS["risk_assessment"], "risk_level": "high", "mitigation": None}
    assert api.put(f"/decisions/{did}/steps/risk_assessment", as_=clerk, json=risky).status == 200
    api.put(f"/decisions/{did}/steps/legality_review", as_=clerk,
            json={"status": "in_progress", "submitted_on": "2025-04-10"})
    assert api.post(f"/decisions/{did}/steps/legality_review/sign", as_=legal, json=SIGNATURE).status == 200
    refused = api.post(f"/decisions/{did}/submit", as_=clerk)
    assert refused.status == 422 and refused.rules == ["RA-01"]
    assert refused.error["findings"][0]["step"] == "risk_assessment"
