"""The five step forms: widgets, success, every refusal with its message and nothing written, list rows."""

from __future__ import annotations

import html
import re

import pytest

from tests.conftest import COMPLETE_STEPS, MEETING

from .support import db_state, field_block, flatten, input_value, text_of


def _post(client, decision, kind, data, version=None):
    """Post the step form as the browser would, with the step's own version as last read (or ``version``)."""
    body = flatten(data)
    body["version"] = str(_step_version(decision, kind) if version is None else version)
    return client.post(f"/decisions/{decision.id}/steps/{kind}", data=body)


def _step_version(decision, kind) -> int:
    from app.extensions import db
    from app.models import Step

    db.session.rollback()
    return db.session.query(Step.version).filter_by(decision_id=decision.id, kind=kind).scalar()


def _step(db, decision, kind):
    from app.models import Step

    db.session.rollback()  # see what the request committed
    return db.session.query(Step).filter_by(decision_id=decision.id, kind=kind).one()


# -- widgets -------------------------------------------------------------------------------------------


def test_public_participation_form_widgets(login, clerk, make_decision, page_text):
    decision = make_decision()
    body = page_text(login(clerk).get(f"/decisions/{decision.id}/steps/public_participation"))
    assert "<h1" in body and "公众参与" in body
    for name in ("comment_start", "comment_end", "hearing_date", "materials_sent_on", "feedback_published_on",
                 "completed_on"):
        assert 'type="date"' in field_block(body, name), name
    for name in ("comments_received", "comments_adopted"):
        block = field_block(body, name)
        assert 'type="number"' in block and 'min="0"' in block, name
    method = field_block(body, "method")
    assert ">听证会</option>" in method and ">网上公开征求意见</option>" in method
    status = field_block(body, "status")
    assert ">进行中</option>" in status and ">已完成</option>" in status and ">依法免除</option>" in status
    assert 'name="exemption_reason"' in body and 'name="exemption_basis"' in body
    # The form carries the step's own version, not the decision's.
    assert input_value(body, "version") == str(decision.step("public_participation").version)
    assert "/static/js/forms.js" in body


def test_exemption_is_offered_only_where_lawful(db, login, clerk, make_decision, walk, page_text):
    decision = make_decision()
    client = login(clerk)
    for kind in ("public_participation", "expert_review", "risk_assessment"):
        assert ">依法免除</option>" in page_text(client.get(f"/decisions/{decision.id}/steps/{kind}")), kind
    body = page_text(client.get(f"/decisions/{decision.id}/steps/legality_review"))
    assert 'name="status"' not in body and 'name="exemption_reason"' not in body
    assert 'name="submitted_on"' in body and 'name="responsible"' in body and 'name="opinion"' not in body
    walk(decision, "submitted")
    body = page_text(client.get(f"/decisions/{decision.id}/steps/collective_decision"))
    assert ">依法免除</option>" not in body and 'name="exemption_reason"' not in body


def test_risk_types_are_checkboxes_with_labels(login, clerk, make_decision, page_text):
    decision = make_decision()
    body = page_text(login(clerk).get(f"/decisions/{decision.id}/steps/risk_assessment"))
    block = field_block(body, "risk_types")
    assert block.count('type="checkbox"') == 6
    assert "社会稳定" in block and "财政" in block


def test_list_fields_offer_one_blank_row_and_a_template(login, clerk, make_decision, walk, page_text):
    decision = make_decision()
    client = login(clerk)
    body = page_text(client.get(f"/decisions/{decision.id}/steps/expert_review"))
    assert 'name="experts-0-name"' in body and 'name="experts-1-name"' not in body
    assert 'name="experts-__index__-name"' in body  # the row the script clones
    assert 'value="experts:add"' in body and 'value="experts:0:up"' in body
    walk(decision, "submitted")
    body = page_text(client.get(f"/decisions/{decision.id}/steps/collective_decision"))
    assert 'name="opinions-0-member"' in body and 'name="opinions-0-is_principal"' in body
    assert 'name="opinions-__index__-position"' in body


# -- success -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["public_participation", "expert_review", "risk_assessment"])
def test_preparatory_steps_record(db, login, clerk, make_decision, page_text, kind):
    decision = make_decision()
    client = login(clerk)
    response = _post(client, decision, kind, COMPLETE_STEPS[kind])
    assert response.status_code == 302, text_of(response.get_data(as_text=True))[:1500]
    assert response.headers["Location"].endswith(f"/decisions/{decision.id}#step-{kind}")
    step = _step(db, decision, kind)
    assert step.status == "completed"
    body = page_text(client.get(f"/decisions/{decision.id}"))
    assert re.search(r"已登记(公众参与|专家论证|风险评估)。", body)


