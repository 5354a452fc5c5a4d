"""The page cache of the decision page and the list: never stale after a write, never another user's HTML.

Every test reads the pages first (so that their fragments are cached), writes
through the services or the web as users would, then reads again: as the
writer and as another user who had the old page cached too.
"""

from __future__ import annotations

import io

import pytest

from tests.conftest import COMPLETE_STEPS, MEETING

from .support import pdf_bytes


def _client(app, db, user):
    """A browser of its own, logged in as ``user`` (each request in its own app context: the ``client`` fixture)."""
    username = user.username  # read before the commit: no read snapshot may outlive the login's write (SQLite)
    db.session.commit()
    browser = app.test_client()
    response = browser.post("/login", data={"username": username, "password": "password123"})
    assert response.status_code == 302
    return browser


def _read(browser, url: str) -> str:
    response = browser.get(url)
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body[:2000]
    return body


@pytest.fixture
def two(app, db, client, clerk, make_user):
    """The clerk and a second clerk of the same town, each in a browser of their own."""
    other = make_user("clerk", "BD", username="clerk_two")
    return _client(app, db, clerk), _client(app, db, other)


def _main(body: str) -> str:
    """The page without its menu (which names its own user)."""
    return body[body.index("<main"):]


def test_the_decision_page_is_served_from_the_cache(app, db, two, make_decision, count_queries):
    decision = make_decision()
    writer, _other = two
    url = f"/decisions/{decision.id}"
    first = _read(writer, url)
    db.session.remove()
    with count_queries() as statements:
        again = _read(writer, url)
    # One statement: the session's row with the page's stamp (app.web.prefetch), outside a transaction on both
    # databases (no BEGIN). Nothing of the decision is loaded or judged.
    assert len(statements) == 1 and statements[0].lstrip().upper().startswith("SELECT"), statements
    assert "companion" in statements[0]
    assert again == first


def test_a_clerks_list_is_one_statement_from_the_cache(app, db, two, make_decision, count_queries):
    """The own organisation's chain tip (the list's stamp for a clerk) is read with the session's row."""
    make_decision()
    writer, _other = two
    first = _read(writer, "/decisions")
    db.session.remove()
    with count_queries() as statements:
        again = _read(writer, "/decisions")
    assert len(statements) == 1 and "companion" in statements[0], statements
    assert again == first


def test_a_missing_decision_read_with_the_session_is_a_404(app, db, two):
    writer, _other = two
    assert writer.get("/decisions/999999").status_code == 404


def _walk_to(walk, decision, stage):
    return walk(decision, stage) if stage else decision


def _edit(db, users, decision):
    from app.services.decisions import update_decision

    update_decision(users["clerk"], decision, {"version": decision.version, "title": "改过的农桥标题"})
    return "改过的农桥标题", None


def _step(db, users, decision):
    from app.services.steps import record_step

    data = {**COMPLETE_STEPS["public_participation"], "feedback_summary": "采纳意见七条并公开反馈"}
    record_step(users["clerk"], decision, "public_participation", data)
    return "采纳意见七条并公开反馈", None


def _evidence(db, users, decision):
    from app.services.evidence import store_attachment

    store_attachment(users["clerk"], decision, "expert_review", "专家论证意见书.pdf", pdf_bytes("专家"))
    return "专家论证意见书.pdf", None


def _signature(db, users, decision):
    from app.services.steps import sign_legality_review

    sign_legality_review(users["legal"], decision, {"opinion": "lawful", "opinion_text": "经审查草案合法无误",
                                                    "reviewed_on": "2025-04-25"})
    return "经审查草案合法无误", None


def _submit(db, users, decision):
    from app.services.decisions import submit_decision

    submit_decision(users["clerk"], decision)
    return 'class="badge text-bg-warning">', 'class="submit-form"'


def _meeting(db, users, decision):
    from app.services.steps import record_step

    record_step(users["clerk"], decision, "collective_decision", {**MEETING, "minutes_ref": "白政纪〔2025〕77号"})
    return "白政纪〔2025〕77号", None


def _publish(db, users, decision):
    from app.services.decisions import publish_decision

    publish_decision(users["clerk"], decision, "2025-05-10")
    return "2025-05-10", 'class="publish-form'


def _archive(db, users, decision):
    from app.services.decisions import archive_decision, publish_decision

    publish_decision(users["clerk"], decision, "2025-05-10")
    db.session.commit()
    archive_decision(users["clerk"], decision)
    return 'class="badge text-bg-dark">', "upload-form"  # a closed file takes no more evidence


def _rename(db, users, decision):
    from app.services.admin import update_user

    clerk = users["clerk"]
    update_user(users["admin"], clerk, {"display_name": "新名字的办事员", "role": clerk.role,
                                        "organization": "BD", "email": clerk.email or ""})
    return "新名字的办事员", None


