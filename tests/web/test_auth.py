"""Logging in and out, safe redirects, sessions that end, the language switch."""

from __future__ import annotations

import pytest


def test_login_page_is_chinese_by_default(client, page_text):
    body = page_text(client.get("/login"))
    assert "重大决策程序合规台账" in body
    assert "登录" in body
    assert 'lang="zh-CN"' in body


def test_anonymous_is_sent_to_login(client, orgs):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_anonymous_decision_page_keeps_next(client, make_decision):
    decision = make_decision()
    response = client.get(f"/decisions/{decision.id}")
    assert response.status_code == 302
    assert "/login?next=%2Fdecisions%2F" in response.headers["Location"]


def test_login_success_shows_user_org_and_role(client, clerk, page_text):
    response = client.post("/login", data={"username": "clerk_bd", "password": "password123"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    body = page_text(client.get("/"))
    assert "clerk_bd" in body
    assert "白甸镇" in body
    assert "经办人" in body
    assert "退出登录" in body


def test_wrong_password_is_refused_with_a_message(client, clerk, page_text):
    body = page_text(client.post("/login", data={"username": "clerk_bd", "password": "nope-nope"}))
    assert "用户名或密码错误" in body
    assert client.get("/").status_code == 302


def test_unknown_user_gets_the_same_message(client, orgs, page_text):
    body = page_text(client.post("/login", data={"username": "ghost", "password": "password123"}))
    assert "用户名或密码错误" in body


def test_empty_form_shows_field_errors(client, orgs, page_text):
    body = page_text(client.post("/login", data={"username": "", "password": ""}))
    assert "请输入用户名" in body
    assert "请输入密码" in body


def test_inactive_user_cannot_log_in(client, db, clerk, page_text):
    clerk.is_active = False
    db.session.commit()
    body = page_text(client.post("/login", data={"username": "clerk_bd", "password": "password123"}))
    assert "用户名或密码错误" in body
    assert client.get("/").status_code == 302


def test_next_redirect_goes_to_a_local_page(client, clerk, make_decision):
    decision = make_decision()
    target = f"/decisions/{decision.id}"
    response = client.post(f"/login?next={target}", data={"username": "clerk_bd", "password": "password123"})
    assert response.headers["Location"] == target


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "//evil.com/decisions",
        "https://evil.com/",
        "/\\evil.com",
        "/\t/evil.com",
        " //evil.com",
        "javascript:alert(1)",
        "evil.com",
    ],
)
def test_next_redirect_never_leaves_the_site(client, clerk, target):
    from urllib.parse import quote

    response = client.post(
        f"/login?next={quote(target, safe='')}", data={"username": "clerk_bd", "password": "password123"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_logged_in_user_visiting_login_goes_home(login, clerk):
    client = login(clerk)
    response = client.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_logout_is_a_post_and_ends_the_session(login, clerk, page_text):
    client = login(clerk)
    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert "您已退出登录" in page_text(client.get("/login"))
    assert client.get("/").status_code == 302


def test_deactivated_user_session_ends(login, db, clerk):
    client = login(clerk)
    assert client.get("/").status_code == 200
    clerk.is_active = False
    db.session.commit()
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_new_session_epoch_logs_old_sessions_out(login, db, clerk):
    client = login(clerk)
    clerk.session_epoch += 1
    db.session.commit()
    assert client.get("/").status_code == 302


def test_language_switch_english_then_chinese(login, clerk, page_text):
    client = login(clerk)
    response = client.post("/language/en", data={"next": "/?year=2025"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/?year=2025"
    body = page_text(client.get("/"))
    assert "Major Decision Procedure Compliance Ledger" in body
    assert "Log out" in body
    assert "Clerk" in body
    assert 'lang="en"' in body
    client.post("/language/zh_CN", data={"next": "/"})
    body = page_text(client.get("/"))
    assert "重大决策程序合规台账" in body
    assert "Log out" not in body


def test_language_switch_ignores_unknown_codes_and_unsafe_next(client, orgs, page_text):
    response = client.post("/language/fr", data={"next": "//evil.com"})
    assert response.headers["Location"] == "/"
    assert "登录" in page_text(client.get("/login"))


def test_language_is_kept_across_logout_and_login(login, clerk, english, page_text):
    client = login(clerk)
    client.post("/logout")
    assert "Log in" in page_text(client.get("/login"))
    client.post("/login", data={"username": "clerk_bd", "password": "password123"})
    assert "Log out" in page_text(client.get("/"))


def test_login_required_message_is_translated(client, orgs, page_text):
    response = client.get("/", follow_redirects=True)
    assert "请先登录" in page_text(response)


def test_forms_carry_a_csrf_token_and_a_post_without_it_is_refused(app, login, clerk, monkeypatch, page_text):
    client = login(clerk)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    body = page_text(client.get("/"))
    assert 'name="csrf_token" value="' in body
    response = client.post("/logout")
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    # Still logged in: the refused logout did nothing.
    assert client.get("/").status_code == 200
