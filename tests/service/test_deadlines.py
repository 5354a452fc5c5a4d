"""The statutory clocks of /due (DESIGN §5): each clock's date, article and role, on stored decisions.

Dates are counted by hand here (2025's holidays from the State Council notice):
a wrong working-day count or a wrong article fails the test.
"""

from __future__ import annotations

from datetime import date

import pytest

from app.rulebook import get_profile
from app.rulebook.vocabulary import DecisionStatus, StepStatus
from app.services import deadlines
from app.services import steps as step_services
from app.services.deadlines import Bound, ClockContext, DecisionFacts, decision_deadlines, due_list
from app.services.decisions import archive_decision, publish_decision

REG = "《重大行政决策程序暂行条例》"


def _items(user, today, within_days=14):
    result = due_list(user, within_days, today)
    return {(d.deadline, d.ref_no): d for d in result.overdue + result.due + result.later}, result


def test_comment_period_ends_on_its_recorded_day_or_the_earliest_lawful_one(db, clerk, make_decision):
    open_ended = make_decision()
    step_services.record_step(clerk, open_ended, "public_participation",
                              {"status": "in_progress", "method": "online_comment", "comment_start": "2025-03-01"})
    recorded = make_decision()
    step_services.record_step(clerk, recorded, "public_participation",
                              {"status": "in_progress", "method": "online_comment", "comment_start": "2025-03-01",
                               "comment_end": "2025-04-10"})
    db.session.commit()
    items, result = _items(clerk, date(2025, 3, 25))
    first = items[("comment_period_end", open_ended.ref_no)]
    # 30 days, both ends counted: 1 March to 30 March (art. 15).
    assert first.due_on == date(2025, 3, 30) and first.citation == f"{REG}第十五条"
    assert first.step == "public_participation" and first.bound == Bound.BY
    assert first in result.due and not first.overdue(result.today)
    assert items[("comment_period_end", recorded.ref_no)].due_on == date(2025, 4, 10)
    assert items[("comment_period_end", recorded.ref_no)] in result.later  # beyond the 14 days
    # After its end, the step still open: overdue (record the comments and the feedback).
    items, result = _items(clerk, date(2025, 4, 1))
    assert items[("comment_period_end", open_ended.ref_no)] in result.overdue
    # A completed step has no clock any more.
    step_services.record_step(clerk, open_ended, "public_participation", {
        "status": "completed", "method": "online_comment", "comment_start": "2025-03-01", "comment_end": "2025-03-30",
        "comments_received": 1, "comments_adopted": 0, "feedback_summary": "无", "feedback_published_on": "2025-04-01",
        "completed_on": "2025-04-01"})
    db.session.commit()
    items, _result = _items(clerk, date(2025, 4, 1))
    assert ("comment_period_end", open_ended.ref_no) not in items


def test_hearing_materials_are_due_seven_days_before_the_hearing(db, clerk, make_decision):
    decision = make_decision()
    step_services.record_step(clerk, decision, "public_participation",
                              {"status": "in_progress", "method": "hearing", "hearing_date": "2025-03-20"})
    db.session.commit()
    items, result = _items(clerk, date(2025, 3, 14))
    hearing = items[("hearing_materials", decision.ref_no)]
    assert hearing.due_on == date(2025, 3, 13) and hearing.citation == f"{REG}第十六条"
    assert hearing in result.overdue
    step_services.record_step(clerk, decision, "public_participation",
                              {"status": "in_progress", "method": "hearing", "hearing_date": "2025-03-20",
                               "materials_sent_on": "2025-03-12"})
    db.session.commit()
    items, _result = _items(clerk, date(2025, 3, 14))
    assert ("hearing_materials", decision.ref_no) not in items


