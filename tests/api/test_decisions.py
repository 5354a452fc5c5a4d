"""Decision endpoints: the answer's exact shape, list filters and pages, create and change, and their errors."""

from __future__ import annotations

import pytest

from tests.conftest import DECISION_DATA

DECISION_KEYS = {"id", "ref_no", "title", "category", "department", "year", "amount_cny", "summary", "status",
                 "version", "backfilled", "backfill_reason", "catalogue_item_id", "draft", "steps", "compliance"}
FINDING_KEYS = {"rule", "severity", "step", "message", "citation"}


def test_decision_has_exactly_the_contract_shape(api, clerk, make_decision, walk):
    decision = walk(make_decision(), "preparatory")
    answer = api.get(f"/decisions/{decision.id}", as_=clerk)
    assert answer.status == 200
    body = answer.json
    assert set(body) == DECISION_KEYS
    assert set(body["draft"]) == {"number", "sha256", "text"}
    assert set(body["compliance"]) == {"complete", "findings"}
    assert all(set(f) == FINDING_KEYS for f in body["compliance"]["findings"])
    assert set(body["steps"]) == {"public_participation", "expert_review", "risk_assessment", "legality_review",
                                  "collective_decision"}
    for kind, step in body["steps"].items():
        assert step["kind"] == kind
        assert {"status", "exemption_reason", "exemption_basis"} <= set(step)
    participation = body["steps"]["public_participation"]
    assert participation["comment_start"] == "2025-03-01" and participation["comments_received"] == 12
    assert len(body["steps"]["expert_review"]["experts"]) == 3
    assert body["steps"]["collective_decision"]["opinions"] == []
    assert body["amount_cny"] == "1250000.00"


def test_amount_may_be_a_number_or_absent(api, clerk):
    number = api.post("/decisions", as_=clerk, json={**DECISION_DATA, "amount_cny": 99.5})
    assert number.status == 201 and number.json["amount_cny"] == "99.50"
    absent = api.post("/decisions", as_=clerk, json={k: v for k, v in DECISION_DATA.items() if k != "amount_cny"})
    assert absent.status == 201 and absent.json["amount_cny"] is None
    assert absent.json["ref_no"] == "BD-2025-002"


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"title": ""}, {"title"}),
        ({"title": None}, {"title"}),
        ({"category": "party"}, {"category"}),
        ({"year": 1999}, {"year"}),
        ({"year": "2025"}, {"year"}),
        ({"year": 10**30}, {"year"}),
        ({"amount_cny": "-1"}, {"amount_cny"}),
        ({"amount_cny": "abc"}, {"amount_cny"}),
        ({"amount_cny": True}, {"amount_cny"}),
        ({"amount_cny": 1e300}, {"amount_cny"}),
        ({"draft_text": "   "}, {"draft_text"}),
        ({"title": "x" * 201}, {"title"}),
        ({"department": ["a"]}, {"department"}),
        ({"status": "published"}, {"status"}),
        ({"summary": "a\x00b"}, {"summary"}),
        ({"summary": "\ud800"}, {"summary"}),
    ],
)
def test_create_field_errors(api, clerk, change, fields):
    answer = api.post("/decisions", as_=clerk, json={**DECISION_DATA, **change})
    assert answer.status == 422, answer.json
    assert answer.error["code"] == "validation_failed"
    assert set(answer.error["fields"]) == fields
    assert answer.error["findings"] == []


def test_missing_fields_are_named(api, clerk):
    answer = api.post("/decisions", as_=clerk, json={})
    assert answer.status == 422
    assert set(answer.error["fields"]) == {"title", "category", "department", "year", "draft_text"}


def test_patch_changes_fields_and_checks_version(api, clerk, make_decision):
    decision = make_decision()
    first = api.patch(f"/decisions/{decision.id}", as_=clerk, json={"version": 1, "title": "新标题"})
    assert first.status == 200 and first.json["title"] == "新标题" and first.json["version"] == 2
    assert first.json["draft"]["number"] == 1  # the draft text did not change
    stale = api.patch(f"/decisions/{decision.id}", as_=clerk, json={"version": 1, "title": "旧版本上的修改"})
    assert stale.status == 409 and stale.error["code"] == "conflict"
    assert api.get(f"/decisions/{decision.id}", as_=clerk).json["title"] == "新标题"
    missing = api.patch(f"/decisions/{decision.id}", as_=clerk, json={"title": "x"})
    assert missing.status == 422 and set(missing.error["fields"]) == {"version"}
    year = api.patch(f"/decisions/{decision.id}", as_=clerk, json={"version": 2, "year": 2024})
    assert year.status == 422 and set(year.error["fields"]) == {"year"}
    unknown = api.patch(f"/decisions/{decision.id}", as_=clerk, json={"version": 2, "ref_no": "X"})
    assert unknown.status == 422 and set(unknown.error["fields"]) == {"ref_no"}
    huge = api.patch(f"/decisions/{decision.id}", as_=clerk, json={"version": 10**40, "title": "x"})
    assert huge.status == 409


