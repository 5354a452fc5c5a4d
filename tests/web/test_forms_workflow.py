"""The workflow buttons: submit (refused with findings, then accepted), publish, archive; what to do next."""

from __future__ import annotations

import re

import pytest

from tests.conftest import SIGNATURE

from .support import db_state, text_of


def _section(body: str, element_id: str) -> str:
    start = body.index(f'id="{element_id}"')
    end = body.find("</section>", start)
    end = body.find("</div>\n\n", start) if end == -1 else end
    return body[start:end]


def _refusal(body: str) -> str:
    return body[body.index('id="refusal"'):body.index("</ol>", body.index('id="refusal"'))]


def _submit(client, decision):
    return client.post(f"/decisions/{decision.id}/submit", data={"version": decision.version})


def test_submit_is_refused_with_gen01_then_lr04_then_accepted(db, login, clerk, legal, make_decision, walk,
                                                              page_text):
    from app.services.steps import sign_legality_review

    decision = make_decision()
    client = login(clerk)

    # 1. Nothing recorded: one GEN-01 per procedure before the meeting, each linked to its form.
    before = db_state(decision)
    body = page_text(_submit(client, decision), 422)
    assert db_state(decision) == before
    refusal = _refusal(body)
    assert "尚不能提请集体讨论" in text_of(refusal)
    assert refusal.count('data-rule="GEN-01"') == 4
    for kind in ("public_participation", "expert_review", "risk_assessment", "legality_review"):
        assert f'href="/decisions/{decision.id}/steps/{kind}"' in refusal, kind
    assert "《重大行政决策程序暂行条例》第十四条" in refusal and "第二十五条" in refusal

    # 2. Procedures done, but the legality opinion says unlawful: LR-04.
    walk(decision, "submitted_for_review")
    sign_legality_review(legal, decision, {**SIGNATURE, "opinion": "unlawful", "opinion_text": "违反上位法"})
    db.session.commit()
    before = db_state(decision)
    body = page_text(_submit(client, decision), 422)
    assert db_state(decision) == before
    refusal = _refusal(body)
    assert re.findall(r'data-rule="([A-Z]+-\d+)"', refusal) == ["LR-04"]
    assert "第二十五条" in text_of(refusal)

    # 3. A lawful opinion: accepted.
    sign_legality_review(legal, decision, SIGNATURE)
    db.session.commit()
    response = _submit(client, decision)
    assert response.status_code == 302
    body = page_text(client.get(response.headers["Location"]))
    assert "已提请集体讨论。会议召开后请登记集体讨论决定" in body
    from app.models import Decision

    db.session.rollback()
    assert db.session.get(Decision, decision.id).status == "submitted"


def test_submit_with_a_stale_version_is_a_conflict(db, login, clerk, make_decision, walk, page_text):
    from app.services.decisions import update_decision

    decision = walk(make_decision(), "signed")
    stale = decision.version
    update_decision(clerk, decision, {"version": decision.version, "title": "另一个标题"})
    db.session.commit()
    client = login(clerk)
    before = db_state(decision)
    body = page_text(client.post(f"/decisions/{decision.id}/submit", data={"version": stale}), 409)
    assert db_state(decision) == before
    assert "已被他人修改" in text_of(body) or "他人" in text_of(body)


def test_publish_and_archive(db, login, clerk, make_decision, walk, page_text):
    decision = walk(make_decision(), "decided")
    client = login(clerk)
    body = page_text(client.get(f"/decisions/{decision.id}"))
    actions = _section(body, "actions")
    assert "登记公布" in actions and "提请集体讨论" not in actions and "归档" not in actions
    # Refusals: a bad date, a date before the meeting, a future date; nothing written.
    for value, message in (("2025-02-30", "须为 YYYY-MM-DD 格式的日期"), ("2025-05-01", "不得早于会议日期"),
                           ("2999-01-01", "不得晚于今天")):
        before = db_state(decision)
        body = page_text(client.post(f"/decisions/{decision.id}/publish",
                                     data={"published_on": value, "version": decision.version}), 422)
        assert db_state(decision) == before
        assert message in text_of(_section(body, "actions")), value
    response = client.post(f"/decisions/{decision.id}/publish",
                           data={"published_on": "2025-05-10", "version": decision.version})
    assert response.status_code == 302
    body = page_text(client.get(f"/decisions/{decision.id}"))
    assert "已登记公布" in body and "2025-05-10" in body
    actions = _section(body, "actions")
    assert "登记公布" not in actions and "归档" in actions
    from app.models import Decision

    db.session.rollback()
    fresh = db.session.get(Decision, decision.id)
    response = client.post(f"/decisions/{decision.id}/archive", data={"version": fresh.version})
    assert response.status_code == 302
    body = page_text(client.get(f"/decisions/{decision.id}"))
    assert "决策事项已归档" in body and 'id="actions"' not in body


def test_rejected_decision_is_archived_without_publication(db, login, clerk, make_decision, walk, page_text):
    from app.services.steps import record_step
    from tests.conftest import MEETING

    decision = walk(make_decision(), "submitted")
    record_step(clerk, decision, "collective_decision", {**MEETING, "outcome": "rejected"})
    db.session.commit()
    body = page_text(login(clerk).get(f"/decisions/{decision.id}"))
    actions = _section(body, "actions")
    assert "归档" in actions and "登记公布" not in actions