def test_expert_rows_are_saved_in_order_and_blank_rows_dropped(db, login, clerk, make_decision):
    decision = make_decision()
    data = dict(COMPLETE_STEPS["expert_review"])
    experts = [*data["experts"], {"name": "", "field": "", "institution": "", "no_conflict": True}]
    experts[1] = {**experts[1], "no_conflict": False}
    response = _post(login(clerk), decision, "expert_review", {**data, "experts": experts})
    assert response.status_code == 302
    step = _step(db, decision, "expert_review")
    assert [e.name for e in step.experts] == ["张工", "李工", "王工"]
    assert [e.no_conflict for e in step.experts] == [True, False, True]


def test_risk_types_several(db, login, clerk, make_decision):
    decision = make_decision()
    data = {**COMPLETE_STEPS["risk_assessment"], "risk_types": ["social_stability", "fiscal"]}
    assert _post(login(clerk), decision, "risk_assessment", data).status_code == 302
    assert _step(db, decision, "risk_assessment").risk_types == ["social_stability", "fiscal"]


def test_lawful_exemption(db, login, clerk, make_decision, page_text):
    decision = make_decision()
    data = {"status": "exempted", "exemption_reason": "不涉及专业性、技术性问题",
            "exemption_basis": "《重大行政决策程序暂行条例》第十九条"}
    assert _post(login(clerk), decision, "expert_review", data).status_code == 302
    step = _step(db, decision, "expert_review")
    assert step.status == "exempted" and step.exemption_basis.endswith("第十九条")


def test_clerk_records_the_legality_submission(db, login, clerk, make_decision, walk, page_text):
    decision = walk(make_decision(), "preparatory")
    client = login(clerk)
    response = _post(client, decision, "legality_review", {"submitted_on": "2025-04-10", "responsible": "党政办"})
    assert response.status_code == 302
    step = _step(db, decision, "legality_review")
    assert str(step.submitted_on) == "2025-04-10" and step.status == "in_progress" and step.opinion is None


def test_meeting_with_members_in_speaking_order(db, login, clerk, make_decision, walk, page_text):
    decision = walk(make_decision(), "submitted")
    client = login(clerk)
    response = _post(client, decision, "collective_decision", MEETING)
    assert response.status_code == 302, text_of(response.get_data(as_text=True))[:1500]
    step = _step(db, decision, "collective_decision")
    assert [o.member for o in step.opinions] == [o["member"] for o in MEETING["opinions"]]
    assert [o.is_principal for o in step.opinions] == [False] * 5 + [True]
    assert step.opinions[3].remarks == "造价偏高"
    assert step.decision.status == "decided"
    # The form shows them again in that order, the principal marked.
    body = page_text(client.get(f"/decisions/{decision.id}/steps/collective_decision"))
    assert input_value(body, "opinions-5-member") == "镇长"
    row = body[body.index('name="opinions-5-member"') - 400: body.index('name="opinions-5-member"')]
    assert "principal" in row


# -- refusals: each with its message, nothing written ------------------------------------------------------


def _refused(client, decision, kind, data, page_text, status=422):
    before = db_state(decision)
    body = page_text(_post(client, decision, kind, data), status)
    assert db_state(decision) == before
    assert "未保存任何内容" in text_of(body) or status != 422 or "refusal" in body
    return body


PP = COMPLETE_STEPS["public_participation"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"comment_start": "2025-13-45"}, "comment_start", "须为 YYYY-MM-DD 格式的日期"),
        ({"feedback_published_on": "明天"}, "feedback_published_on", "须为 YYYY-MM-DD 格式的日期"),
        ({"completed_on": "2099-01-01"}, "completed_on", "不得晚于今天"),
        ({"comment_end": "2025-02-01"}, "comment_end", "不得早于征求意见开始日期"),
        ({"comments_received": "-3"}, "comments_received", "不得为负数"),
        ({"comments_adopted": "2.5"}, "comments_adopted", "须为整数"),
        ({"comments_received": "4", "comments_adopted": "9"}, "comments_adopted", "不得超过收到的意见数"),
        ({"method": None, "comments_received": None}, "method", "程序完成时为必填项"),
        ({"method": None, "comments_received": None}, "comments_received", "程序完成时为必填项"),
        ({"method": "hearing", "hearing_date": None}, "hearing_date", "举行听证会时为必填项"),
        ({"method": "séance"}, "method", "须为下列之一"),
    ],
)
def test_public_participation_refusals(login, clerk, make_decision, page_text, changes, field, message):
    decision = make_decision()
    body = _refused(login(clerk), decision, "public_participation", {**PP, **changes}, page_text)
    block = field_block(body, field)
    assert "is-invalid" in block and message in block, block[:800]
    # What was typed stays in the form.
    if changes.get(field) and field != "method":
        assert html.escape(changes[field]) in body or changes[field] in body