def test_legality_review_earliest_signing_date_is_for_the_adviser_only(db, clerk, legal, make_decision, walk):
    decision = walk(make_decision(), "submitted_for_review")  # submitted on Thursday 10 April 2025
    items, result = _items(legal, date(2025, 4, 14))
    review = items[("legality_review", decision.ref_no)]
    # Seven working days from the day after: 11, 14, 15, 16, 17, 18, 21 April (art. 26).
    assert review.due_on == date(2025, 4, 21)
    assert review.bound == Bound.NOT_BEFORE and review.citation == f"{REG}第二十六条"
    assert review in result.due and not review.overdue(date(2025, 5, 1))  # a "not before" date is never late
    clerk_items, _ = _items(clerk, date(2025, 4, 14))
    assert ("legality_review", decision.ref_no) not in clerk_items
    walk(decision, "signed")
    items, _result = _items(legal, date(2025, 4, 28))
    assert ("legality_review", decision.ref_no) not in items


def test_review_days_count_the_holidays_off(db, legal, clerk, make_decision, walk):
    decision = walk(make_decision(), "preparatory")
    step_services.record_step(clerk, decision, "legality_review", {"status": "in_progress",
                                                                    "submitted_on": "2025-04-28"})
    db.session.commit()
    items, _result = _items(legal, date(2025, 4, 28))
    # 29, 30 April; 1–5 May off (劳动节); 6, 7, 8, 9 May; 10 May off; 12 May: the seventh working day.
    assert items[("legality_review", decision.ref_no)].due_on == date(2025, 5, 12)


def test_publication_and_archiving_of_a_decided_decision(db, clerk, make_decision, walk):
    decision = walk(make_decision(), "decided")  # approved at the meeting of 6 May 2025
    items, result = _items(clerk, date(2025, 6, 4))
    publish = items[("publication", decision.ref_no)]
    archive = items[("archiving", decision.ref_no)]
    # 20 working days after 6 May: 7–9, 12–16, 19–23, 26–30 May (18); 31 May–2 June off (端午); 3, 4 June.
    assert publish.due_on == date(2025, 6, 4) and publish.citation == f"{REG}第三十二条；《政府信息公开条例》第二十六条"
    assert archive.due_on == date(2025, 6, 5) and archive.citation == f"{REG}第三十三条"
    assert publish.step is None and publish in result.due and archive in result.due
    items, result = _items(clerk, date(2025, 6, 6))
    assert {items[("publication", decision.ref_no)], items[("archiving", decision.ref_no)]} <= set(result.overdue)
    publish_decision(clerk, decision, "2025-05-20")
    db.session.commit()
    items, _result = _items(clerk, date(2025, 6, 6))
    assert ("publication", decision.ref_no) not in items and ("archiving", decision.ref_no) in items
    archive_decision(clerk, decision)
    db.session.commit()
    items, _result = _items(clerk, date(2025, 6, 6))
    assert not [key for key in items if key[1] == decision.ref_no]


def test_the_profile_decides_days_and_citations(app, db, clerk, legal, make_decision, walk, monkeypatch):
    decision = walk(make_decision(), "submitted_for_review")
    monkeypatch.setitem(app.config, "RULEBOOK_PROFILE", "nantong")
    items, _result = _items(legal, date(2025, 4, 14))
    assert items[("legality_review", decision.ref_no)].citation == (
        f"{REG}第二十六条；《南通市重大行政决策程序规定》第二十三条")


def test_soonest_first_and_the_window(db, clerk, make_decision, walk):
    later = walk(make_decision(), "decided")
    sooner = make_decision()
    step_services.record_step(clerk, sooner, "public_participation",
                              {"status": "in_progress", "method": "online_comment", "comment_start": "2025-05-01"})
    db.session.commit()
    result = due_list(clerk, 40, date(2025, 5, 20))
    assert [(d.ref_no, d.deadline) for d in result.items] == [
        (sooner.ref_no, "comment_period_end"),  # 30 May
        (later.ref_no, "publication"),  # 4 June
        (later.ref_no, "archiving"),  # 5 June
    ]
    assert [d.deadline for d in due_list(clerk, 10, date(2025, 5, 20)).items] == ["comment_period_end"]
    assert due_list(clerk, 0, date(2025, 5, 20)).items == []


