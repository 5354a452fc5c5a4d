"""Friendly, translated error pages."""

from __future__ import annotations

import pytest


def test_unknown_page_is_a_friendly_404(login, clerk, page_text):
    body = page_text(login(clerk).get("/no-such-page"), 404)
    assert "未找到" in body
    assert "返回决策事项列表" in body
    assert "clerk_bd" in body  # the usual layout, with the user


def test_404_for_anonymous_offers_the_login(client, orgs, page_text):
    body = page_text(client.get("/no-such-page"), 404)
    assert "前往登录页" in body


def test_404_in_english(client, orgs, english, page_text):
    body = page_text(client.get("/no-such-page"), 404)
    assert "Not found" in body


def test_wrong_method_is_405(login, clerk, page_text):
    body = page_text(login(clerk).get("/logout"), 405)
    assert "不支持的请求方式" in body


def test_missing_csrf_token_is_400_with_a_hint(app, client, orgs, monkeypatch, page_text):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    body = page_text(client.post("/language/en", data={"next": "/"}), 400)
    assert "请求有误" in body
    assert "表单已过期" in body


def test_too_large_request_is_413(app, client, orgs, monkeypatch, page_text):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 100)
    body = page_text(client.post("/login", data={"username": "x" * 500, "password": "y"}), 413)
    assert "文件过大" in body


@pytest.mark.parametrize(
    ("status", "title"),
    [(400, "请求有误"), (403, "无权操作"), (404, "未找到"), (405, "不支持的请求方式"), (409, "已被他人修改"),
     (413, "文件过大"), (422, "当前无法办理"), (500, "系统出错")],
)
def test_every_status_has_its_message(app, ctx, status, title):
    from app.web.errors import render_error

    with app.test_request_context("/"):
        body, code = render_error(status)
    assert code == status
    assert title in body
    assert f"<p class=\"display-6 text-body-secondary mb-1\">{status}</p>" in body


def test_domain_errors_become_their_status(app, ctx):
    from app.services.errors import Conflict, NotFound, PermissionDenied

    with app.test_request_context("/"):
        for error, status in ((NotFound("x"), 404), (PermissionDenied("不行"), 403), (Conflict("冲突了"), 409)):
            handler = app._find_error_handler(error, [])
            _body, code = handler(error)
            assert code == status


def test_unexpected_exception_gets_the_friendly_500_page():
    """Outside TESTING, an unhandled error shows the translated 500 page, not a traceback."""
    from flask import Blueprint

    from app import create_app
    from config import TestConfig

    class Config(TestConfig):
        TESTING = False
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    boom = Blueprint("boom", __name__)

    @boom.route("/boom")
    def explode():
        raise RuntimeError("kaput")

    app = create_app(Config)
    app.register_blueprint(boom)
    response = app.test_client().get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "系统出错" in body and "所有内容均未保存" in body
    assert "kaput" not in body
