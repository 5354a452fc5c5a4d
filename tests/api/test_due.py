"""``GET /api/v1/due``: the to-do page's deadlines as JSON, with their dates and articles."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app import clock

REG = "《重大行政决策程序暂行条例》"


@pytest.fixture
def on_day(monkeypatch):
    def freeze(year: int, month: int, day: int) -> None:
        moment = datetime(year, month, day, 4, 0, tzinfo=UTC)
        monkeypatch.setattr(clock, "_utc_now", lambda: moment)

    return freeze


def test_clerk_gets_the_clocks_soonest_first(api, clerk, legal, make_decision, walk, on_day):
    decided = walk(make_decision(), "decided")
    walk(make_decision(), "submitted_for_review")  # the adviser's, not the clerk's
    api.token(clerk), api.token(legal)
    on_day(2025, 6, 5)
    answer = api.get("/due", as_=clerk)
    assert answer.status == 200
    assert answer.json == {"items": [
        {"decision_id": decided.id, "catalogue_id": None, "ref_no": decided.ref_no, "title": decided.title,
          "step": None,
         "deadline": "publication", "due_on": "2025-06-04", "bound": "by", "overdue": True,
         "citation": f"{REG}第三十二条；《政府信息公开条例》第二十六条"},
        {"decision_id": decided.id, "catalogue_id": None, "ref_no": decided.ref_no, "title": decided.title,
          "step": None,
         "deadline": "archiving", "due_on": "2025-06-05", "bound": "by", "overdue": False,
         "citation": f"{REG}第三十三条"},
    ]}


def test_legal_adviser_gets_the_earliest_signing_dates(api, legal, make_decision, walk, on_day):
    decision = walk(make_decision(), "submitted_for_review")
    api.token(legal)
    on_day(2025, 4, 30)
    items = api.get("/due", as_=legal).json["items"]
    assert items == [{"decision_id": decision.id, "catalogue_id": None, "ref_no": decision.ref_no,
                      "title": decision.title,
                      "step": "legality_review", "deadline": "legality_review", "due_on": "2025-04-21",
                      "bound": "not_before", "overdue": False, "citation": f"{REG}第二十六条"}]


def test_the_window(api, clerk, make_decision, walk, on_day):
    walk(make_decision(), "decided")
    api.token(clerk)
    on_day(2025, 5, 20)
    assert api.get("/due", as_=clerk).json == {"items": []}  # 4 and 5 June are beyond 14 days
    assert [i["deadline"] for i in api.get("/due?within_days=15", as_=clerk).json["items"]] == ["publication"]
    assert len(api.get("/due?within_days=366", as_=clerk).json["items"]) == 2


@pytest.mark.parametrize("value", ["abc", "-1", "367", "１"])
def test_a_bad_window_is_refused_naming_it(api, clerk, value):
    answer = api.get(f"/due?within_days={value}", as_=clerk)
    assert answer.status == 422
    assert "within_days" in str(answer.json)


def test_auditors_and_admins_have_no_deadlines(api, auditor, admin, other_clerk, make_decision, walk):
    walk(make_decision(), "decided")
    for user in (auditor, admin, other_clerk):
        answer = api.get("/due?within_days=366", as_=user)
        assert answer.status == 200 and answer.json == {"items": []}


def test_needs_a_token(api):
    assert api.get("/due").status == 401


def test_a_catalogue_item_clock_names_its_catalogue(api, clerk, on_day):
    from app.extensions import db
    from app.services import catalogues

    catalogue = catalogues.create_catalogue(clerk, {"year": 2025})
    catalogues.add_item(clerk, catalogue, {"title": "农桥建设", "category": "major_project", "sponsor_unit": "建设局",
                                           "planned_completion": "2025-06-30"})
    db.session.commit()
    api.token(clerk)
    on_day(2025, 6, 20)
    items = api.get("/due", as_=clerk).json["items"]
    assert [(i["deadline"], i["catalogue_id"], i["decision_id"], i["due_on"]) for i in items] == [
        ("catalogue_item", catalogue.id, None, "2025-06-30")]