def test_only_the_organisations_own_clerks_and_advisers_have_to_dos(db, make_user, clerk, legal, auditor,
                                                                     make_decision, walk):
    walk(make_decision(), "decided")
    walk(make_decision(), "submitted_for_review")
    admin = make_user("admin", "BD")
    other_clerk = make_user("clerk", "CD")
    today = date(2025, 6, 10)
    assert due_list(clerk, 14, today).items and due_list(legal, 14, today).items
    for user in (auditor, admin, other_clerk):  # auditors do not see the clerk's to-dos
        assert due_list(user, 14, today).count == 0


def test_refused_drafts_and_meetings_to_record(db, clerk, legal, make_decision, walk):
    refused = walk(make_decision(), "submitted_for_review")
    step_services.sign_legality_review(legal, refused, {"opinion": "unlawful", "opinion_text": "违反上位法",
                                                        "reviewed_on": "2025-04-25"})
    meeting = walk(make_decision(), "submitted")
    db.session.commit()
    result = due_list(clerk, 14, date(2025, 5, 1))
    assert [t.ref_no for t in result.refused] == [refused.ref_no]
    assert result.refused[0].since == date(2025, 4, 10)
    assert [t.ref_no for t in result.meetings] == [meeting.ref_no]
    assert due_list(legal, 14, date(2025, 5, 1)).refused == []


def test_query_count_does_not_grow_with_the_decisions(app, db, clerk, make_decision, walk, count_queries):
    def count() -> int:
        db.session.commit()
        with count_queries() as statements:
            due_list(clerk, 14, date(2025, 6, 1))
        return len(statements)

    walk(make_decision(), "decided")
    one = count()
    for stage in ("decided", "submitted_for_review", "submitted", "preparatory"):
        walk(make_decision(), stage)
    # The organisations, the calendar, the decisions' facts in one statement, the catalogue items in one more.
    assert count() == one <= 4


# -- the clocks alone, on hand-made facts -------------------------------------------------------------


@pytest.fixture
def clocks():
    from app.rulebook import WorkdayCalendar

    return ClockContext(get_profile("national"), WorkdayCalendar())


def _facts(**fields) -> DecisionFacts:
    base = {"id": 1, "ref_no": "BD-2025-001", "title": "t", "organization_id": 1,
            "status": DecisionStatus.IN_PROGRESS}
    return DecisionFacts(**{**base, **fields})


def test_no_clock_runs_for_an_untouched_decision(clocks) -> None:
    assert decision_deadlines([_facts()], clocks) == []


def test_a_rejected_decision_is_archived_but_never_published(clocks) -> None:
    found = decision_deadlines([_facts(status=DecisionStatus.DECIDED, outcome="rejected",
                                       meeting_date=date(2025, 5, 6))], clocks)
    assert [(d.deadline, d.due_on) for d in found] == [("archiving", date(2025, 6, 5))]


def test_a_produced_dossier_stops_the_archiving_clock(clocks) -> None:
    decided = {"status": DecisionStatus.DECIDED, "outcome": "approved", "meeting_date": date(2025, 5, 6),
               "published_on": date(2025, 5, 20)}
    assert [d.deadline for d in decision_deadlines([_facts(**decided)], clocks)] == ["archiving"]
    assert decision_deadlines([_facts(**decided, has_dossier=True)], clocks) == []


def test_a_signature_on_the_current_draft_stops_the_review_clock(clocks) -> None:
    waiting = _facts(lr_submitted_on=date(2025, 4, 10), current_sha256="a" * 64)
    assert [d.deadline for d in decision_deadlines([waiting], clocks)] == ["legality_review"]
    signed = _facts(lr_submitted_on=date(2025, 4, 10), current_sha256="a" * 64, lr_draft_sha256="a" * 64)
    assert decision_deadlines([signed], clocks) == []
    changed = _facts(lr_submitted_on=date(2025, 4, 10), current_sha256="b" * 64, lr_draft_sha256="a" * 64)
    assert [d.deadline for d in decision_deadlines([changed], clocks)] == ["legality_review"]


def test_steps_set_aside_run_no_clock(clocks) -> None:
    exempted = _facts(pp_status=StepStatus.EXEMPTED, comment_start=date(2025, 3, 1), pp_method="hearing",
                      hearing_date=date(2025, 3, 20))
    assert decision_deadlines([exempted], clocks) == []