def test_stale_version_on_actions_is_409(api, clerk, make_decision, walk):
    decision = walk(make_decision(), "signed")
    answer = api.post(f"/decisions/{decision.id}/submit", as_=clerk, json={"version": decision.version - 1})
    assert answer.status == 409
    step = api.put(f"/decisions/{decision.id}/steps/public_participation", as_=clerk,
                   json={"status": "in_progress", "version": 1})
    assert step.status == 409


def test_list_filters_and_pages(api, clerk, make_decision, walk):
    complete = walk(make_decision(), "decided")
    make_decision(category="large_fund")
    make_decision(year=2024)
    everything = api.get("/decisions", as_=clerk).json
    assert everything["total"] == 3 and everything["page"] == 1 and everything["per_page"] == 25
    assert [d["ref_no"] for d in everything["items"]] == ["BD-2025-002", "BD-2025-001", "BD-2024-001"]
    assert all(set(item) == DECISION_KEYS for item in everything["items"])

    def ids(query: str) -> list[int]:
        answer = api.get(f"/decisions?{query}", as_=clerk)
        assert answer.status == 200, answer.json
        return [d["id"] for d in answer.json["items"]]

    assert ids("year=2024") == [everything["items"][2]["id"]]
    assert ids("category=large_fund") == [everything["items"][0]["id"]]
    assert ids("status=decided") == [complete.id]
    assert ids("complete=true") == [complete.id]
    assert complete.id not in ids("complete=false") and len(ids("complete=false")) == 2
    assert ids("year=2025&category=major_project&complete=true") == [complete.id]

    page = api.get("/decisions?per_page=2&page=2", as_=clerk).json
    assert page["total"] == 3 and page["page"] == 2 and page["per_page"] == 2 and len(page["items"]) == 1
    assert api.get("/decisions?page=99", as_=clerk).json["items"] == []
    assert api.get("/decisions?per_page=100000", as_=clerk).json["per_page"] == 100


@pytest.mark.parametrize(
    ("query", "field"),
    [("year=abc", "year"), ("year=99999999999999999999999", "year"), ("category=x", "category"),
     ("status=gone", "status"), ("complete=maybe", "complete"), ("page=0", "page"), ("page=-1", "page"),
     ("per_page=0", "per_page"), ("page=10000000000000000000000", "page")],
)
def test_list_query_errors(api, clerk, query, field):
    answer = api.get(f"/decisions?{query}", as_=clerk)
    assert answer.status == 422
    assert set(answer.error["fields"]) == {field}


def test_list_queries_do_not_grow_with_the_page(api, clerk, make_decision, walk, count_queries):
    walk(make_decision(), "decided")
    headers = api.headers(clerk)
    with count_queries() as few:
        assert api.get("/decisions?per_page=100", headers=headers).status == 200
    for _ in range(4):
        walk(make_decision(), "decided")
    with count_queries() as many:
        answer = api.get("/decisions?per_page=100", headers=headers)
    assert len(answer.json["items"]) == 5
    assert len(many) == len(few), "\n".join(s[:150] for s in many)


def test_decision_page_queries_are_bounded(api, clerk, make_decision, walk, count_queries):
    decision = walk(make_decision(), "decided")
    url, headers = f"/decisions/{decision.id}", api.headers(clerk)
    with count_queries() as statements:
        assert api.get(url, headers=headers).status == 200
    assert len(statements) <= 12, statements


def test_history_shape(api, clerk, make_decision):
    decision = make_decision()
    api.patch(f"/decisions/{decision.id}", as_=clerk, json={"version": 1, "summary": "改"})
    history = api.get(f"/decisions/{decision.id}/history", as_=clerk).json
    assert [set(event) for event in history] == [{"at", "actor", "action", "entity", "before", "after", "hash"}] * 2
    assert history[0]["before"] is None and history[0]["after"]["ref_no"] == "BD-2025-001"
    assert history[1]["before"] == {"summary": "新建农桥三座"} and history[1]["after"] == {"summary": "改"}
    assert history[0]["at"].endswith("Z")


