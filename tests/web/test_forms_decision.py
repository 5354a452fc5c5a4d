"""Creating a decision and revising it: success, every refusal with its message, stale versions, who may."""

from __future__ import annotations

import pytest

from app.clock import today

from .support import db_state, field_block, input_value, text_of

NEW = {
    "title": "白甸镇集镇区停车管理办法",
    "category": "major_matter",
    "department": "综合执法局",
    "year": "2025",
    "amount_cny": "",
    "summary": "规范集镇区停车秩序",
    "draft_text": "第一条 为规范集镇区停车秩序，制定本办法。\n第二条 本办法自公布之日起施行。",
}


def test_create_form_renders_fields_with_widgets(login, clerk, page_text):
    body = page_text(login(clerk).get("/decisions/new"))
    assert "新建决策事项" in body
    assert 'name="title"' in body and 'maxlength="200"' in body
    assert '<select class="form-select" id="category" name="category">' in body
    assert ">重大事项决策</option>" in body and ">重要干部任免</option>" in body
    year = field_block(body, "year")
    assert 'type="number"' in year and 'min="2000"' in year and f'value="{today().year}"' in year
    amount = field_block(body, "amount_cny")
    assert 'type="number"' in amount and 'min="0"' in amount
    assert '<textarea' in field_block(body, "draft_text")


def test_form_renders_the_csrf_token(app, login, clerk, monkeypatch, page_text):
    client = login(clerk)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    body = page_text(client.get("/decisions/new"))
    assert input_value(body, "csrf_token")
    response = client.post("/decisions/new", data=NEW)
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)


def test_create_success(db, login, clerk, page_text):
    client = login(clerk)
    response = client.post("/decisions/new", data=NEW)
    assert response.status_code == 302
    from app.models import AuditEvent, Decision

    db.session.rollback()  # end the test's read transaction: see what the request committed
    decision = db.session.query(Decision).one()
    assert response.headers["Location"].endswith(f"/decisions/{decision.id}")
    assert decision.ref_no == "BD-2025-001" and decision.amount_cny is None
    assert decision.drafts[0].text == NEW["draft_text"]
    assert db.session.query(AuditEvent).filter_by(action="decision.create").count() == 1
    body = page_text(client.get(response.headers["Location"]))
    assert "已创建决策事项 BD-2025-001" in body


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "", "department": "  ", "draft_text": ""}, "title", "为必填项"),
        ({"title": "", "department": "  ", "draft_text": ""}, "department", "为必填项"),
        ({"title": "", "department": "  ", "draft_text": ""}, "draft_text", "为必填项"),
        ({"amount_cny": "-5"}, "amount_cny", "不得为负数"),
        ({"amount_cny": "abc"}, "amount_cny", "须为以元为单位的金额"),
        ({"year": "1999"}, "year", "须为 2000 至 2100 之间的年份"),
        ({"year": "二〇二五"}, "year", "须为 2000 至 2100 之间的年份"),
        ({"category": "bribery"}, "category", "须为下列之一"),
        ({"title": "长" * 201}, "title", "超过 200 个字符"),
    ],
)
def test_create_refusals_name_the_field_and_write_nothing(login, clerk, page_text, changes, field, message):
    client = login(clerk)
    before = db_state()
    body = page_text(client.post("/decisions/new", data={**NEW, **changes}), 422)
    assert db_state() == before
    block = field_block(body, field)
    assert "is-invalid" in block and message in block
    summary = text_of(body[body.index("form-error-summary"):])
    assert "未保存任何内容" in summary and message in summary
    # What was typed is kept.
    assert input_value(body, "department") == {**NEW, **changes}["department"]


@pytest.mark.parametrize("who", ["legal", "auditor"])
def test_only_clerks_create(request, login, page_text, who):
    client = login(request.getfixturevalue(who))
    page_text(client.get("/decisions/new"), 403)
    before = db_state()
    page_text(client.post("/decisions/new", data=NEW), 403)
    assert db_state() == before
    assert 'href="/decisions/new"' not in page_text(client.get("/"))


def test_edit_prefills_and_saves_a_new_draft_version(db, login, clerk, make_decision, page_text):
    decision = make_decision()
    client = login(clerk)
    body = page_text(client.get(f"/decisions/{decision.id}/edit"))
    assert input_value(body, "title") == decision.title
    assert input_value(body, "version") == str(decision.version)
    assert "readonly" in field_block(body, "year")
    data = {
        "title": "白甸镇农桥建设工程（调整）", "category": "major_project", "department": "白甸镇建设局",
        "amount_cny": "1300000", "summary": "新建农桥三座", "draft_text": "调整后的草案", "version": decision.version,
    }
    response = client.post(f"/decisions/{decision.id}/edit", data=data)
    assert response.status_code == 302
    body = page_text(client.get(response.headers["Location"]))
    assert "已保存。草案现为第2稿" in body
    assert "白甸镇农桥建设工程（调整）" in body and "1,300,000.00" in body
    from app.models import Decision

    db.session.rollback()
    fresh = db.session.get(Decision, decision.id)
    assert [d.number for d in fresh.drafts] == [1, 2] and fresh.drafts[-1].text == "调整后的草案"