@pytest.mark.parametrize("who", ["legal", "auditor"])
def test_buttons_are_hidden_from_other_roles_and_refused(request, login, make_decision, walk, page_text, who):
    decision = walk(make_decision(), "signed")
    client = login(request.getfixturevalue(who))
    body = page_text(client.get(f"/decisions/{decision.id}"))
    assert 'id="actions"' not in body
    assert "/submit" not in body and "/edit" not in body and "/publish" not in body
    assert 'class="btn btn-sm btn-outline-primary step-edit"' not in body or who == "legal"
    before = db_state(decision)
    page_text(_submit(client, decision), 403)
    page_text(client.post(f"/decisions/{decision.id}/archive", data={}), 403)
    page_text(client.post(f"/decisions/{decision.id}/publish", data={"published_on": "2025-05-10"}), 403)
    assert db_state(decision) == before


def test_legal_adviser_sees_only_the_review_link(login, legal, make_decision, walk, page_text):
    decision = walk(make_decision(), "submitted_for_review")
    body = page_text(login(legal).get(f"/decisions/{decision.id}"))
    assert body.count("step-edit") == 1
    assert f'href="/review/{decision.id}"' in body and "审查并签署" in body


def test_clerk_sees_buttons_and_step_links(login, clerk, make_decision, page_text):
    decision = make_decision()
    body = page_text(login(clerk).get(f"/decisions/{decision.id}"))
    actions = _section(body, "actions")
    assert "修改事项和草案" in actions and "提请集体讨论" in actions and "登记公布" not in actions
    for kind in ("public_participation", "expert_review", "risk_assessment", "legality_review"):
        assert f'href="/decisions/{decision.id}/steps/{kind}"' in body
    # The meeting is recorded only after submission.
    assert f'href="/decisions/{decision.id}/steps/collective_decision"' not in body


def test_other_organisation_gets_404_for_every_button(login, make_user, make_decision, page_text):
    decision = make_decision()
    client = login(make_user("clerk", "CD", username="clerk_cd"))
    before = db_state(decision)
    for action in ("submit", "archive", "publish"):
        page_text(client.post(f"/decisions/{decision.id}/{action}", data={"published_on": "2025-05-10"}), 404)
    assert db_state(decision) == before


# -- what to do next -------------------------------------------------------------------------------------


def _next(body: str) -> str:
    return _section(body, "next-heading")


def test_next_steps_of_a_fresh_decision(login, clerk, make_decision, page_text):
    decision = make_decision()
    todo = _next(page_text(login(clerk).get(f"/decisions/{decision.id}")))
    for name, kind in (("公众参与", "public_participation"), ("专家论证", "expert_review"),
                       ("风险评估", "risk_assessment")):
        assert f"登记{name}情况" in todo and f"/steps/{kind}" in todo
    assert "送交合法性审查" in todo and "/steps/legality_review" in todo
    assert "提请集体讨论" not in todo


def test_next_steps_follow_the_workflow(db, login, clerk, legal, make_decision, walk, page_text, client):
    decision = walk(make_decision(), "submitted_for_review")
    assert "等待法律顾问出具合法性审查意见" in _next(page_text(login(clerk).get(f"/decisions/{decision.id}")))
    client.post("/logout")
    db.session.commit()  # the logout wrote: the test reads afresh before it writes
    adviser_todo = _next(page_text(login(legal).get(f"/decisions/{decision.id}")))
    assert "审查决策草案并签署合法性审查意见" in adviser_todo and f"/review/{decision.id}" in adviser_todo
    client.post("/logout")
    db.session.commit()
    walk(decision, "signed")
    clerk_client = login(clerk)
    assert "提请集体讨论" in _next(page_text(clerk_client.get(f"/decisions/{decision.id}")))
    walk(decision, "submitted")
    todo = _next(page_text(clerk_client.get(f"/decisions/{decision.id}")))
    assert "登记集体讨论决定" in todo and "/steps/collective_decision" in todo
    from app.services.steps import record_step
    from tests.conftest import MEETING

    record_step(clerk, decision, "collective_decision", MEETING)
    db.session.commit()
    todo = _next(page_text(clerk_client.get(f"/decisions/{decision.id}")))
    assert "公布决策并登记公布日期" in todo
    assert "上传公众参与的证明材料" in todo  # EVD-01: completed steps without evidence


def test_next_steps_after_a_draft_change(db, login, clerk, make_decision, walk, page_text):
    from app.services.decisions import update_decision

    decision = walk(make_decision(), "signed")
    update_decision(clerk, decision, {"version": decision.version, "draft_text": "改过的草案"})
    db.session.commit()
    todo = _next(page_text(login(clerk).get(f"/decisions/{decision.id}")))
    assert "须由法律顾问重新审查新版本" in todo


def test_auditor_gets_no_next_steps_to_act_on(login, auditor, make_decision, page_text):
    decision = make_decision()
    body = page_text(login(auditor).get(f"/decisions/{decision.id}"))
    assert 'id="next-heading"' not in body