def test_step_put_replaces_and_answers_the_step(api, clerk, make_decision):
    decision = make_decision()
    url = f"/decisions/{decision.id}/steps/risk_assessment"
    first = api.put(url, as_=clerk, json={"status": "in_progress", "risk_level": "low", "risk_points": "交通"})
    assert first.status == 200 and first.json["risk_points"] == "交通"
    second = api.put(url, as_=clerk, json={"status": "in_progress", "risk_level": "medium"})
    assert second.json["risk_points"] is None and second.json["risk_level"] == "medium"
    incomplete = api.put(url, as_=clerk, json={"status": "completed"})
    assert incomplete.status == 422
    assert {"risk_types", "risk_level", "risk_points", "conclusion", "assessed_on"} <= set(incomplete.error["fields"])
    other_kind = api.put(url, as_=clerk, json={"status": "in_progress", "hearing_date": "2025-01-01"})
    assert other_kind.status == 422 and set(other_kind.error["fields"]) == {"hearing_date"}
    bad_list = api.put(url, as_=clerk, json={"status": "in_progress", "risk_types": ["war"]})
    assert bad_list.status == 422 and set(bad_list.error["fields"]) == {"risk_types[0]"}
    future = api.put(url, as_=clerk, json={"status": "in_progress", "assessed_on": "2999-01-01"})
    assert future.status == 422 and set(future.error["fields"]) == {"assessed_on"}
    not_started = api.put(url, as_=clerk, json={"status": "not_started"})
    assert not_started.status == 422 and set(not_started.error["fields"]) == {"status"}


def test_step_list_errors_are_named_by_position(api, clerk, make_decision):
    decision = make_decision()
    answer = api.put(f"/decisions/{decision.id}/steps/expert_review", as_=clerk,
                     json={"status": "in_progress", "experts": [{"name": "张工"}, {"field": "水利"}, 5]})
    assert answer.status == 422
    assert set(answer.error["fields"]) == {"experts[1].name", "experts[2]"}


def test_unknown_step_kind_is_404(api, clerk, make_decision):
    decision = make_decision()
    answer = api.put(f"/decisions/{decision.id}/steps/hearing", as_=clerk, json={"status": "completed"})
    assert answer.status == 404 and answer.error["code"] == "not_found"


def test_publish_and_archive_refuse_the_wrong_state(api, clerk, make_decision, walk):
    decision = walk(make_decision(), "signed")
    publish = api.post(f"/decisions/{decision.id}/publish", as_=clerk, json={"published_on": "2025-05-08"})
    assert publish.status == 422 and publish.error["code"] == "invalid_state"
    archive = api.post(f"/decisions/{decision.id}/archive", as_=clerk)
    assert archive.status == 422 and archive.error["code"] == "invalid_state"
    submit = api.post(f"/decisions/{decision.id}/submit", as_=clerk, json={})
    assert submit.status == 200
    again = api.post(f"/decisions/{decision.id}/submit", as_=clerk)
    assert again.status == 422 and again.error["code"] == "invalid_state"


def test_publish_date_checks(api, clerk, make_decision, walk):
    decision = walk(make_decision(), "decided")
    url = f"/decisions/{decision.id}/publish"
    assert set(api.post(url, as_=clerk, json={}).error["fields"]) == {"published_on"}
    assert set(api.post(url, as_=clerk, json={"published_on": "2025-02-30"}).error["fields"]) == {"published_on"}
    assert set(api.post(url, as_=clerk, json={"published_on": "2999-01-01"}).error["fields"]) == {"published_on"}
    assert set(api.post(url, as_=clerk, json={"published_on": "2025-05-01"}).error["fields"]) == {"published_on"}
    published = api.post(url, as_=clerk, json={"published_on": "2025-05-08"})
    assert published.status == 200
    archived = api.post(f"/decisions/{decision.id}/archive", as_=clerk, json={"version": published.json["version"]})
    assert archived.status == 200 and archived.json["status"] == "archived"


@pytest.mark.parametrize("amount", ["NaN", "nan", "-NaN", "sNaN", "Infinity", "-Infinity", "inf", "1e999999999",
                                    "99999999999999.995", 10**30, "9" * 41])
def test_non_finite_or_huge_amounts_are_field_errors(api, clerk, make_decision, amount):
    created = api.post("/decisions", as_=clerk, json={**DECISION_DATA, "amount_cny": amount})
    assert created.status == 422, created.json
    assert set(created.error["fields"]) == {"amount_cny"}
    decision = make_decision()
    patched = api.patch(f"/decisions/{decision.id}", as_=clerk,
                        json={"version": decision.version, "amount_cny": amount})
    assert patched.status == 422, patched.json
    assert set(patched.error["fields"]) == {"amount_cny"}


@pytest.mark.parametrize("amount", ["-0", "-0.00", -0.0])
def test_negative_zero_amount_is_zero(api, clerk, amount):
    answer = api.post("/decisions", as_=clerk, json={**DECISION_DATA, "amount_cny": amount})
    assert answer.status == 201 and answer.json["amount_cny"] == "0.00"
