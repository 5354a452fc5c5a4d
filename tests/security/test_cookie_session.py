"""The session cookie verified once per process: never a forged, altered, expired or foreign cookie accepted."""

from __future__ import annotations

import pytest
from flask import Flask, flash, get_flashed_messages, session

from app.web import cookie_session
from app.web.cookie_session import RememberingSessionInterface


@pytest.fixture
def site(monkeypatch):
    """A bare app with the interface, counting the cookies it really verified."""
    app = Flask(__name__)
    app.secret_key = "a-secret-of-this-test-a-secret-of-this-test"
    app.session_interface = RememberingSessionInterface()
    verified = []
    original = app.session_interface.get_signing_serializer

    def counting(flask_app):
        serializer = original(flask_app)
        loads = serializer.loads

        def counted(value, **kwargs):
            verified.append(value)
            return loads(value, **kwargs)

        serializer.loads = counted
        return serializer

    monkeypatch.setattr(app.session_interface, "get_signing_serializer", counting)

    @app.get("/set/<value>")
    def set_value(value):
        session["value"] = value
        return "set"

    @app.get("/read")
    def read():
        return str(session.get("value"))

    @app.get("/flash")
    def add_flash():
        flash("once")
        return "flashed"

    @app.get("/flashes")
    def flashes():
        return ",".join(get_flashed_messages())

    app.verified = verified
    return app


def _cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_cookie_is_verified_once_and_then_recognised(site):
    browser = site.test_client()
    browser.get("/set/甲")
    site.verified.clear()
    assert [browser.get("/read").get_data(as_text=True) for _ in range(3)] == ["甲"] * 3
    assert len(site.verified) == 1


def test_an_altered_cookie_is_refused_and_not_remembered(site):
    browser = site.test_client()
    browser.get("/set/甲")
    good = _cookie(browser)
    payload, _, signature = good.rpartition(".")
    forged = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    other = site.test_client()
    other.set_cookie("session", forged)
    assert other.get("/read").get_data(as_text=True) == "None"
    assert other.get("/read").get_data(as_text=True) == "None"
    assert site.verified.count(forged) == 2  # tried each time, never kept


def test_a_cookie_of_another_secret_is_refused_though_this_process_knows_its_text(site):
    browser = site.test_client()
    browser.get("/set/甲")
    cookie = _cookie(browser)
    assert browser.get("/read").get_data(as_text=True) == "甲"
    site.secret_key = "another-secret-another-secret-another-secret"
    stranger = site.test_client()
    stranger.set_cookie("session", cookie)
    assert stranger.get("/read").get_data(as_text=True) == "None"


def test_a_remembered_cookie_still_expires(site, monkeypatch):
    browser = site.test_client()
    browser.get("/set/甲")
    assert browser.get("/read").get_data(as_text=True) == "甲"
    lifetime = site.permanent_session_lifetime.total_seconds()
    now = cookie_session.time.time()
    monkeypatch.setattr(cookie_session.time, "time", lambda: now + lifetime + 2)
    assert browser.get("/read").get_data(as_text=True) == "None"


def test_what_one_request_changes_in_place_stays_its_own(site):
    """Flashing appends to the session's list of messages in place: the next request with the same cookie still
    has only the messages that cookie holds."""
    browser = site.test_client()
    browser.get("/flash")
    cookie = _cookie(browser)  # holds one message
    first = site.test_client()
    first.set_cookie("session", cookie)
    first.get("/flash")  # a second one, appended to this request's copy
    second = site.test_client()
    second.set_cookie("session", cookie)
    assert second.get("/flashes").get_data(as_text=True) == "once"
    assert len(site.verified) == 1
