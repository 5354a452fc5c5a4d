"""The legal adviser's queue and review page: contents, signing, refusals, LR-05 after a change, who may."""

from __future__ import annotations

import re

import pytest

from tests.conftest import SIGNATURE

from .support import db_state, input_value, pdf_bytes, text_of


def _queue_refs(body: str) -> list[str]:
    return re.findall(r'class="queue-item" data-ref="([^"]+)"', body)


@pytest.fixture
def states(db, clerk, legal, make_decision, make_user, walk):
    """One decision of each kind the queue must tell apart."""
    from app.services.decisions import update_decision

    fresh = make_decision(title="未送审")
    materials = walk(make_decision(title="已送审未签署"), "submitted_for_review")
    signed = walk(make_decision(title="已签署"), "signed")
    changed = walk(make_decision(title="签署后修改"), "signed")
    update_decision(clerk, changed, {"version": changed.version, "draft_text": "修改后的草案"})
    db.session.commit()
    submitted = walk(make_decision(title="已提请"), "submitted")
    from app.services.steps import record_step

    other_clerk = make_user("clerk", "CD", username="clerk_cd")
    other = make_decision(user=other_clerk, title="他单位")
    record_step(other_clerk, other, "legality_review", {"status": "in_progress", "submitted_on": "2025-04-10"})
    db.session.commit()
    return {"fresh": fresh, "materials": materials, "signed": signed, "changed": changed, "submitted": submitted,
            "other": other}


def test_queue_lists_unsigned_and_changed_drafts_only(login, legal, states, page_text):
    body = page_text(login(legal).get("/review"))
    assert _queue_refs(body) == [states["materials"].ref_no, states["changed"].ref_no]
    rows = body[body.index('review-queue"'):]
    assert "尚未审查" in rows and "草案已修改" in rows and "签署于第1稿，现为第2稿" in rows
    assert "2 件草案待审查" in text_of(body)
    assert f'href="/review/{states["materials"].id}"' in rows


def test_queue_is_empty_with_a_message(login, legal, page_text):
    assert "目前没有待审查的草案" in page_text(login(legal).get("/review"))


@pytest.mark.parametrize("who", ["clerk", "auditor"])
def test_queue_is_for_legal_advisers(request, login, page_text, who):
    client = login(request.getfixturevalue(who))
    page_text(client.get("/review"), 403)
    assert 'href="/review"' not in page_text(client.get("/"))


def test_nav_links_the_queue_for_the_adviser(login, legal, page_text):
    body = page_text(login(legal).get("/"))
    nav = body[body.index("<nav"):body.index("</nav>")]
    assert 'href="/review"' in nav and "合法性审查待办" in nav


def test_queue_query_count_does_not_grow(app, db, login, legal, clerk, make_decision, walk, count_queries):
    client = login(legal)

    def count() -> int:
        db.session.commit()
        with count_queries() as statements:
            assert client.get("/review").status_code == 200
        return len(statements)

    walk(make_decision(), "submitted_for_review")
    one = count()
    for _ in range(4):
        walk(make_decision(), "submitted_for_review")
    assert count() == one <= 4


def test_review_page_shows_draft_materials_and_form(login, legal, clerk, make_decision, walk, page_text, client):
    decision = walk(make_decision(), "submitted_for_review")
    from app.extensions import db
    from app.services.evidence import store_attachment

    store_attachment(clerk, decision, "risk_assessment", "风险评估报告.pdf", pdf_bytes())
    db.session.commit()
    body = page_text(login(legal).get(f"/review/{decision.id}"))
    assert "待审查草案：第1稿" in body and decision.drafts[-1].text in body
    materials = text_of(body[body.index('id="materials"'):body.index('id="sign"')])
    assert "公众参与" in materials and "专家论证" in materials and "风险评估" in materials
    assert "张工" in materials and "南通大学" in materials and "风险评估报告.pdf" in materials
    assert "尚未签署合法性审查意见" in text_of(body)
    form = body[body.index('class="sign-form"'):]
    assert ">合法</option>" in form and ">不合法</option>" in form
    assert 'type="date"' in form and input_value(form, "reviewed_on")
    assert "对第1稿草案签署审查意见" in form