def test_expert_row_errors_land_on_their_row(login, clerk, make_decision, page_text):
    decision = make_decision()
    data = dict(COMPLETE_STEPS["expert_review"])
    # The second row has an institution but no name; a blank row before it is dropped, not counted.
    experts = [data["experts"][0], {"name": "", "field": "", "institution": "", "no_conflict": True},
               {"name": "", "field": "法学", "institution": "南京大学", "no_conflict": True}]
    body = _refused(login(clerk), decision, "expert_review", {**data, "experts": experts}, page_text)
    row = body[body.index('name="experts-2-name"') - 300: body.index('name="experts-2-field"')]
    assert "is-invalid" in row and "为必填项" in row
    assert "专家第 3 行" in text_of(body)


def test_completed_expert_review_needs_experts(login, clerk, make_decision, page_text):
    decision = make_decision()
    data = {**COMPLETE_STEPS["expert_review"], "experts": []}
    body = _refused(login(clerk), decision, "expert_review", data, page_text)
    assert "程序完成时为必填项" in field_block(body, "experts")


def test_risk_assessment_missing_fields(login, clerk, make_decision, page_text):
    decision = make_decision()
    data = {"status": "completed", "risk_level": "high"}
    body = _refused(login(clerk), decision, "risk_assessment", data, page_text)
    for name in ("risk_types", "risk_points", "conclusion", "assessed_on", "completed_on"):
        assert "程序完成时为必填项" in field_block(body, name), name
    # The chosen value is kept.
    assert '<option selected value="high">' in body or 'selected value="high"' in body


def test_exemption_without_basis_is_refused_with_the_rule(login, clerk, make_decision, page_text):
    decision = make_decision()
    data = {"status": "exempted", "exemption_reason": "不涉及专业性问题"}
    body = _refused(login(clerk), decision, "expert_review", data, page_text)
    refusal = text_of(body[body.index('id="refusal"'):])
    assert "GEN-02" in refusal and "第十九条" in refusal
    assert f"/decisions/{decision.id}/steps/expert_review" in body[body.index('id="refusal"'):]


def test_exemption_without_reason_is_a_field_error(login, clerk, make_decision, page_text):
    decision = make_decision()
    body = _refused(login(clerk), decision, "risk_assessment", {"status": "exempted", "exemption_reason": "",
                                                                 "exemption_basis": "第二十二条"}, page_text)
    assert "GEN-02" in body or "程序免除时为必填项" in field_block(body, "exemption_reason")


def test_legality_submission_needs_its_date(login, clerk, make_decision, page_text):
    decision = make_decision()
    body = _refused(login(clerk), decision, "legality_review", {"submitted_on": "", "responsible": "党政办"},
                    page_text)
    assert "为必填项" in field_block(body, "submitted_on")
    body = _refused(login(clerk), decision, "legality_review", {"submitted_on": "2025/04/10"}, page_text)
    assert "须为 YYYY-MM-DD 格式的日期" in field_block(body, "submitted_on")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"members_total": "-7"}, "members_total", "不得为负数"),
        ({"members_total": "0"}, "members_total", "至少为 1"),
        ({"members_present": "9"}, "members_present", "不得超过应到会人数"),
        ({"meeting_date": "2025-02-30"}, "meeting_date", "须为 YYYY-MM-DD 格式的日期"),
        ({"outcome": None}, "outcome", "程序完成时为必填项"),
        ({"outcome": "deferred"}, "outcome", "暂缓"),
    ],
)
def test_meeting_refusals(login, clerk, make_decision, walk, page_text, changes, field, message):
    decision = walk(make_decision(), "submitted")
    body = _refused(login(clerk), decision, "collective_decision", {**MEETING, **changes}, page_text)
    assert message in field_block(body, field)


def test_member_row_without_member(login, clerk, make_decision, walk, page_text):
    decision = walk(make_decision(), "submitted")
    opinions = [*MEETING["opinions"][:2], {"member": "", "position": "agree", "remarks": "同意"}]
    body = _refused(login(clerk), decision, "collective_decision", {**MEETING, "opinions": opinions}, page_text)
    row = body[body.index('name="opinions-2-member"') - 300: body.index('name="opinions-2-position"')]
    assert "为必填项" in row


