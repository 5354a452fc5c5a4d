"""What axe cannot see (issue 10, part 6): refusals announced and linked, Chinese data marked in English pages.

The browser checks (axe-core, focus, phone widths, print) are in ``tests/e2e/test_accessibility.py``.
"""

from __future__ import annotations

import re

from .support import flatten


def _refused_step(client, decision):
    """A completed public participation without its dates: refused with the error summary."""
    from app.extensions import db
    from app.models import Step

    db.session.rollback()
    version = db.session.query(Step.version).filter_by(decision_id=decision.id, kind="public_participation").scalar()
    body = flatten({"status": "completed", "responsible": "张三", "method": "online_comment"})
    body["version"] = str(version)
    return client.post(f"/decisions/{decision.id}/steps/public_participation", data=body)


def test_a_refused_save_titles_the_page_error_and_links_each_message_to_its_field(login, clerk, make_decision,
                                                                                   page_text):
    body = page_text(_refused_step(login(clerk), make_decision()), 422)
    assert re.search(r"<title>错误：", body), body[:400]
    summary = body[body.index('id="form-errors"'):]
    summary = summary[:summary.index("</ul>")]
    assert 'role="alert"' in body[body.rindex("<div", 0, body.index('id="form-errors"')):body.index('id="form-errors"')]
    links = re.findall(r'<a class="alert-link[^"]*" href="#([\w-]+)">', summary)
    assert "comment_start" in links and "completed_on" in links
    for target in links:  # every link lands on an element of the page
        assert f'id="{target}"' in body, target
    assert "data-focus-on-load" in body[body.rindex("<div", 0, body.index('id="form-errors"')):]


def test_a_form_shown_first_has_no_error_title(login, clerk, make_decision, page_text):
    decision = make_decision()
    body = page_text(login(clerk).get(f"/decisions/{decision.id}/steps/public_participation"))
    assert "<title>错误" not in body and 'id="form-errors"' not in body


def test_a_wrong_password_is_an_alert_above_the_form(client, clerk, page_text):
    body = page_text(client.post("/login", data={"username": clerk.username, "password": "wrong-password"}))
    alert = body.index('id="login-error"')
    assert alert < body.index("<form method=\"post\"", body.index("<main"))
    assert 'role="alert"' in body[body.rindex("<div", 0, alert):alert]
    assert "用户名或密码错误" in body[alert:body.index("</div>", alert)]
    assert "is-invalid" not in body  # it does not say which of the two fields is wrong
    assert re.search(r"<title>错误：", body)


def test_chinese_data_is_marked_in_the_english_ui(english, login, clerk, make_decision, page_text):
    decision = make_decision()
    client = login(clerk)
    body = page_text(client.get(f"/decisions/{decision.id}"))
    assert '<html lang="en">' in body
    assert f'<h1 class="h3"><span lang="zh-CN">{decision.title}</span></h1>' in body
    assert f'<span class="user-org">· <span lang="zh-CN">{clerk.organization.name}</span></span>' in body
    assert f'<span class="fw-semibold">{clerk.display_name}</span>' in body  # Latin letters: not marked
    listing = page_text(client.get("/decisions"))
    assert f'<td class="title-cell"><span lang="zh-CN">{decision.title}</span></td>' in listing


def test_chinese_data_is_not_wrapped_in_the_chinese_ui(login, clerk, make_decision, page_text):
    decision = make_decision()
    body = page_text(login(clerk).get(f"/decisions/{decision.id}"))
    assert f'<h1 class="h3">{decision.title}</h1>' in body


def test_marks_and_rule_badges_say_in_text_what_the_colour_says(login, clerk, make_decision, page_text):
    decision = make_decision()
    body = page_text(login(clerk).get("/decisions"))
    assert '<span aria-hidden="true">✗</span><span class="visually-hidden">不完整</span>' in body
    assert "aria-label=\"不完整\"" not in body
    detail = page_text(login(clerk).get(f"/decisions/{decision.id}"))
    badge = re.search(r'<span class="badge rounded-pill [^"]*rule-id severity-(\w+)"[^>]*>(.*?)</span></span>', detail,
                      re.S)
    assert badge, "no rule badge on a new decision"
    severity, inner = badge.groups()
    shape = {"blocker": "■", "violation": "▲", "warning": "●"}[severity]
    assert f'<span class="severity-mark" aria-hidden="true">{shape}</span>' in inner
    assert re.search(r'<span class="visually-hidden"> \((阻断|违规|提示)\)', inner)
