"""axe-core on every page, in Chinese and in English: no WCAG 2.1 A/AA violation.

axe comes from npm (``package.json`` pins it; ``make test`` runs ``npm ci``)
and is injected into each page with ``add_script_tag``. Our
Content-Security-Policy allows scripts from this server only, so the inline
script tag is refused; the audit contexts (and only they) bypass the CSP.

To audit a new page, add an ``AuditedPage`` to ``PAGES``: who opens it, its
path (``{decision}``: a decision with every step recorded, submitted for
discussion; ``{revised}``: one with two drafts; ``{clerk_id}``: the clerk's user id),
and optionally what to do on the page before the audit (a refused save, …).

A 375 px screenshot and a printed page of the decision page go to
``docs/screenshots/`` (``UPDATE_SCREENSHOTS=1`` refreshes them).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import IN_CI, PASSWORD, ROOT, SCREENSHOTS, TIMEOUT_MS, VIEWPORT
from .test_journeys import (
    click_and_load,
    create_decision,
    record_expert_review,
    record_legality_submission,
    record_public_participation,
    record_risk_assessment,
    sign,
    submit_for_discussion,
)

pytestmark = pytest.mark.e2e

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LANGUAGES = ("zh_CN", "en")
ADMIN = "a11y_admin"
PHONE = {"width": 375, "height": 812}


@dataclass(frozen=True)
class AuditedPage:
    """One page to audit: opened by ``user`` (``None``: logged out) at ``path``, then ``prepare(page)``."""

    name: str
    user: str | None
    path: str
    prepare: Callable | None = None


def _refused_step_save(page) -> None:
    """A completed public participation without its dates: refused, with the error summary."""
    page.select_option("#status", "completed")
    page.fill("#comment_start", "")
    page.fill("#completed_on", "")
    click_and_load(page, "form.step-form button[name=save]")
    assert page.locator("#form-errors").count() == 1, page.content()[:2000]


def _refused_upload(page) -> None:
    """A program named .pdf chosen in the step form: the same page, the message next to the file box."""
    page.set_input_files("#file-public_participation", {"name": "公告.pdf", "mimeType": "application/pdf",
                                                        "buffer": b"MZ" + b"\0" * 64})
    click_and_load(page, "form.step-form button[name=save]")
    assert page.locator("#file-public_participation-error").count() == 1, page.content()[:2000]


def _refused_login(page) -> None:
    page.fill("input[name=username]", "clerk")
    page.fill("input[name=password]", "not-the-password")
    click_and_load(page, "form:has(input[name=password]) button[type=submit]")
    assert page.locator("#login-error").count() == 1, page.content()[:2000]


STEP_KINDS = ("public_participation", "expert_review", "risk_assessment", "legality_review",
              "collective_decision")

PAGES: list[AuditedPage] = [
    AuditedPage("login", None, "/login"),
    AuditedPage("login-refused", None, "/login", _refused_login),
    AuditedPage("list", "clerk", "/decisions"),
    AuditedPage("due", "clerk", "/"),
    AuditedPage("due-adviser", "legal", "/due"),
    AuditedPage("decision", "clerk", "/decisions/{decision}"),
    AuditedPage("decision-new", "clerk", "/decisions/new"),
    AuditedPage("decision-revised", "clerk", "/decisions/{revised}"),
    AuditedPage("decision-edit", "clerk", "/decisions/{revised}/edit"),
    AuditedPage("draft-diff", "clerk", "/decisions/{revised}/drafts/diff"),
    # The step forms open for editing: before submission, except the meeting's, which opens after it.
    *(AuditedPage(f"step-{kind}", "clerk", f"/decisions/{{revised}}/steps/{kind}") for kind in STEP_KINDS[:-1]),
    AuditedPage("step-collective_decision", "clerk", "/decisions/{decision}/steps/collective_decision"),
    AuditedPage("step-read-only", "clerk", "/decisions/{decision}/steps/expert_review"),
    AuditedPage("step-refused", "clerk", "/decisions/{revised}/steps/public_participation", _refused_step_save),
    AuditedPage("step-upload-refused", "clerk", "/decisions/{revised}/steps/public_participation", _refused_upload),
    AuditedPage("list-filtered", "auditor",
                "/decisions?year=2025&org=HA&rule=GEN-01&step=legality_review&step_status=missing"),
    AuditedPage("password", "clerk", "/password"),
    AuditedPage("review-queue", "legal", "/review"),
    AuditedPage("review", "legal", "/review/{decision}"),
    AuditedPage("dashboard", "auditor", "/reports/dashboard?year=2025&org=HA"),
    AuditedPage("audit-events", "auditor", "/audit/events"),
    AuditedPage("audit-verify", "auditor", "/audit/verify"),
    AuditedPage("audit-verified", "auditor", "/audit/verify",
                lambda page: click_and_load(page, "form.verify-form button[type=submit]")),
    AuditedPage("admin", ADMIN, "/admin/"),
    AuditedPage("admin-organizations", ADMIN, "/admin/organizations"),
    AuditedPage("admin-user-new", ADMIN, "/admin/users/new"),
    AuditedPage("admin-user-edit", ADMIN, "/admin/users/{clerk_id}"),
    AuditedPage("admin-user-deactivate", ADMIN, "/admin/users/{clerk_id}/deactivate"),
    AuditedPage("not-found", "clerk", "/decisions/999999"),
    AuditedPage("payments", "auditor", "/payments/?year=2025"),
    AuditedPage("payments-import", "auditor", "/payments/import"),
    AuditedPage("ledger-import", "clerk", "/imports/ledger"),
    AuditedPage("admin-thresholds", ADMIN, "/admin/thresholds"),
]


def axe_source() -> str:
    """axe's script; a missing install skips here and fails under CI (``make test`` installs it)."""
    if not AXE.exists():
        message = f"{AXE.relative_to(ROOT)} is missing: run `npm ci` (make test does) for the accessibility tests"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


