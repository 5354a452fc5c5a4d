"""Bad input gets a clear JSON 4xx in the contract's shape, never a 500; the HTML pages keep theirs."""

from __future__ import annotations

import pytest
from sqlalchemy.orm.exc import StaleDataError

from tests.conftest import DECISION_DATA


def assert_error_shape(answer, status: int, code: str | None = None) -> None:
    assert answer.status == status, answer.json
    assert answer.headers["Content-Type"] == "application/json"
    assert set(answer.error) >= {"code", "message", "findings"}
    assert isinstance(answer.error["findings"], list) and answer.error["message"]
    if code:
        assert answer.error["code"] == code


@pytest.mark.parametrize(
    ("data", "content_type", "code"),
    [
        ("{not json", "application/json", "bad_json"),
        ('{"title": "x",}', "application/json", "bad_json"),
        (b"\xff\xfe\xfa", "application/json", "bad_json"),
        ("[1, 2]", "application/json", "bad_json"),
        ('"a string"', "application/json", "bad_json"),
        ("null", "application/json", "bad_json"),
        ("[" * 100_000 + "]" * 100_000, "application/json", "bad_json"),
        ('{"year": ' + "9" * 5000 + "}", "application/json", "bad_json"),
        ("title=x", "application/x-www-form-urlencoded", "bad_content_type"),
        ('{"title": "x"}', "text/plain", "bad_content_type"),
    ],
)
def test_malformed_bodies_are_400(api, clerk, data, content_type, code):
    answer = api.post("/decisions", as_=clerk, data=data, content_type=content_type)
    assert_error_shape(answer, 400, code)


def test_json_with_a_charset_and_vendor_type_is_accepted(api, clerk):
    import json

    body = json.dumps(DECISION_DATA)
    assert api.post("/decisions", as_=clerk, data=body, content_type="application/json; charset=utf-8").status == 201
    assert api.post("/decisions", as_=clerk, data=body, content_type="application/vnd.api+json").status == 201


def test_empty_body_is_no_body(api, clerk, make_decision, walk):
    decision = walk(make_decision(), "signed")
    assert api.post(f"/decisions/{decision.id}/submit", as_=clerk, data=b"").status == 200
    assert_error_shape(api.post("/decisions", as_=clerk, data=b""), 422, "validation_failed")


@pytest.mark.parametrize(
    "path",
    ["/decisions/abc", "/decisions/1.5", "/decisions/-1", "/decisions/0", "/decisions/99999999999999999999999",
     "/decisions/2147483648", "/decisions/%E5%86%B3%E7%AD%96", "/decisions/1/nothing", "/nothing",
     "/decisions/1/steps/unknown"],
)
def test_unknown_paths_are_json_404(api, clerk, path):
    assert_error_shape(api.get(path, as_=clerk), 404, "not_found")


def test_missing_decision_is_404(api, clerk):
    assert_error_shape(api.get("/decisions/2147483647", as_=clerk), 404, "not_found")
    assert_error_shape(api.get("/decisions/5/history", as_=clerk), 404, "not_found")


def test_wrong_method_is_json_405(api, clerk, make_decision):
    decision = make_decision()
    answer = api.call("DELETE", f"/decisions/{decision.id}", clerk)
    assert_error_shape(answer, 405, "method_not_allowed")
    assert "PATCH" in answer.headers["Allow"]
    assert_error_shape(api.call("PUT", "/tokens", None), 405, "method_not_allowed")


def test_html_pages_keep_html_errors(client, clerk):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404 and response.mimetype == "application/json"


def test_wrong_json_types_are_field_errors(api, clerk, make_decision):
    decision = make_decision()
    url = f"/decisions/{decision.id}/steps/collective_decision"
    answer = api.put(url, as_=clerk, json={"status": 3, "members_total": "seven", "opinions": {"a": 1},
                                           "meeting_date": 20250101, "outcome": ["approved"]})
    assert_error_shape(answer, 422, "validation_failed")
    assert set(answer.error["fields"]) == {"status", "members_total", "opinions", "meeting_date", "outcome"}
    floats = api.put(url, as_=clerk, json={"status": "in_progress", "members_total": 7.5})
    assert set(floats.error["fields"]) == {"members_total"}
    import json

    body = json.dumps({**DECISION_DATA, "amount_cny": float("nan")})
    nan = api.post("/decisions", as_=clerk, data=body, content_type="application/json")
    # NaN is not JSON (RFC 8259): the body is refused before any field is read.
    assert_error_shape(nan, 400, "bad_json")
    huge = api.put(url, as_=clerk, json={"status": "in_progress", "members_total": 10**18})
    assert_error_shape(huge, 422)


def test_unicode_everywhere_is_fine(api, clerk, make_decision):
    text = "决策🙂\u200b\U0010fffd" + "ℌ" * 10
    answer = api.post("/decisions", as_=clerk, json={**DECISION_DATA, "title": text, "summary": text * 3})
    assert answer.status == 201 and answer.json["title"] == text
    answer = api.get("/decisions?category=🙂", as_=clerk)
    assert_error_shape(answer, 422)


def test_stale_data_at_flush_is_409(api, clerk, make_decision, monkeypatch):
    from app.api import decisions as views

    decision = make_decision()

    def stale(*_args, **_kwargs):
        raise StaleDataError("UPDATE statement on table 'decisions' expected to update 1 row(s); 0 were matched.")

    monkeypatch.setattr(views, "update_decision", stale)
    answer = api.patch(f"/decisions/{decision.id}", as_=clerk, json={"version": 1, "title": "x"})
    assert_error_shape(answer, 409, "conflict")


def test_unexpected_error_is_json_500_and_rolls_back(api, clerk, make_decision, monkeypatch, db):
    from app.api import decisions as views
    from app.models import Decision

    decision = make_decision()

    def broken(user, decision, data):
        decision.title = "half-written"
        db.session.flush()
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "update_decision", broken)
    answer = api.patch(f"/decisions/{decision.id}", as_=clerk, json={"version": 1, "title": "x"})
    assert_error_shape(answer, 500, "internal_error")
    assert "boom" not in answer.error["message"]
    assert db.session.get(Decision, decision.id).title == DECISION_DATA["title"]


def test_a_refused_write_leaves_nothing_behind(api, clerk, make_decision, walk, db):
    from sqlalchemy import func, select

    from app.models import AuditEvent

    decision = walk(make_decision(), "preparatory")
    api.token(clerk)  # issuing a token is a write of its own
    events = db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    refused = api.post(f"/decisions/{decision.id}/submit", as_=clerk)
    assert refused.status == 422
    assert db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one() == events


def test_dates_before_2000_are_refused(api, clerk, make_decision, walk):
    # A year-1 date would make the working-day rules count two thousand years on every read.
    decision = walk(make_decision(), "preparatory")
    answer = api.put(f"/decisions/{decision.id}/steps/legality_review", as_=clerk,
                     json={"status": "in_progress", "submitted_on": "0001-01-01"})
    assert_error_shape(answer, 422, "validation_failed")
    assert set(answer.error["fields"]) == {"submitted_on"}
    far_end = api.put(f"/decisions/{decision.id}/steps/public_participation", as_=clerk,
                      json={"status": "in_progress", "comment_start": "2025-03-01", "comment_end": "9999-12-31"})
    assert far_end.status == 200