def test_signing_from_the_review_page(db, login, legal, make_decision, walk, page_text):
    decision = walk(make_decision(), "submitted_for_review")
    client = login(legal)
    response = client.post(f"/review/{decision.id}", data={**SIGNATURE, "version": decision.version})
    assert response.status_code == 302 and response.headers["Location"].endswith("/review")
    body = page_text(client.get("/review"))
    assert f"已对 {decision.ref_no} 第1稿草案签署合法性审查意见" in body
    assert _queue_refs(body) == []
    from app.models import Step

    db.session.rollback()
    step = db.session.query(Step).filter_by(decision_id=decision.id, kind="legality_review").one()
    assert step.status == "completed" and step.opinion == "lawful" and step.reviewer == "legal_adviser_bd"
    assert step.draft_sha256 == decision.drafts[-1].sha256


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"opinion": ""}, "opinion", "为必填项"),
        ({"opinion_text": " "}, "opinion_text", "为必填项"),
        ({"reviewed_on": "2025-04-31"}, "reviewed_on", "须为 YYYY-MM-DD 格式的日期"),
        ({"reviewed_on": "2025-04-01"}, "reviewed_on", "不得早于送审日期"),
        ({"reviewed_on": "2999-01-01"}, "reviewed_on", "不得晚于今天"),
    ],
)
def test_signature_refusals(login, legal, make_decision, walk, page_text, changes, field, message):
    from .support import field_block

    decision = walk(make_decision(), "submitted_for_review")
    client = login(legal)
    before = db_state(decision)
    body = page_text(client.post(f"/review/{decision.id}", data={**SIGNATURE, **changes,
                                                                 "version": decision.version}), 422)
    assert db_state(decision) == before
    assert message in field_block(body, field)


def test_lr02_refusal_before_the_other_procedures(db, login, clerk, legal, make_decision, page_text):
    from app.services.steps import record_step

    decision = make_decision()
    record_step(clerk, decision, "legality_review", {"status": "in_progress", "submitted_on": "2025-04-10"})
    db.session.commit()
    client = login(legal)
    body = page_text(client.get(f"/review/{decision.id}"))
    assert "暂不能签署审查意见" in text_of(body) and "LR-02" in body
    before = db_state(decision)
    body = page_text(client.post(f"/review/{decision.id}", data={**SIGNATURE, "version": decision.version}), 422)
    assert db_state(decision) == before
    refusal = body[body.index('id="refusal"'):]
    assert 'data-rule="LR-02"' in refusal and "第二十六条" in text_of(refusal)


def test_lr05_after_a_draft_change_and_a_new_signature(db, login, clerk, legal, make_decision, walk, page_text,
                                                       client):
    decision = walk(make_decision(), "signed")
    # The clerk revises the draft after the signature.
    clerk_client = login(clerk)
    data = {"title": decision.title, "category": decision.category, "department": decision.department,
            "amount_cny": "", "summary": "", "draft_text": "关于白甸镇农桥建设工程的决定（修改稿）",
            "version": decision.version}
    assert clerk_client.post(f"/decisions/{decision.id}/edit", data=data).status_code == 302
    body = page_text(clerk_client.get(f"/decisions/{decision.id}"))
    assert "LR-05" in body[body.index('id="findings"'):]
    from app.models import Decision

    db.session.rollback()
    version = db.session.get(Decision, decision.id).version
    body = page_text(clerk_client.post(f"/decisions/{decision.id}/submit", data={"version": version}), 422)
    assert re.findall(r'data-rule="([A-Z]+-\d+)"', body[body.index('id="refusal"'):]) == ["LR-05"]
    client.post("/logout")

    # The adviser sees the change in the queue and on the review page, and signs again.
    adviser = login(legal)
    assert _queue_refs(page_text(adviser.get("/review"))) == [decision.ref_no]
    body = page_text(adviser.get(f"/review/{decision.id}"))
    assert "上次签署审查意见（第1稿）后，决策草案已修改" in text_of(body)
    assert '<mark class="diff-mark">修改稿</mark>' in body
    assert "LR-05" in body
    response = adviser.post(f"/review/{decision.id}", data={**SIGNATURE, "version": version})
    assert response.status_code == 302
    client.post("/logout")

    clerk_client = login(clerk)
    db.session.rollback()
    version = db.session.get(Decision, decision.id).version
    assert clerk_client.post(f"/decisions/{decision.id}/submit", data={"version": version}).status_code == 302


