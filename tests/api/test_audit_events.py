"""``GET /api/v1/audit/events``: who may list, the scope by organisation, each filter, paging, validation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import DECISION_DATA

EVENT_KEYS = {"at", "actor", "action", "entity", "entity_id", "before", "after", "hash"}


@pytest.fixture
def trail(db, orgs, make_user, make_decision, clerk):
    """Events of 海安市 (HA), of 白甸镇 (BD, under HA), of 城东街道 (CD), and one of no organisation."""
    from app.services.audit import record_event

    users = {
        "clerk_bd": clerk,
        "auditor_bd": make_user("auditor", "BD"),
        "auditor_ha": make_user("auditor", "HA"),
        "admin_ha": make_user("admin", "HA"),
        "clerk_ha": make_user("clerk", "HA"),
        "clerk_cd": make_user("clerk", "CD"),
        "legal_bd": make_user("legal_adviser", "BD"),
    }
    decisions = {
        "BD": make_decision(),
        "HA": make_decision(user=users["clerk_ha"], title="海安市级重大项目"),
        "CD": make_decision(user=users["clerk_cd"], title="城东街道重大项目"),
    }
    record_event(users["admin_ha"], "calendar.load", "calendar", None, after={"year": 2026})
    db.session.commit()
    return users, decisions


def _listed(api, user, query: str = "") -> dict:
    answer = api.get(f"/audit/events{'?' + query if query else ''}", as_=user)
    assert answer.status == 200, answer.json
    return answer.json


def _all(api, user, query: str = "") -> list[dict]:
    return _listed(api, user, f"per_page=100&{query}")["items"]


@pytest.mark.parametrize("who", ["clerk_bd", "legal_bd", "clerk_ha"])
def test_other_roles_get_403(api, trail, who):
    users, _ = trail
    answer = api.get("/audit/events", as_=users[who])
    assert answer.status == 403
    assert answer.error["code"] == "forbidden"


def test_anonymous_gets_401(api, trail):
    assert api.get("/audit/events").status == 401


def test_shape_and_newest_first(api, trail):
    users, _ = trail
    body = _listed(api, users["auditor_ha"])
    assert set(body) == {"items", "page", "per_page", "total"}
    assert body["page"] == 1 and body["per_page"] == 25
    items = body["items"]
    assert items and all(set(item) == EVENT_KEYS for item in items)
    assert [item["at"] for item in items] == sorted((item["at"] for item in items), reverse=True)
    created = next(item for item in items if item["action"] == "decision.create")
    assert isinstance(created["entity_id"], int) and created["after"]["title"]
    assert len(created["hash"]) == 64


def test_auditor_of_the_town_does_not_see_the_city(api, trail):
    users, decisions = trail
    items = _all(api, users["auditor_bd"])
    entities = {(item["entity"], item["entity_id"]) for item in items}
    assert ("decision", decisions["BD"].id) in entities
    assert ("decision", decisions["HA"].id) not in entities  # HA-only
    assert ("decision", decisions["CD"].id) not in entities
    assert ("user", users["clerk_ha"].id) not in entities
    assert ("user", users["legal_bd"].id) in entities
    assert "calendar.load" not in {item["action"] for item in items}  # no organisation: above the town
    assert {item["actor"] for item in items} <= {"clerk_bd", "auditor_bd", "legal_bd", "system"}


def test_auditor_of_the_city_sees_its_towns_and_the_global_events(api, trail):
    users, decisions = trail
    items = _all(api, users["auditor_ha"])
    entities = {(item["entity"], item["entity_id"]) for item in items}
    assert {("decision", decisions["BD"].id), ("decision", decisions["HA"].id)} <= entities
    assert ("decision", decisions["CD"].id) not in entities
    assert ("user", users["clerk_cd"].id) not in entities
    assert "calendar.load" in {item["action"] for item in items}
    organizations = {item["after"]["code"] for item in items if item["action"] == "organization.create"}
    assert organizations == {"HA", "BD"}


def test_admin_sees_its_own_organisation(api, trail):
    users, decisions = trail
    items = _all(api, users["admin_ha"])
    entities = {(item["entity"], item["entity_id"]) for item in items}
    assert ("decision", decisions["HA"].id) in entities
    assert ("decision", decisions["BD"].id) not in entities
    assert "calendar.load" in {item["action"] for item in items}


def test_token_events_belong_to_the_token_owner(api, trail):
    users, _ = trail
    api.token(users["clerk_cd"])
    api.token(users["clerk_bd"])
    issued = {item["actor"] for item in _all(api, users["auditor_ha"], "action=token.issue")}
    assert "clerk_bd" in issued and "clerk_cd" not in issued


def test_filters(api, trail, db):
    users, decisions = trail
    auditor = users["auditor_ha"]
    by_actor = _all(api, auditor, "actor=clerk_ha")
    assert by_actor and {item["actor"] for item in by_actor} == {"clerk_ha"}
    by_action = _all(api, auditor, "action=decision.create")
    assert {item["entity_id"] for item in by_action} == {decisions["BD"].id, decisions["HA"].id}
    by_entity = _all(api, auditor, "entity=user")
    assert by_entity and {item["action"] for item in by_entity} == {"user.create"}
    both = _all(api, auditor, "actor=clerk_bd&action=decision.create")
    assert [item["entity_id"] for item in both] == [decisions["BD"].id]
    assert _all(api, auditor, "actor=nobody") == []


def test_date_range_is_local_days_both_included(api, trail):
    from app.clock import today

    users, _ = trail
    auditor = users["auditor_ha"]
    day = today()
    everything = _listed(api, auditor)["total"]
    assert _listed(api, auditor, f"since={day}&until={day}")["total"] == everything
    assert _listed(api, auditor, f"since={day + timedelta(days=1)}")["total"] == 0
    assert _listed(api, auditor, f"until={day - timedelta(days=1)}")["total"] == 0


def test_local_day_boundaries():
    from datetime import UTC, date, datetime

    from app.services.audit_log import local_day_start

    assert local_day_start(date(2025, 3, 1)) == datetime(2025, 2, 28, 16, 0, tzinfo=UTC)


def test_paging(api, trail):
    users, _ = trail
    auditor = users["auditor_ha"]
    whole = _all(api, auditor)
    first = _listed(api, auditor, "per_page=2")
    second = _listed(api, auditor, "per_page=2&page=2")
    assert first["total"] == second["total"] == len(whole) > 4
    assert [i["hash"] for i in first["items"] + second["items"]] == [i["hash"] for i in whole[:4]]
    past = _listed(api, auditor, "per_page=2&page=999")
    assert past["items"] == [] and past["total"] == len(whole)
    assert _listed(api, auditor, "per_page=1000")["per_page"] == 100


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=2025-13-01", "since"),
        ("until=yesterday", "until"),
        ("since=2025-03-02&until=2025-03-01", "until"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page=99999999999999999999", "page"),
        ("per_page=0", "per_page"),
        ("actor=" + "x" * 65, "actor"),
        ("action=" + "x" * 41, "action"),
        ("entity=a%00b", "entity"),
    ],
)
def test_bad_parameters_are_422_naming_them(api, trail, query, field):
    users, _ = trail
    answer = api.get(f"/audit/events?{query}", as_=users["auditor_ha"])
    assert answer.status == 422, answer.json
    assert field in answer.error["fields"]


def test_query_count_does_not_grow_with_the_page(api, trail, count_queries, make_decision):
    users, _ = trail
    headers = {"Authorization": f"Bearer {api.token(users['auditor_ha'])}"}
    with count_queries() as small:
        answer = api.get("/audit/events?per_page=2", headers=headers)
    assert answer.status == 200 and len(answer.json["items"]) == 2
    for n in range(5):
        make_decision(title=f"更多事项{n}", summary=str(n))
    with count_queries() as large:
        answer = api.get("/audit/events?per_page=100", headers=headers)
    assert len(answer.json["items"]) > 10
    # The token and its user, the organisations, the top-level check, the count, the page.
    assert len(large) == len(small) <= 7, large


def test_api_post_of_decision_data_for_the_trail(api, trail):
    """An event written through the API shows up at once, with its actor."""
    users, _ = trail
    api.token(users["auditor_bd"])  # issued now, so that the decision's event is the newest
    created = api.post("/decisions", as_=users["clerk_bd"], json={**DECISION_DATA, "title": "新事项"})
    assert created.status == 201
    newest = _listed(api, users["auditor_bd"], "per_page=1")["items"][0]
    assert newest["action"] == "decision.create" and newest["entity_id"] == created.json["id"]