class Sessions:
    """Logged-in browser contexts, one per (user, language), kept for the module (logins are slow)."""

    def __init__(self, browser, live_server) -> None:
        self.browser, self.live_server = browser, live_server
        self.contexts: dict[tuple, object] = {}
        self.ids: dict[str, int] = {}

    def page(self, user: str | None, language: str, *, viewport=VIEWPORT, bypass_csp: bool = True):
        key = (user, language, viewport["width"], bypass_csp)
        context = self.contexts.get(key)
        if context is None:
            context = self.browser.new_context(base_url=self.live_server.url, viewport=viewport,
                                               locale="zh-CN", bypass_csp=bypass_csp)
            context.set_default_timeout(TIMEOUT_MS)
            self.contexts[key] = context
            page = context.new_page()
            page.goto("/login")
            if language != "zh_CN":  # the menu's button (folded away on a phone: clicked by script)
                with page.expect_navigation():
                    page.locator(f"form[action='/language/{language}'] button").evaluate("button => button.click()")
            if user is not None:
                page.fill("input[name=username]", user)
                page.fill("input[name=password]", PASSWORD)
                click_and_load(page, "form:has(input[name=password]) button[type=submit]")
                assert "/login" not in page.url, f"login of {user} failed: {page.content()[:2000]}"
            return page
        return context.pages[0] if context.pages else context.new_page()

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()


@pytest.fixture(scope="module")
def sessions(browser, live_server):
    """The contexts; a decision with every step recorded, signed lawful and submitted (its meeting form open),
    and one with a revised draft (the pages' data)."""
    from app.extensions import db
    from app.models import User
    from app.services.users import create_user

    with live_server.app.app_context():
        if db.session.query(User).filter_by(username=ADMIN).one_or_none() is None:
            create_user(ADMIN, "admin", "HA", PASSWORD, display_name="系统管理员")
            db.session.commit()
        clerk_id = db.session.query(User.id).filter_by(username="clerk").scalar()
        db.session.remove()

    sessions = Sessions(browser, live_server)
    try:
        clerk = sessions.page("clerk", "zh_CN", bypass_csp=False)
        decision_id, ref_no = create_decision(clerk, "白甸镇农村公路提档升级工程相关事宜（无障碍检查）",
                                              "关于白甸镇农村公路提档升级工程的决定（草案）\n一、改造道路12公里。")
        record_public_participation(clerk, decision_id)
        record_expert_review(clerk, decision_id)
        record_risk_assessment(clerk, decision_id)
        record_legality_submission(clerk, decision_id)
        sign(sessions.page("legal", "zh_CN", bypass_csp=False), decision_id, "lawful", "经审查，草案合法",
             from_queue=ref_no)
        submit_for_discussion(clerk, decision_id)  # the collective decision's form (the meeting) is open
        assert clerk.locator("#refusal").count() == 0, clerk.content()[:2000]
        # A second decision with a revised draft: the history, the draft versions and their comparison.
        revised_id, _ = create_decision(clerk, "白甸镇中心小学操场改造事宜（无障碍检查）",
                                        "关于白甸镇中心小学操场改造的决定（草案）\n一、改造操场一处。")
        clerk.goto(f"/decisions/{revised_id}/edit")
        clerk.fill("#draft_text", "关于白甸镇中心小学操场改造的决定（草案修改稿）\n一、改造操场一处，增设看台。")
        click_and_load(clerk, "form.decision-form button[type=submit]")
        sessions.ids = {"decision": decision_id, "revised": revised_id, "clerk_id": clerk_id}
        yield sessions
    finally:
        sessions.close()


