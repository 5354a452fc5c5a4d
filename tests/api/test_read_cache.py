"""Cached read answers: the next read after a write shows it, other organisations' writes keep them warm, ETags."""

from __future__ import annotations

from tests.conftest import DECISION_DATA


def test_a_write_shows_on_the_next_read(api, clerk, auditor, make_decision):
    decision = make_decision()
    url = f"/decisions/{decision.id}"
    first = api.get(url, as_=clerk)
    listed = api.get("/decisions", as_=auditor).json
    assert listed["items"][0]["title"] == first.json["title"] == DECISION_DATA["title"]

    assert api.patch(url, as_=clerk, json={"version": 1, "title": "新标题"}).status == 200
    for user in (clerk, auditor):  # the writer and another user
        assert api.get(url, as_=user).json["title"] == "新标题"
        assert api.get("/decisions", as_=user).json["items"][0]["title"] == "新标题"

    step = api.put(f"{url}/steps/risk_assessment", as_=clerk,
                   json={"status": "in_progress", "risk_level": "low", "risk_points": "交通"})
    assert step.status == 200  # a step write does not move the decision's version: the chain moves
    assert api.get(url, as_=auditor).json["steps"]["risk_assessment"]["risk_points"] == "交通"
    assert api.get("/decisions", as_=auditor).json["items"][0]["steps"]["risk_assessment"]["risk_level"] == "low"

    created = api.post("/decisions", as_=clerk, json={**DECISION_DATA, "title": "第二件"})
    assert created.status == 201
    again = api.get("/decisions", as_=auditor).json
    assert again["total"] == 2 and [d["title"] for d in again["items"]] == ["第二件", "新标题"]


def test_the_answer_is_the_same_cold_and_warm(api, clerk, make_decision, walk):
    decision = walk(make_decision(), "decided")
    url = f"/decisions/{decision.id}"
    cold, warm = api.get(url, as_=clerk), api.get(url, as_=clerk)
    assert cold.json == warm.json and cold.headers["ETag"] == warm.headers["ETag"]
    listed = api.get("/decisions", as_=clerk).json["items"]
    assert listed == [cold.json]


def test_each_locale_has_its_answer(api, clerk, make_decision):
    decision = make_decision()
    url = f"/decisions/{decision.id}"
    chinese = api.get(url, as_=clerk).json["compliance"]["findings"]
    english = api.get(url, as_=clerk, headers={"Accept-Language": "en"}).json["compliance"]["findings"]
    assert [f["rule"] for f in chinese] == [f["rule"] for f in english] and chinese
    assert [f["message"] for f in chinese] != [f["message"] for f in english]
    assert api.get(url, as_=clerk).json["compliance"]["findings"] == chinese


def test_warm_reads_load_nothing_but_the_stamp(api, clerk, auditor, other_clerk, make_decision, count_queries):
    decision = make_decision()
    url = f"/decisions/{decision.id}"
    headers = api.headers(auditor)
    assert api.get(url, headers=headers).status == 200
    assert api.get("/decisions", headers=headers).status == 200
    make_decision(user=other_clerk)  # 城东街道 is not in the auditor's scope: its write keeps the answers warm
    with count_queries() as item:
        assert api.get(url, headers=headers).status == 200
    with count_queries() as page:
        listed = api.get("/decisions", headers=headers)
    assert listed.json["total"] == 1
    assert not [s for s in item + page if "FROM steps" in s or "count(" in s.lower()], item + page
    # (BEGIN,) the token, the tree, the stamp with the row(s)
    assert len(item) <= 4 and len(page) <= 5, (item, page)


def test_if_none_match_answers_304_until_the_decision_changes(api, clerk, make_decision):
    decision = make_decision()
    url = f"/decisions/{decision.id}"
    etag = api.get(url, as_=clerk).headers["ETag"]
    unchanged = api.get(url, as_=clerk, headers={"If-None-Match": etag})
    assert unchanged.status == 304 and unchanged.headers["ETag"] == etag
    assert api.get(url, as_=clerk, headers={"If-None-Match": etag, "Accept-Language": "en"}).status == 200
    assert api.patch(url, as_=clerk, json={"version": 1, "title": "新标题"}).status == 200
    changed = api.get(url, as_=clerk, headers={"If-None-Match": etag})
    assert changed.status == 200 and changed.json["title"] == "新标题" and changed.headers["ETag"] != etag


def test_a_cached_answer_is_still_refused_to_who_may_not_see_it(api, clerk, other_clerk, make_decision):
    decision = make_decision()
    url = f"/decisions/{decision.id}"
    assert api.get(url, as_=clerk).status == 200
    assert api.get(url, as_=other_clerk).status == 404
    assert api.get("/decisions", as_=other_clerk).json == {"items": [], "page": 1, "per_page": 25, "total": 0}