def test_stale_version_on_a_step_is_a_conflict(db, login, clerk, make_decision, page_text):
    from app.services.steps import record_step

    decision = make_decision()
    stale = decision.step("public_participation").version
    record_step(clerk, decision, "public_participation", {"status": "in_progress", "responsible": "别人"})
    db.session.commit()
    client = login(clerk)
    before = db_state(decision)
    body = page_text(_post(client, decision, "public_participation", {**PP, "responsible": "我"}, version=stale), 409)
    assert db_state(decision) == before
    assert "已被他人修改" in text_of(body) or "他人" in text_of(body)
    assert input_value(body, "responsible") == "别人"
    assert input_value(body, "version") == str(decision.step("public_participation").version)
    assert "未保存的修改" in text_of(body)


# -- rows without JavaScript ---------------------------------------------------------------------------------


def test_add_and_move_rows_without_javascript_writes_nothing(login, clerk, make_decision, walk, page_text):
    decision = walk(make_decision(), "submitted")
    client = login(clerk)
    body = flatten({**MEETING, "status": "completed"})
    body["version"] = str(decision.version)
    before = db_state(decision)
    added = page_text(client.post(f"/decisions/{decision.id}/steps/collective_decision",
                                  data={**body, "row_action": "opinions:add"}))
    assert 'name="opinions-6-member"' in added and input_value(added, "opinions-6-member") == ""
    moved = page_text(client.post(f"/decisions/{decision.id}/steps/collective_decision",
                                  data={**body, "row_action": "opinions:5:up"}))
    assert input_value(moved, "opinions-4-member") == "镇长" and input_value(moved, "opinions-5-member") == "委员戊"
    removed = page_text(client.post(f"/decisions/{decision.id}/steps/collective_decision",
                                    data={**body, "row_action": "opinions:0:remove"}))
    assert input_value(removed, "opinions-0-member") == "副镇长乙"
    assert db_state(decision) == before


# -- who may ---------------------------------------------------------------------------------------------


def test_frozen_step_shows_no_form_and_refuses_posts(login, clerk, make_decision, walk, page_text):
    decision = walk(make_decision(), "submitted")
    client = login(clerk)
    body = page_text(client.get(f"/decisions/{decision.id}/steps/public_participation"))
    assert 'class="step-form"' not in body and "不能再修改" in text_of(body)
    assert 'name="file"' in body  # evidence may still be added
    before = db_state(decision)
    page_text(_post(client, decision, "public_participation", PP), 403)
    assert db_state(decision) == before


def test_meeting_form_waits_for_submission(login, clerk, make_decision, page_text):
    decision = make_decision()
    body = page_text(login(clerk).get(f"/decisions/{decision.id}/steps/collective_decision"))
    assert 'class="step-form"' not in body and "提请集体讨论后" in text_of(body)


def test_legal_adviser_and_auditor_cannot_record_steps(login, legal, auditor, make_decision, page_text, client):
    decision = make_decision()
    adviser = login(legal)
    page_text(adviser.get(f"/decisions/{decision.id}/steps/public_participation"), 403)
    response = adviser.get(f"/decisions/{decision.id}/steps/legality_review")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/review/{decision.id}")
    before = db_state(decision)
    page_text(_post(adviser, decision, "public_participation", PP), 403)
    client.post("/logout")
    watcher = login(auditor)
    page_text(watcher.get(f"/decisions/{decision.id}/steps/risk_assessment"), 403)
    page_text(_post(watcher, decision, "risk_assessment", COMPLETE_STEPS["risk_assessment"]), 403)
    assert db_state(decision) == before


def test_other_organisation_and_unknown_kind_are_404(login, make_user, make_decision, clerk, page_text):
    decision = make_decision()
    page_text(login(clerk).get(f"/decisions/{decision.id}/steps/astrology"), 404)


def test_other_organisation_is_404(login, make_user, make_decision, page_text):
    decision = make_decision()
    other = make_user("clerk", "CD", username="clerk_cd")
    client = login(other)
    page_text(client.get(f"/decisions/{decision.id}/steps/public_participation"), 404)
    page_text(_post(client, decision, "public_participation", PP), 404)


def test_step_page_query_count_is_bounded(app, db, login, clerk, make_decision, walk, count_queries):
    decision_id = walk(make_decision(), "signed").id
    client = login(clerk)
    db.session.remove()
    for kind in ("public_participation", "expert_review", "collective_decision"):
        with count_queries() as statements:
            response = client.get(f"/decisions/{decision_id}/steps/{kind}")
        assert response.status_code == 200
        assert len(statements) <= 12, statements
        assert len([s for s in statements if "FROM attachments" in s]) == 1