def run_axe(page) -> list[dict]:
    """axe's WCAG 2.1 A/AA violations on the page as it is now."""
    page.add_script_tag(content=axe_source())
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return result["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {violation['helpUrl']}")
        for node in violation["nodes"][:8]:
            summary = node["failureSummary"].splitlines()[-1].strip()
            lines.append(f"    {json.dumps(node['target'], ensure_ascii=False)}: {summary}")
    return "\n".join(lines)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("audited", PAGES, ids=[page.name for page in PAGES])
def test_no_wcag_violations(sessions, audited: AuditedPage, language: str):
    page = sessions.page(audited.user, language)
    response = page.goto(audited.path.format(**sessions.ids))
    assert response is not None
    assert page.locator("html").get_attribute("lang") == ("zh-CN" if language == "zh_CN" else "en")
    if audited.prepare is not None:
        audited.prepare(page)
    violations = run_axe(page)
    assert not violations, f"{audited.name} ({language}, {page.url}):\n{describe(violations)}"


def test_the_csp_refuses_the_inline_axe_script(sessions):
    """Why the audit contexts bypass the CSP: under our policy the injected script does not run."""
    page = sessions.page("clerk", "zh_CN", bypass_csp=False)
    page.goto("/")
    from playwright.sync_api import Error as PlaywrightError

    source = axe_source()
    with contextlib.suppress(PlaywrightError):  # Playwright may report the refused script; what counts is below
        page.add_script_tag(content=source)
    assert page.evaluate("typeof window.axe") == "undefined"


#: Pages read on a phone: (user, path); none may scroll sideways or squeeze a table cell to one character a line.
PHONE_PAGES: list[tuple[str, str]] = [
    ("clerk", "/decisions/{decision}"),
    ("clerk", "/decisions/{revised}"),
    ("clerk", "/decisions"),
    ("clerk", "/"),
    ("legal", "/review"),
    ("clerk", "/decisions/{revised}/steps/expert_review"),
    ("clerk", "/decisions/{decision}/steps/collective_decision"),
    ("auditor", "/reports/dashboard?year=2025&org=HA"),
    ("auditor", "/audit/events"),
]

