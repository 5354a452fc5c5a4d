"""A live server on a file SQLite database, Debian's Chromium, and logged-in browser pages.

The server is the real app (CSRF on, the shipped migrations) served by
werkzeug in a background thread; each test opens one browser context per user
and logs in through the login form, as a person would.

Without ``/usr/bin/chromium`` the tests are skipped, except under ``CI=true``
where they fail: CI must run them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "password123"
VIEWPORT = {"width": 1366, "height": 900}
TIMEOUT_MS = 15_000
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"

USERS = {
    # username: (role, organisation, display name)
    "clerk": ("clerk", "BD", "陈静"),
    "legal": ("legal_adviser", "BD", "周明（法律顾问）"),
    "auditor": ("auditor", "HA", "刘审计"),
}


def _compile_catalogs() -> None:
    """Compile each stale ``messages.po`` (as ``make translations`` does): the pages are in Chinese."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=True)


class LiveServer:
    def __init__(self, app, server) -> None:
        self.app = app
        self.server = server
        self.url = f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The app on a fresh SQLite file, migrated, with 海安市 (HA) > 白甸镇 (BD) and a clerk, adviser and auditor."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from app import create_app
    from app.database import engines_of
    from app.extensions import db
    from app.services.users import create_user, ensure_organization
    from config import TestConfig

    _compile_catalogs()
    tmp = tmp_path_factory.mktemp("e2e")

    class E2EConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp / 'e2e.sqlite'}"
        WTF_CSRF_ENABLED = True
        UPLOAD_FOLDER = str(tmp / "uploads")

    app = create_app(E2EConfig)
    with app.app_context():
        upgrade()
        ha = ensure_organization("HA", "海安市")
        ensure_organization("BD", "白甸镇", ha)
        for username, (role, org, display_name) in USERS.items():
            create_user(username, role, org, PASSWORD, display_name=display_name)
        db.session.commit()
        db.session.remove()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            for engine in engines_of(db.engine):
                engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless; skipped (failed under CI=true) when it is not installed."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed (apt-get install chromium): the browser tests cannot run"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def login(browser, live_server) -> Iterator[Callable]:
    """``login("clerk")`` → a page of a new browser context (its own cookies), logged in through the form."""
    contexts = []

    def open_as(username: str):
        context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="zh-CN",
                                      accept_downloads=True)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("form:has(input[name=password]) button[type=submit]")
        assert "/login" not in page.url, f"login of {username} failed: {page.content()[:2000]}"
        return page

    yield open_as
    for context in contexts:
        context.close()


def save_screenshot(page, name: str) -> Path | None:
    """A full-page PNG for the README, only with ``UPDATE_SCREENSHOTS=1`` or when it does not exist yet."""
    target = SCREENSHOTS / name
    if target.exists() and os.environ.get("UPDATE_SCREENSHOTS") != "1":
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=True)
    return target