def test_stale_signature_is_a_conflict(db, login, clerk, legal, make_decision, walk, page_text):
    from app.services.decisions import update_decision

    decision = walk(make_decision(), "submitted_for_review")
    stale = decision.version
    update_decision(clerk, decision, {"version": decision.version, "draft_text": "又改了"})
    db.session.commit()
    client = login(legal)
    before = db_state(decision)
    body = page_text(client.post(f"/review/{decision.id}", data={**SIGNATURE, "version": stale}), 409)
    assert db_state(decision) == before
    assert "他人" in text_of(body)
    assert input_value(body, "version") == str(before["version"])


def test_adviser_uploads_evidence_of_the_review(db, login, legal, make_decision, walk, page_text):
    decision = walk(make_decision(), "submitted_for_review")
    client = login(legal)
    import io

    response = client.post(f"/review/{decision.id}/attachments",
                           data={"file": (io.BytesIO(pdf_bytes()), "合法性审查意见书.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    body = page_text(client.get(response.headers["Location"]))
    assert "合法性审查意见书.pdf" in body[body.index('id="evidence"'):]
    from .support import EXE_BYTES

    before = db_state(decision)
    body = page_text(client.post(f"/review/{decision.id}/attachments",
                                 data={"file": (io.BytesIO(EXE_BYTES), "审查.pdf")},
                                 content_type="multipart/form-data"), 422)
    assert db_state(decision) == before and "文件内容不属于以下类型" in text_of(body)


def test_review_page_is_for_the_organisations_adviser(db, login, clerk, auditor, make_user, make_decision, walk,
                                                      page_text, client):
    decision = walk(make_decision(), "submitted_for_review")
    page_text(login(clerk).get(f"/review/{decision.id}"), 403)
    client.post("/logout")
    page_text(login(auditor).get(f"/review/{decision.id}"), 403)
    client.post("/logout")
    db.session.commit()  # the logout wrote: the test reads afresh before it writes
    other_adviser = make_user("legal_adviser", "CD", username="legal_cd")
    before = db_state(decision)
    page_text(login(other_adviser).get(f"/review/{decision.id}"), 404)
    page_text(client.post(f"/review/{decision.id}", data={**SIGNATURE, "version": decision.version}), 404)
    assert db_state(decision) == before


def test_no_signature_form_after_submission(login, legal, make_decision, walk, page_text):
    decision = walk(make_decision(), "submitted")
    client = login(legal)
    body = page_text(client.get(f"/review/{decision.id}"))
    assert 'class="sign-form"' not in body and "只有决策事项办理中时才能签署" in body
    before = db_state(decision)
    page_text(client.post(f"/review/{decision.id}", data={**SIGNATURE, "version": decision.version}), 403)
    assert db_state(decision) == before


def test_review_page_query_count_is_bounded(app, db, login, clerk, legal, make_decision, walk, count_queries):
    from app.services.decisions import update_decision

    decision = walk(make_decision(), "signed")
    for n in range(3):
        update_decision(clerk, decision, {"version": decision.version, "draft_text": f"第{n}稿"})
        db.session.commit()
    decision_id = decision.id
    client = login(legal)
    db.session.remove()
    with count_queries() as statements:
        assert client.get(f"/review/{decision_id}").status_code == 200
    assert len(statements) <= 13, statements  # 12, and the queue's count in the navigation
