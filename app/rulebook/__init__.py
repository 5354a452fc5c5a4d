"""The rulebook: pure functions from a decision snapshot to findings citing the law.

It imports nothing from Flask, SQLAlchemy or the rest of ``app`` (only the
standard library and ``chinese_calendar``), so every rule is testable alone and
the services, views, API and CLI all share one source of truth.

- ``evaluate(snapshot, profile, calendar)``: the standing findings of a decision.
- ``check_action(action, snapshot, profile, calendar)``: the blockers that refuse an action.
- ``is_complete(snapshot, findings, profile)``: whether the decision stands.
- ``required_steps(profile, category)``: the procedures a category needs.
- ``evaluate_catalogue(snapshot, profile)``: the findings of an annual catalogue (CAT-02, CAT-03).
"""

from __future__ import annotations

from .engine import ACTIONS, check_action, evaluate, evaluate_catalogue, is_complete, required_steps, sort_findings
from .findings import Finding
from .profiles import PROFILES, Profile, Quorum, get_profile
from .rules import CATALOGUE, RULES, Rule
from .snapshot import (
    Action,
    CatalogueItemFacts,
    CatalogueSnapshot,
    DecisionSnapshot,
    Expert,
    MemberOpinion,
    StepFacts,
)
from .workdays import WorkdayCalendar, WorkdayCount

__all__ = [
    "ACTIONS",
    "CATALOGUE",
    "PROFILES",
    "RULES",
    "Action",
    "CatalogueItemFacts",
    "CatalogueSnapshot",
    "DecisionSnapshot",
    "Expert",
    "Finding",
    "MemberOpinion",
    "Profile",
    "Quorum",
    "Rule",
    "StepFacts",
    "WorkdayCalendar",
    "WorkdayCount",
    "check_action",
    "evaluate",
    "evaluate_catalogue",
    "get_profile",
    "is_complete",
    "required_steps",
    "sort_findings",
]