def test_edit_without_draft_change_keeps_the_version_number(login, clerk, make_decision, page_text):
    decision = make_decision()
    client = login(clerk)
    data = {"title": "新标题", "category": decision.category, "department": decision.department,
            "amount_cny": "", "summary": "", "draft_text": decision.drafts[0].text, "version": decision.version}
    response = client.post(f"/decisions/{decision.id}/edit", data=data)
    assert response.status_code == 302
    body = page_text(client.get(response.headers["Location"]))
    assert "已保存。" in body and "第2稿" not in body


def test_stale_version_is_refused_with_the_current_values(db, login, clerk, make_decision, page_text):
    from app.services.decisions import update_decision

    decision = make_decision()
    stale = decision.version
    update_decision(clerk, decision, {"version": decision.version, "title": "别人改过的标题"})
    db.session.commit()
    client = login(clerk)
    before = db_state(decision)
    data = {"title": "我的标题", "category": decision.category, "department": decision.department,
            "amount_cny": "", "summary": "我的摘要", "draft_text": "我的草案", "version": stale}
    body = page_text(client.post(f"/decisions/{decision.id}/edit", data=data), 409)
    assert db_state(decision) == before
    page = text_of(body)
    assert "已被他人修改" in page
    # The form shows what is stored now, with the new version; the user's entries are listed apart.
    assert input_value(body, "title") == "别人改过的标题"
    assert input_value(body, "version") == str(before["version"])
    unsaved = text_of(body[body.index('class="card border-warning mb-3 unsaved"'):])
    assert "未保存的修改" in unsaved and "我的标题" in unsaved and "我的草案" in unsaved


def test_edit_errors_write_nothing(login, clerk, make_decision, page_text):
    decision = make_decision()
    client = login(clerk)
    before = db_state(decision)
    data = {"title": "", "category": decision.category, "department": decision.department,
            "amount_cny": "-1", "summary": "", "draft_text": "新草案", "version": decision.version}
    body = page_text(client.post(f"/decisions/{decision.id}/edit", data=data), 422)
    assert db_state(decision) == before
    assert "为必填项" in field_block(body, "title") and "不得为负数" in field_block(body, "amount_cny")


def test_edit_is_refused_once_submitted_and_404_elsewhere(login, clerk, make_user, make_decision, walk, page_text):
    decision = walk(make_decision(), "submitted")
    client = login(clerk)
    page_text(client.get(f"/decisions/{decision.id}/edit"), 403)
    assert f'href="/decisions/{decision.id}/edit"' not in page_text(client.get(f"/decisions/{decision.id}"))
    other = make_user("clerk", "CD", username="clerk_cd")
    client.post("/logout")
    page_text(login(other).get(f"/decisions/{decision.id}/edit"), 404)


def test_long_chinese_draft_is_accepted(db, login, clerk, make_decision):
    """A draft far beyond Werkzeug's default form memory limit (500 kB URL-encoded) still saves."""
    decision = make_decision()
    text = "第一条 决策草案正文。\n" * 12_000  # 144,000 characters, about 1.3 MB URL-encoded
    data = {"title": decision.title, "category": decision.category, "department": decision.department,
            "amount_cny": "", "summary": "", "draft_text": text, "version": decision.version}
    response = login(clerk).post(f"/decisions/{decision.id}/edit", data=data)
    assert response.status_code == 302
    from app.models import DraftVersion

    db.session.rollback()
    assert db.session.query(DraftVersion).filter_by(decision_id=decision.id, number=2).one().text == text


def test_browser_line_breaks_do_not_make_a_new_draft_version(db, login, clerk, make_decision):
    """Browsers send a textarea's line breaks as CRLF: saving an unchanged draft keeps its version."""
    decision = make_decision(draft_text="第一条\n第二条\n")
    data = {"title": decision.title, "category": decision.category, "department": decision.department,
            "amount_cny": "", "summary": "新摘要", "draft_text": "第一条\r\n第二条\r\n", "version": decision.version}
    assert login(clerk).post(f"/decisions/{decision.id}/edit", data=data).status_code == 302
    from app.models import DraftVersion

    db.session.rollback()
    assert db.session.query(DraftVersion).filter_by(decision_id=decision.id).count() == 1


def test_form_pages_query_count_is_bounded(db, login, clerk, make_decision, walk, count_queries):
    from app.services.decisions import update_decision

    decision = walk(make_decision(), "signed")
    for n in range(3):
        update_decision(clerk, decision, {"version": decision.version, "draft_text": f"第{n}稿"})
        db.session.commit()
    decision_id = decision.id
    client = login(clerk)
    db.session.commit()
    for url in ("/decisions/new", f"/decisions/{decision_id}/edit"):
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        assert len(statements) <= 11, (url, statements)
        assert len([s for s in statements if "FROM draft_versions" in s]) <= 2


def test_a_refused_field_is_linked_to_its_message(login, clerk, page_text):
    """Assistive technology reads the message with the input: aria-invalid and aria-describedby."""
    body = page_text(login(clerk).post("/decisions/new", data={**NEW, "title": ""}), 422)
    box = field_block(body, "title")
    assert 'aria-invalid="true"' in box
    assert 'aria-describedby="title-error"' in box
    assert 'id="title-error"' in box
