"""The pages' words (issue 10, part 5): names not usernames, labels not keys, drafts by number, confirmations."""

from __future__ import annotations

import html
import re

import pytest

from .support import input_value, pdf_bytes, text_of


@pytest.fixture
def admin(make_user):
    return make_user("admin", "HA")


def _rename(db, user, name: str):
    user.display_name = name
    db.session.commit()
    return user


def _history(body: str) -> str:
    return body[body.index('id="history"'):]


def _history_rows(body: str) -> list[str]:
    return re.findall(r'<tr class="history-event".*?</tr>', _history(body), re.S)


# -- the history ------------------------------------------------------------------------------------------


def test_history_names_people_by_display_name(db, login, clerk, legal, make_decision, walk, page_text):
    _rename(db, clerk, "陈静")
    _rename(db, legal, "周明")
    decision = walk(make_decision(), "signed")
    body = page_text(login(clerk).get(f"/decisions/{decision.id}"))
    by = [text_of(cell).strip() for cell in re.findall(r'<td class="text-nowrap" title="[^"]*">(.*?)</td>',
                                                       _history(body))]
    assert by and set(by) == {"陈静", "周明"}
    assert "clerk_bd" not in text_of(_history(body))


def test_history_labels_every_field_in_the_pages_language(db, login, clerk, make_decision, walk, page_text):
    import io

    decision = walk(make_decision(), "decided")
    client = login(clerk)
    client.post(f"/decisions/{decision.id}/attachments", content_type="multipart/form-data",
                data={"step": "public_participation", "file": (io.BytesIO(pdf_bytes()), "公告.pdf")})
    body = html.unescape(page_text(client.get(f"/decisions/{decision.id}")))
    labels = re.findall(r'<span class="fw-semibold">([^<]*)</span>', _history(body))
    assert "浏览器声明的文件类型" in labels and "文件名" in labels
    assert not [label for label in labels if re.fullmatch(r"[a-z_]+", label)], labels


def test_history_lists_fields_in_the_forms_order(db, login, clerk, make_decision, walk, page_text):
    decision = walk(make_decision(), "preparatory")
    body = page_text(login(clerk).get(f"/decisions/{decision.id}"))
    row = next(r for r in _history_rows(body) if 'data-action="step.public_participation.record"' in r)
    labels = re.findall(r'<span class="fw-semibold">([^<]*)</span>', row)
    form_order = ["状态", "完成日期", "方式", "征求意见开始日期", "征求意见截止日期", "收到意见数", "采纳意见数",
                  "意见采纳情况反馈", "反馈公布日期"]
    assert [label for label in labels if label in form_order] == form_order


def test_history_is_paged(db, login, clerk, make_decision, page_text):
    from app.decisions.queries import HISTORY_PER_PAGE
    from app.services.decisions import update_decision

    decision = make_decision()
    for n in range(HISTORY_PER_PAGE + 4):
        update_decision(clerk, decision, {"version": decision.version, "summary": f"第{n}次修改摘要"})
    db.session.commit()
    client = login(clerk)
    first = page_text(client.get(f"/decisions/{decision.id}"))
    assert len(_history_rows(first)) == HISTORY_PER_PAGE
    assert "创建决策事项" not in text_of(_history(first))
    assert f"第{HISTORY_PER_PAGE + 3}次修改摘要" in first  # the newest
    older = html.unescape(re.search(r'rel="next" href="([^"]+)"', first).group(1))
    assert older == f"/decisions/{decision.id}?history=2#history"
    second = page_text(client.get(older))
    rows = _history_rows(second)
    assert len(rows) == 5 and "创建决策事项" in text_of(rows[-1])
    assert f'rel="prev" href="/decisions/{decision.id}#history"' in second
    assert 'class="page-item disabled">\n            <a class="page-link" rel="next"' in second


def test_draft_numbers_not_lock_versions(db, login, clerk, make_decision, page_text):
    from app.services.decisions import update_decision

    decision = make_decision()
    stale = decision.version
    for n in range(2):
        update_decision(clerk, decision, {"version": decision.version, "draft_text": f"修改后的草案{n}"})
    update_decision(clerk, decision, {"version": decision.version, "title": "别人改过的标题"})
    db.session.commit()
    client = login(clerk)
    data = {"title": "我的标题", "category": decision.category, "department": decision.department,
            "amount_cny": "", "summary": "", "draft_text": "我的草案", "version": stale}
    page = text_of(page_text(client.post(f"/decisions/{decision.id}/edit", data=data), 409))
    assert "草案现为第3稿" in page
    assert not re.search(r"版本 ?\d+", page)
    body = page_text(client.get(f"/decisions/{decision.id}"))
    assert "第3稿" in body and "第1稿" in body and ">v3<" not in body
    assert "草稿：第1稿 → 第2稿" in text_of(_history(body)).replace(" ： ", "：")


def test_step_conflict_message_has_no_counter(db, login, clerk, make_decision, page_text):
    from app.services.steps import record_step

    decision = make_decision()
    stale = decision.step("public_participation").version
    record_step(clerk, decision, "public_participation", {"status": "in_progress"})
    db.session.commit()
    body = page_text(login(clerk).post(f"/decisions/{decision.id}/steps/public_participation",
                                       data={"status": "in_progress", "version": str(stale), "save": "1"}), 409)
    assert "您打开后该程序已被他人修改" in text_of(body)
    assert not re.search(r"版本 ?\d", text_of(body))