def test_a_new_clock_is_one_function_in_the_list(clocks, monkeypatch) -> None:
    def always(facts, clock_ctx):
        return deadlines.Deadline("test_clock", date(2025, 1, 1), "citation", deadlines.Role.CLERK,
                                  facts.organization_id, decision_id=facts.id)

    monkeypatch.setattr(deadlines, "DECISION_CLOCKS", (*deadlines.DECISION_CLOCKS, always))
    assert [d.deadline for d in decision_deadlines([_facts()], clocks)] == ["test_clock"]


def test_an_items_key_names_its_clock_and_record_not_its_date() -> None:
    on_decision = deadlines.Deadline("publication", date(2025, 6, 4), "c", deadlines.Role.CLERK, 1, decision_id=42)
    moved = deadlines.Deadline("publication", date(2025, 6, 9), "c", deadlines.Role.CLERK, 1, decision_id=42)
    on_catalogue = deadlines.Deadline("catalogue_publication", date(2025, 3, 31), "c", deadlines.Role.CLERK, 1,
                                      record="catalogue:7")
    assert on_decision.key == moved.key == "publication:42"
    assert on_catalogue.key == "catalogue_publication:catalogue:7"


# -- the catalogues' clocks (CAT-02, CAT-03) -----------------------------------------------------------------


def _catalogue_with_item(clerk, planned: str = "2025-06-30"):
    from app.services import catalogues

    catalogue = catalogues.create_catalogue(clerk, {"year": 2025})
    item = catalogues.add_item(clerk, catalogue, {"title": "农桥建设", "category": "major_project",
                                                  "sponsor_unit": "建设局", "planned_completion": planned})
    return catalogue, item


def test_a_catalogue_item_is_due_by_its_planned_completion_until_decided(db, clerk, legal, make_decision, walk):
    from app.services import catalogues

    catalogue, item = _catalogue_with_item(clerk)
    db.session.commit()
    items, result = _items(clerk, date(2025, 6, 20))
    due = items[("catalogue_item", "")]
    assert due.due_on == date(2025, 6, 30) and f"{REG}第三条" in due.citation and due in result.due
    assert due.catalogue_id == catalogue.id and due.title == "目录第1项：农桥建设" and due.decision_id is None
    assert ("catalogue_publication", "") not in items  # nationally the catalogue is not the rule (art. 3: 可以)
    assert not [d for d in due_list(legal, 14, date(2025, 6, 20)).due if d.deadline == "catalogue_item"]

    decision = make_decision(category="major_project")
    catalogues.link_decision(clerk, catalogue, item, decision.id)
    db.session.commit()
    items, result = _items(clerk, date(2025, 7, 1))
    linked = items[("catalogue_item", decision.ref_no)]
    assert linked in result.overdue and linked.decision_id == decision.id  # linked, not decided yet
    walk(decision, "decided")
    items, _result = _items(clerk, date(2025, 7, 1))
    assert not [key for key in items if key[0] == "catalogue_item"]


def test_the_catalogue_is_due_by_the_profiles_date_where_it_is_the_rule(app, db, clerk, monkeypatch):
    from app.services import catalogues

    monkeypatch.setitem(app.config, "RULEBOOK_PROFILE", "nantong")
    items, result = _items(clerk, date(2025, 3, 20))
    none_yet = items[("catalogue_publication", "")]
    assert none_yet.due_on == date(2025, 3, 31) and none_yet.catalogue_id is None and none_yet in result.due
    assert "第三条" in none_yet.citation
    catalogue, _item = _catalogue_with_item(clerk)
    db.session.commit()
    items, result = _items(clerk, date(2025, 4, 2))
    assert items[("catalogue_publication", "")].catalogue_id == catalogue.id
    assert items[("catalogue_publication", "")] in result.overdue
    catalogues.approve_catalogue(clerk, catalogue, {"approved_on": "2025-03-10", "approval_ref": "海党〔2025〕3号"})
    catalogues.publish_catalogue(clerk, catalogue, {"published_on": "2025-03-12"})
    db.session.commit()
    items, _result = _items(clerk, date(2025, 4, 2))
    assert ("catalogue_publication", "") not in items