#: Visible table cells whose text wraps after fewer than two characters a line (counted from the text's line
#: boxes): the "one character a line" of a squeezed column.
NARROW_CELLS = """() => [...document.querySelectorAll('main td, main th')].filter(cell => {
    const box = cell.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) { return false; }  // not shown (a visually hidden heading)
    let chars = 0; const rects = [];
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent.replace(/\\s+/g, '');
        if (!text || node.parentElement.closest('.visually-hidden')) { continue; }
        chars += text.length;
        const range = document.createRange(); range.selectNodeContents(node);
        for (const rect of range.getClientRects()) { if (rect.width > 0) { rects.push(rect); } }
    }
    rects.sort((a, b) => a.top - b.top);
    let lines = 0, bottom = -Infinity;  // rects that overlap vertically are on one line
    for (const rect of rects) {
        if (rect.top >= bottom - 1) { lines += 1; bottom = rect.bottom; }
        else { bottom = Math.max(bottom, rect.bottom); }
    }
    return lines > 1 && chars / lines < 2;
}).map(cell => cell.innerText.trim().slice(0, 20))"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_read_on_a_phone(sessions, language):
    """At 375 px nothing scrolls sideways and no table cell wraps one character a line."""
    problems = []
    for user, path in PHONE_PAGES:
        phone = sessions.page(user, language, viewport=PHONE)
        phone.goto(path.format(**sessions.ids))
        overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        wide = phone.evaluate("""() => [...document.querySelectorAll('main *')]
            .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                    && !el.closest('.table-responsive, .diff-wrap'))
            .slice(0, 5).map(el => el.outerHTML.slice(0, 100))""")
        inner = phone.evaluate("""() => [...document.querySelectorAll('main .table-responsive')]
            .filter(box => box.scrollWidth > box.clientWidth + 1).map(box => box.innerHTML.slice(0, 100))""")
        narrow = phone.evaluate(NARROW_CELLS)
        if overflow > 0 or wide or inner or narrow:
            problems.append(f"{path}: page overflow {overflow}px, wide {wide}, scrolling tables {inner}, "
                            f"narrow cells {narrow}")
        if path == "/decisions/{decision}" and language == "zh_CN" and _should_write("decision-375.png"):
            phone.screenshot(path=str(SCREENSHOTS / "decision-375.png"), full_page=True)
    assert not problems, "\n".join(problems)


def test_decision_page_on_paper(sessions):
    """Printed: no buttons, menus, breadcrumb or upload toggles; badges without background; cards whole."""
    decision_path = f"/decisions/{sessions.ids['decision']}"
    printed = sessions.page("clerk", "zh_CN")
    printed.goto(decision_path)
    printed.emulate_media(media="print")
    shown = printed.evaluate("""() => [...document.querySelectorAll(
            'main button, main .btn, .breadcrumb, details.upload-details, nav, footer')]
        .filter(el => el.getClientRects().length > 0).map(el => el.outerHTML.slice(0, 120))""")
    assert not shown, f"shown on paper: {shown}"
    avoid = printed.evaluate("""() => [...document.querySelectorAll('main .card')]
        .map(card => getComputedStyle(card).breakInside)""")
    assert avoid and set(avoid) == {"avoid"}, avoid
    badge = printed.evaluate("""() => { const b = document.querySelector('main .badge');
        const s = getComputedStyle(b); return [s.color, s.borderTopStyle]; }""")
    assert badge[0] in ("rgb(0, 0, 0)", "rgb(33, 37, 41)") and badge[1] != "none", badge
    try:
        if _should_write("decision-print.png"):
            _print_first_page(printed, SCREENSHOTS / "decision-print.png")  # page.pdf() under the print media
    finally:
        printed.emulate_media(media="null")  # the context is shared with the other tests


def _should_write(name: str) -> bool:
    import os

    return not (SCREENSHOTS / name).exists() or os.environ.get("UPDATE_SCREENSHOTS") == "1"


def _print_first_page(page, target: Path) -> None:
    """page.pdf() (Chromium prints with the print CSS), then pdftoppm's PNG of the first page."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        message = "pdftoppm (poppler-utils) is not installed: the printed page is not rendered"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    pdf = target.with_suffix(".pdf")
    page.pdf(path=str(pdf), format="A4", print_background=False,
             margin={"top": "15mm", "bottom": "15mm", "left": "15mm", "right": "15mm"})
    try:
        command = [pdftoppm, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                   str(target.with_suffix(""))]
        subprocess.run(command, check=True)  # noqa: S603 - our own arguments
    finally:
        pdf.unlink(missing_ok=True)


def test_a_refused_save_moves_the_focus_to_the_summary_whose_links_reach_the_fields(sessions):
    """Keyboard and screen reader: the summary has the focus after the refusal; a link puts it in the field."""
    page = sessions.page("clerk", "zh_CN", bypass_csp=False)  # our own script runs under our CSP
    page.goto(f"/decisions/{sessions.ids['revised']}/steps/public_participation")
    _refused_step_save(page)
    assert page.title().startswith("错误：")
    assert page.evaluate("document.activeElement.id") == "form-errors"
    link = page.locator("#form-errors a[href='#completed_on']")
    link.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "completed_on"


def test_a_wrong_password_takes_the_focus(sessions):
    page = sessions.page(None, "en", bypass_csp=False)
    page.goto("/login")
    _refused_login(page)
    assert page.title().startswith("Error: ")
    assert page.evaluate("document.activeElement.id") == "login-error"


def test_the_navbar_focus_is_visible(sessions):
    """Tab onto a menu link: a solid outline (Bootstrap's pale shadow is invisible on the blue bar)."""
    page = sessions.page("clerk", "zh_CN", bypass_csp=False)
    page.goto("/")
    page.locator(".app-navbar .nav-link").first.focus()
    outline = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }""")
    assert outline == ["solid", "3px", "rgb(255, 255, 255)"], outline
    page.emulate_media(forced_colors="active")
    forced = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    page.emulate_media(forced_colors="none")
    assert forced == "solid"