def _rename_the_signer(db, users, decision):
    """Named on the page only as the actor of the signature's event (the history)."""
    from app.services.admin import update_user

    legal = users["legal"]
    update_user(users["admin"], legal, {"display_name": "改名的法律顾问", "role": legal.role,
                                        "organization": "BD", "email": legal.email or ""})
    return "改名的法律顾问", None


WRITES = {
    "edit": (_edit, None),
    "step": (_step, None),
    "evidence": (_evidence, None),
    "signature": (_signature, "submitted_for_review"),
    "submit": (_submit, "signed"),
    "meeting": (_meeting, "submitted"),
    "publish": (_publish, "decided"),
    "archive": (_archive, "decided"),
    "rename": (_rename, None),
    "rename the signer": (_rename_the_signer, "signed"),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_a_write_shows_on_the_next_read_for_the_writer_and_another_user(app, db, two, clerk, legal, make_user,
                                                                        make_decision, walk, name):
    write, stage = WRITES[name]
    decision = _walk_to(walk, make_decision(), stage)
    users = {"clerk": clerk, "legal": legal, "admin": make_user("admin", "HA")}
    url = f"/decisions/{decision.id}"
    before = [_read(browser, url) for browser in two]
    assert _main(before[0]) == _main(before[1])  # the second clerk's body came from the cache
    present, absent = write(db, users, decision)
    db.session.commit()
    for browser in two:
        body = _read(browser, url)
        assert present in body, name
        if absent:
            assert absent in before[0] and absent not in body, name


def test_an_edit_shows_on_the_list_for_everyone(app, db, two, clerk, auditor, make_decision):
    from app.services.decisions import update_decision

    decision = make_decision()
    readers = [*two, _client(app, db, auditor)]
    for browser in readers:
        assert "白甸镇农桥建设工程相关事宜" in _read(browser, "/decisions")
    update_decision(clerk, decision, {"version": decision.version, "title": "改过的农桥标题"})
    db.session.commit()
    for browser in readers:
        body = _read(browser, "/decisions")
        assert "改过的农桥标题" in body and "白甸镇农桥建设工程相关事宜" not in body


def test_a_catalogue_publication_changes_the_findings_of_both_pages(app, db, two, clerk, make_decision,
                                                                    monkeypatch):
    """Publishing the catalogue re-judges its decisions without writing them: CAT-01 must go from both pages."""
    from app.services import catalogues

    monkeypatch.setitem(app.config, "RULEBOOK_PROFILE", "jiangsu")
    decision = make_decision()
    catalogue = catalogues.create_catalogue(clerk, {"year": 2025})
    item = catalogues.add_item(clerk, catalogue, {"title": "农桥建设", "category": "major_project",
                                                  "sponsor_unit": "建设局", "planned_completion": "2025-12-31"})
    catalogues.link_decision(clerk, catalogue, item, decision.id)
    catalogues.approve_catalogue(clerk, catalogue, {"approved_on": "2025-01-02", "approval_ref": "白委〔2025〕1号"})
    db.session.commit()
    urls = (f"/decisions/{decision.id}", "/decisions")
    for browser in two:
        for url in urls:
            assert ">CAT-01<" in _read(browser, url), url
    catalogues.publish_catalogue(clerk, catalogue, {"published_on": "2025-01-03"})
    db.session.commit()
    for browser in two:
        for url in urls:
            assert ">CAT-01<" not in _read(browser, url), url


def test_an_upload_through_the_page_shows_at_once(app, db, two, make_decision):
    decision = make_decision()
    writer, _other = two
    url = f"/decisions/{decision.id}"
    for browser in two:
        assert "会议纪要扫描件.pdf" not in _read(browser, url)
    data = {"step": "public_participation", "origin": "detail", "file": (io.BytesIO(pdf_bytes()), "会议纪要扫描件.pdf")}
    assert writer.post(f"{url}/attachments", data=data, content_type="multipart/form-data").status_code == 302
    for browser in two:
        assert "会议纪要扫描件.pdf" in _read(browser, url)


def _buttons(body: str) -> dict[str, bool]:
    return {
        "edit": "/edit\"" in body,
        "submit": 'class="submit-form"' in body,
        "sign": "Review and sign" in body or "审查并签署" in body or "/review/" in body,
        "upload": "upload-form" in body,
    }


@pytest.mark.parametrize("first", ["legal", "clerk"])
def test_a_clerk_never_sees_the_legal_advisers_page_or_the_reverse(app, db, client, clerk, legal, make_decision,
                                                                   walk, first):
    decision = walk(make_decision(), "submitted_for_review")
    url = f"/decisions/{decision.id}"
    browsers = {"clerk": _client(app, db, clerk), "legal": _client(app, db, legal)}
    order = [first, "clerk" if first == "legal" else "legal"]
    pages = {who: _read(browsers[who], url) for who in order}
    # Read again: now both come from the cache, each their own.
    pages_again = {who: _read(browsers[who], url) for who in order}
    assert pages_again == pages
    clerk_buttons, legal_buttons = _buttons(pages["clerk"]), _buttons(pages["legal"])
    assert clerk_buttons["edit"] and not legal_buttons["edit"]
    assert legal_buttons["sign"] and f'href="/review/{decision.id}"' in pages["legal"]
    assert f'href="/review/{decision.id}"' not in pages["clerk"]
    assert pages["clerk"] != pages["legal"]
    # Each page names its own user in the menu.
    menus = {who: body.split("</nav>")[0] for who, body in pages.items()}
    assert "clerk_bd" in menus["clerk"] and "legal_adviser_bd" not in menus["clerk"]
    assert "legal_adviser_bd" in menus["legal"]


def test_an_auditor_sees_no_clerk_buttons_after_a_clerk(app, db, client, clerk, auditor, make_decision):
    decision = make_decision()
    url = f"/decisions/{decision.id}"
    clerk_page = _read(_client(app, db, clerk), url)
    auditor_page = _read(_client(app, db, auditor), url)
    assert 'class="submit-form"' in clerk_page or "/edit\"" in clerk_page
    assert "/edit\"" not in auditor_page and "upload-form" not in auditor_page


def test_the_locale_is_part_of_the_key(app, db, client, login, clerk, make_decision):
    decision = make_decision()
    browser = login(clerk)
    urls = (f"/decisions/{decision.id}", "/decisions")
    chinese = [_read(browser, url) for url in urls]
    assert all('lang="zh-CN"' in body for body in chinese)
    assert browser.post("/language/en", data={"next": "/"}).status_code == 302
    english = [_read(browser, url) for url in urls]
    for body in english:
        assert '<html lang="en">' in body and "Decisions" in body
    assert "Statutory procedures" in english[0] and "Reference number" in english[1]
    assert browser.post("/language/zh_CN", data={"next": "/"}).status_code == 302
    assert [_read(browser, url) for url in urls] == chinese


def test_history_pages_are_cached_apart(app, db, login, clerk, make_decision):
    from app.decisions.queries import HISTORY_PER_PAGE
    from app.services.decisions import update_decision

    decision = make_decision()
    for n in range(HISTORY_PER_PAGE):
        update_decision(clerk, decision, {"version": decision.version, "summary": f"第{n}次"})
    db.session.commit()
    browser = login(clerk)
    newest = _read(browser, f"/decisions/{decision.id}")
    oldest = _read(browser, f"/decisions/{decision.id}?history=2")
    assert newest.count('class="history-event"') == HISTORY_PER_PAGE
    assert oldest.count('class="history-event"') == 1
    assert 'data-action="decision.create"' in oldest and 'data-action="decision.create"' not in newest


def test_csrf_tokens_are_each_users_own(app, db, client, clerk, make_user, make_decision, monkeypatch):
    """The cached body holds a slot, filled with the reader's own token: never the first reader's."""
    import re

    from app.web.page_cache import CSRF_SLOT, NEXT_SLOT

    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    decision = make_decision()
    other = make_user("clerk", "BD", username="clerk_two")
    tokens = []
    for user in (clerk, other):
        username = user.username
        db.session.commit()
        browser = app.test_client()
        page = browser.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        assert browser.post("/login", data={"username": username, "password": "password123",
                                            "csrf_token": token}).status_code == 302
        for url in (f"/decisions/{decision.id}", "/decisions"):
            body = _read(browser, url)
            assert CSRF_SLOT not in body and NEXT_SLOT not in body
            found = set(re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', body))
            assert len(found) == 1, found
            tokens.append(found.pop())
        # The token works: the page's own form is accepted (the submission is refused by the rules, not CSRF).
        response = browser.post(f"/decisions/{decision.id}/submit", data={"csrf_token": tokens[-1],
                                                                          "version": decision.version})
        assert response.status_code != 400, response.get_data(as_text=True)[:500]
    from itsdangerous import URLSafeTimedSerializer

    raw = [URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").loads(token) for token in tokens]
    assert raw[0] == raw[1] and raw[2] == raw[3] and raw[0] != raw[2]  # each session's own


def test_the_cache_is_a_real_one(app):
    from app.extensions import cache

    with app.app_context():
        cache.set("probe", "value")
        assert cache.get("probe") == "value"