# -- citations and rule badges ---------------------------------------------------------------------------


def test_english_pages_cite_in_english(login, clerk, make_decision, english, page_text):
    decision = make_decision()
    body = html.unescape(page_text(login(clerk).get(f"/decisions/{decision.id}")))
    citations = re.findall(r'<div class="small text-body-secondary citation">(.*?)</div>', body, re.S)
    assert citations
    for citation in citations:
        assert not re.search(r"[\u3000-\u9fff]", citation), citation
    assert "Interim Regulation on Major Administrative Decision-making Procedures art. 14" in body


def test_chinese_pages_cite_the_sources_words(login, clerk, make_decision, page_text):
    decision = make_decision()
    body = html.unescape(page_text(login(clerk).get(f"/decisions/{decision.id}")))
    assert "《重大行政决策程序暂行条例》第十四条" in body


def test_rule_badges_say_what_the_rule_is(login, clerk, make_decision, english, page_text):
    from app.rulebook import RULES

    make_decision()
    body = html.unescape(page_text(login(clerk).get("/decisions")))
    badges = re.findall(r'<span class="badge[^"]*rule-id[^"]*"\s+title="([^"]*)">(?:<span class="severity-mark"[^>]*>'
                        r'[^<]*</span>)?([A-Z]+-\d+)<span class="visually-hidden"> \([^<]*\)</span>'
                        r'<span class="visually-hidden rule-title"> ([^<]*)</span></span>', body)
    assert badges
    for title, rule, hidden in badges:
        assert hidden == RULES[rule].title_en and title.startswith(f"{rule} {RULES[rule].title_en} · ")


# -- administration ---------------------------------------------------------------------------------------


def test_new_user_form_preselects_nothing_and_requires_a_display_name(login, admin, page_text):
    client = login(admin)
    body = page_text(client.get("/admin/users/new"))
    for name in ("role", "organization"):
        select = body[body.index(f'name="{name}"'):body.index("</select>", body.index(f'name="{name}"'))]
        assert "selected" not in select, name
        assert re.search(r'<option value="">— 请选择 —</option>', select), name
    assert re.search(r'<input[^>]*id="display_name"[^>]*required', body)
    response = client.post("/admin/users/new", data={"username": "new_clerk", "display_name": "",
                                                     "role": "", "organization": "", "password": "password123"})
    page = text_of(page_text(response, 422))
    assert page.count("此项为必填项") >= 3


def test_duplicate_username_and_code_name_the_value_taken(login, admin, clerk, page_text):
    client = login(admin)
    response = client.post("/admin/users/new", data={"username": "Clerk_BD", "display_name": "又一个",
                                                     "role": "clerk", "organization": "BD",
                                                     "password": "password123"})
    assert "“Clerk_BD”已被占用" in text_of(page_text(response, 422))
    response = client.post("/admin/organizations", data={"code": "bd", "name": "重名镇", "parent": "HA"})
    assert "“BD”已被占用" in text_of(page_text(response, 422))


def test_deactivation_asks_on_a_page_of_its_own(db, login, admin, clerk, page_text):
    _rename(db, clerk, "陈静")
    client = login(admin)
    edit = page_text(client.get(f"/admin/users/{clerk.id}"))
    assert f'href="/admin/users/{clerk.id}/deactivate"' in edit
    assert f'action="/admin/users/{clerk.id}/deactivate"' not in edit
    body = page_text(client.get(f"/admin/users/{clerk.id}/deactivate"))
    assert "停用 陈静？" in text_of(body) and "clerk_bd" in body
    assert f'<form method="post" action="/admin/users/{clerk.id}/deactivate"' in body
    assert f'href="/admin/users/{clerk.id}"' in body  # cancel
    db.session.rollback()
    assert clerk.is_active  # asking changed nothing
    assert client.post(f"/admin/users/{clerk.id}/deactivate").status_code == 302
    db.session.rollback()
    assert not clerk.is_active


def test_archiving_asks_on_a_page_of_its_own(db, login, clerk, make_decision, walk, page_text):
    from app.models import Decision
    from app.services.decisions import publish_decision

    decision = walk(make_decision(), "decided")
    publish_decision(clerk, decision, "2025-05-20")
    db.session.commit()
    client = login(clerk)
    detail = page_text(client.get(f"/decisions/{decision.id}"))
    assert f'href="/decisions/{decision.id}/archive"' in detail
    assert f'action="/decisions/{decision.id}/archive"' not in detail
    body = page_text(client.get(f"/decisions/{decision.id}/archive"))
    assert f"归档 {decision.ref_no}？" in text_of(body) and "不能撤销" in text_of(body)
    assert input_value(body, "version") == str(decision.version)
    db.session.rollback()
    assert db.session.get(Decision, decision.id).status == "published"
    response = client.post(f"/decisions/{decision.id}/archive", data={"version": input_value(body, "version")})
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(Decision, decision.id).status == "archived"
