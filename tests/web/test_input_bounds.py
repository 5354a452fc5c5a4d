"""Inputs that once reached the error page: non-finite amounts and ids beyond the databases' integers."""

from __future__ import annotations

import pytest

from .support import db_state, field_block
from .test_forms_decision import NEW

HUGE = "99999999999999999999"  # beyond 64 bits: SQLite's driver cannot even bind it
BEYOND_32_BITS = "2147483648"  # PostgreSQL's INTEGER refuses it

#: Every web URL with an id, the id replaced by ``{id}`` (the decision's kind by a real one).
ID_URLS = [
    ("GET", "/decisions/{id}"),
    ("GET", "/decisions/{id}/edit"),
    ("POST", "/decisions/{id}/edit"),
    ("GET", "/decisions/{id}/drafts/diff"),
    ("GET", "/decisions/{id}/dossier"),
    ("GET", "/decisions/{id}/steps/public_participation"),
    ("POST", "/decisions/{id}/steps/public_participation"),
    ("GET", "/decisions/{id}/attachments"),
    ("POST", "/decisions/{id}/attachments"),
    ("POST", "/decisions/{id}/submit"),
    ("POST", "/decisions/{id}/publish"),
    ("GET", "/decisions/{id}/archive"),
    ("POST", "/decisions/{id}/archive"),
    ("GET", "/attachments/{id}"),
    ("GET", "/review/{id}"),
    ("POST", "/review/{id}"),
    ("POST", "/review/{id}/attachments"),
    ("GET", "/admin/users/{id}"),
    ("POST", "/admin/users/{id}"),
    ("POST", "/admin/users/{id}/password"),
    ("GET", "/admin/users/{id}/deactivate"),
    ("POST", "/admin/users/{id}/deactivate"),
    ("POST", "/admin/users/{id}/reactivate"),
]


def test_every_web_route_with_an_id_uses_the_bounded_converter(app):
    from app.web.converters import IdConverter

    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            continue
        for name, converter in rule._converters.items():
            if name.endswith("_id"):
                assert isinstance(converter, IdConverter), f"{rule.rule}: use <id:{name}>"


def test_the_list_covers_every_route_with_an_id(app):
    routes = {(method, rule.rule.replace("<kind>", "public_participation"))
              for rule in app.url_map.iter_rules() if not rule.rule.startswith("/api/") and rule.arguments & {
                  "decision_id", "attachment_id", "user_id"}
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    listed = {(method, url.replace("{id}", "<" + _arg(url) + ">")) for method, url in ID_URLS}
    assert {(m, r.replace("<id:", "<")) for m, r in routes} == listed


def _arg(url: str) -> str:
    if url.startswith("/attachments"):
        return "attachment_id"
    if url.startswith("/admin"):
        return "user_id"
    return "decision_id"


@pytest.mark.parametrize(("method", "url"), ID_URLS, ids=[f"{m} {u}" for m, u in ID_URLS])
def test_ids_out_of_range_are_404(make_user, login, page_text, method, url):
    """Whoever asks (an admin reaches the admin routes, a clerk the others): never the 500 page."""
    user = make_user("admin", "HA") if url.startswith("/admin") else make_user("clerk")
    client = login(user)
    for value in (HUGE, BEYOND_32_BITS, "0", "007", "-1", "１２", "1٢"):
        response = client.open(url.replace("{id}", value), method=method, data={})
        assert "未找到" in page_text(response, 404), value


@pytest.mark.parametrize("amount", ["NaN", "nan", "-NaN", "sNaN", "Infinity", "-Infinity", "inf", "1e999999999",
                                    "99999999999999.995", "1" * 41])
def test_non_finite_amounts_are_a_field_error(login, clerk, page_text, amount):
    client = login(clerk)
    before = db_state()
    body = page_text(client.post("/decisions/new", data={**NEW, "amount_cny": amount}), 422)
    assert db_state() == before
    block = field_block(body, "amount_cny")
    assert "is-invalid" in block
    # 99999999999999.995 has three decimals: refused as such (issue 9), not rounded up past the limit.
    assert "须为以元为单位的金额" in block or "数值过大" in block or "两位小数" in block


def test_non_finite_amount_on_edit_is_a_field_error(login, clerk, make_decision, page_text):
    decision = make_decision()
    client = login(clerk)
    data = {"title": decision.title, "category": decision.category, "department": decision.department,
            "amount_cny": "NaN", "summary": "", "draft_text": decision.drafts[0].text, "version": decision.version}
    body = page_text(client.post(f"/decisions/{decision.id}/edit", data=data), 422)
    assert "须为以元为单位的金额" in field_block(body, "amount_cny")


@pytest.mark.parametrize("amount", ["-0", "-0.00"])
def test_negative_zero_is_stored_as_zero(db, login, clerk, amount):
    from app.models import Decision

    response = login(clerk).post("/decisions/new", data={**NEW, "amount_cny": amount})
    assert response.status_code == 302
    db.session.rollback()  # end the test's own snapshot: the request committed after it began
    stored = db.session.query(Decision).one().amount_cny
    assert str(stored) == "0.00"


@pytest.mark.parametrize("amount", ["-0.004", "12.345", "１２"])
def test_more_than_two_decimals_or_other_digits_are_field_errors(db, login, clerk, page_text, amount):
    """An amount is refused rather than rounded (GEN-03 reads it; a fen is the smallest unit)."""
    from app.models import Decision

    body = page_text(login(clerk).post("/decisions/new", data={**NEW, "amount_cny": amount}), 422)
    assert "amount_cny" in body and ("两位小数" in field_block(body, "amount_cny")
                                     or "须为以元为单位的金额" in field_block(body, "amount_cny"))
    db.session.rollback()
    assert db.session.query(Decision).count() == 0
