"""Draft versions compared: the comparison itself (Chinese marked character by character) and its page."""

from __future__ import annotations

import pytest

from app.web.diffs import compare

from .support import text_of


def _marked(side) -> list[str]:
    return [segment.text for segment in side.segments if segment.changed]


def test_a_changed_character_is_marked_exactly():
    diff = compare("第二条 资金一百万元。", "第二条 资金一百二十万元。")
    assert [row.kind for row in diff.rows] == ["change"]
    row = diff.rows[0]
    assert _marked(row.left) == [] and _marked(row.right) == ["二十"]
    assert "".join(s.text for s in row.right.segments) == "第二条 资金一百二十万元。"
    assert (diff.changed, diff.added, diff.removed) == (1, 0, 0)


def test_removed_and_added_lines_and_a_rewritten_one():
    old = "第一条 总则。\n第二条 由财政所负责。\n第三条 施行。"
    new = "第一条 总则。\n新增一条完全不同的规定。\n第三条 施行。\n第四条 附则。"
    diff = compare(old, new)
    kinds = [row.kind for row in diff.rows]
    assert kinds == ["equal", "delete", "insert", "equal", "insert"]
    assert diff.added == 2 and diff.removed == 1
    assert diff.rows[1].left.number == 2 and diff.rows[2].right.number == 2 and diff.rows[4].right.number == 4


def test_long_unchanged_runs_are_folded():
    lines = [f"第{i}条 内容。" for i in range(1, 41)]
    changed = [*lines]
    changed[20] = "第21条 修改后的内容。"
    diff = compare("\n".join(lines), "\n".join(changed))
    skips = [row.skipped for row in diff.rows if row.kind == "skip"]
    assert skips == [17, 16]
    assert len([row for row in diff.rows if row.kind == "equal"]) == 6


def test_identical_texts():
    assert compare("同一文本\n", "同一文本\n").identical
    assert compare("甲", "乙").rows  # different


def test_crlf_and_lf_compare_equal():
    assert compare("甲\r\n乙", "甲\n乙").identical


@pytest.fixture
def revised(db, clerk, make_decision):
    from app.services.decisions import update_decision

    first = "第一条 为加强管理，制定本办法。\n第二条 资金一百万元。\n第三条 自公布之日起施行。"
    decision = make_decision(draft_text=first)
    update_decision(clerk, decision, {"version": decision.version, "draft_text": first.replace("一百万", "一百二十万")})
    db.session.commit()
    update_decision(clerk, decision, {"version": decision.version, "draft_text": "全文重写。"})
    db.session.commit()
    return decision


def test_diff_page_marks_the_change(login, clerk, revised, page_text):
    body = page_text(login(clerk).get(f"/decisions/{revised.id}/drafts/diff?a=1&b=2"))
    assert "草案第1稿 → 第2稿" in body
    assert '<mark class="diff-mark">二十</mark>' in body
    assert "修改 1 行，新增 0 行，删除 0 行" in text_of(body)
    assert "第一条 为加强管理，制定本办法。" in body


def test_diff_page_defaults_to_the_latest_two_versions(login, clerk, revised, page_text):
    body = page_text(login(clerk).get(f"/decisions/{revised.id}/drafts/diff"))
    assert "草案第2稿 → 第3稿" in body and "全文重写。" in body


def test_diff_of_any_two_versions(login, clerk, revised, page_text):
    body = page_text(login(clerk).get(f"/decisions/{revised.id}/drafts/diff?a=3&b=1"))
    assert "草案第3稿 → 第1稿" in body


@pytest.mark.parametrize("query", ["a=9&b=1", "a=x", "b=0", "a=1&b=99999999999999999999"])
def test_unknown_versions_are_404(login, clerk, revised, page_text, query):
    page_text(login(clerk).get(f"/decisions/{revised.id}/drafts/diff?{query}"), 404)


def test_a_single_version(login, clerk, make_decision, page_text):
    decision = make_decision()
    body = page_text(login(clerk).get(f"/decisions/{decision.id}/drafts/diff"))
    assert "只有一个草案版本" in body and "两个版本的文本相同" in body


def test_decision_page_links_the_comparisons(login, clerk, revised, page_text):
    body = page_text(login(clerk).get(f"/decisions/{revised.id}"))
    drafts = body[body.index('id="drafts"'):]
    assert f"/decisions/{revised.id}/drafts/diff?a=2&amp;b=3" in drafts
    assert f"/decisions/{revised.id}/drafts/diff?a=1&amp;b=2" in drafts
    assert 'class="row g-2 align-items-end mb-3 compare-form"' in drafts  # three versions: any two


def test_diff_page_is_404_for_another_organisation(login, make_user, revised, page_text):
    page_text(login(make_user("clerk", "CD", username="clerk_cd")).get(f"/decisions/{revised.id}/drafts/diff"), 404)


def test_diff_page_query_count(app, db, login, clerk, revised, count_queries):
    decision_id = revised.id
    client = login(clerk)
    db.session.remove()
    with count_queries() as statements:
        assert client.get(f"/decisions/{decision_id}/drafts/diff?a=1&b=3").status_code == 200
    assert len(statements) <= 6, statements
