"""Security headers on every answer: CSP without inline script, no framing, nosniff, no-store, HSTS in production."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _directives(policy: str) -> dict[str, str]:
    return {part.split()[0]: part for part in (p.strip() for p in policy.split(";")) if part}


def test_login_page_carries_the_headers(client):
    response = client.get("/login")
    headers = response.headers
    csp = _directives(headers["Content-Security-Policy"])
    assert csp["default-src"] == "default-src 'self'"
    assert csp["script-src"] == "script-src 'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["frame-ancestors"] == "frame-ancestors 'none'" and csp["object-src"] == "object-src 'none'"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in headers  # tests run as development: plain HTTP


def test_logged_in_pages_and_the_token_answer_are_not_stored(login, clerk, client):
    assert login(clerk).get("/").headers["Cache-Control"] == "no-store"
    token = client.post("/api/v1/tokens", json={"username": clerk.username, "password": "password123"})
    assert token.status_code == 201 and token.headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached_but_are_nosniff(client, orgs):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_swagger_ui_has_its_own_policy(client, orgs):
    response = client.get("/api/v1/docs")
    csp = _directives(response.headers["Content-Security-Policy"])
    assert csp["script-src"] == "script-src 'self'" and "connect-src" in csp
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"


def test_hsts_in_production(app, ctx, monkeypatch):
    from app.web.headers import add_security_headers

    monkeypatch.setitem(app.config, "HSTS_SECONDS", 31_536_000)
    with app.test_request_context("/login"):
        response = add_security_headers(app.make_response("x"))
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_templates_have_no_inline_script_or_event_handlers():
    inline_script = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if inline_script.search(text) or handler.search(text) or "javascript:" in text:
            found.append(str(path.relative_to(TEMPLATES)))
    assert found == []
