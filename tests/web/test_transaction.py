"""One request, one transaction: what a service flushed is gone when the request fails after it."""

from __future__ import annotations

import pytest

from app.services import decisions as decision_service
from app.services.errors import InvalidState

from .support import db_state
from .test_forms_decision import NEW


@pytest.fixture
def flush_then_fail(monkeypatch):
    """Make ``create_decision`` write everything (flushed, audit event included), then raise ``error``."""

    def install(view_module, error: Exception) -> None:
        real = decision_service.create_decision

        def create_then_fail(user, data):
            real(user, data)
            from app.extensions import db

            db.session.flush()
            raise error

        monkeypatch.setattr(view_module, "create_decision", create_then_fail)

    return install


FAILURES = pytest.mark.parametrize(
    ("error", "status"), [(RuntimeError("disk full"), 500), (InvalidState("not now"), 422)], ids=["crash", "refusal"]
)


@FAILURES
def test_web_form_writes_nothing_when_the_request_fails_after_a_flush(app, login, clerk, flush_then_fail, error, status,
                                                                     monkeypatch):
    from app.decisions import views

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # the 500 page, as in production
    client = login(clerk)
    before = db_state()
    flush_then_fail(views, error)
    response = client.post("/decisions/new", data=NEW)
    assert response.status_code == status
    assert db_state() == before


@FAILURES
def test_api_call_writes_nothing_when_the_request_fails_after_a_flush(client, clerk, flush_then_fail, error, status):
    from app.api import decisions as endpoints

    from ..api.conftest import Caller

    api = Caller(client)
    api.token(clerk)
    before = db_state()
    flush_then_fail(endpoints, error)
    answer = api.call("POST", "/decisions", as_=clerk, json={
        "title": NEW["title"], "category": NEW["category"], "department": NEW["department"], "year": 2025,
        "summary": NEW["summary"], "draft_text": NEW["draft_text"],
    })
    assert answer.status == status
    assert answer.error["code"] == {500: "internal_error", 422: "invalid_state"}[status]
    assert db_state() == before


def test_a_successful_form_commits_once(login, clerk):
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    client = login(clerk)
    before = db_state()
    commits: list[object] = []

    def committed(session) -> None:
        commits.append(session)

    event.listen(Session, "after_commit", committed)
    try:
        response = client.post("/decisions/new", data=NEW)
    finally:
        event.remove(Session, "after_commit", committed)
    assert response.status_code == 302
    assert db_state()["decisions"] == before["decisions"] + 1
    assert len(commits) == 1


def test_a_failed_commit_takes_back_the_success_message(app, login, clerk, monkeypatch):
    """A flashed "saved" must not survive a commit that did not happen."""
    from sqlalchemy.orm.exc import StaleDataError

    from app.extensions import db

    client = login(clerk)
    before = db_state()

    def failing_commit():
        raise StaleDataError("lost to a concurrent writer")

    monkeypatch.setattr(db.session, "commit", failing_commit)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.post("/decisions/new", data=NEW)
    monkeypatch.undo()
    assert response.status_code == 409
    assert db_state() == before
    with client.session_transaction() as session:
        assert not session.get("_flashes")
