"""Decision list and decision page."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user, login_required

from app.labels import field_label
from app.services.decisions import list_decisions, load_decision

from .filters import YEAR_MAX, YEAR_MIN, parse_list_args
from .presenters import decision_page

blueprint = Blueprint("decisions", __name__)


def _year_choices(selected: int | None) -> list[int]:
    """Years offered by the filter: next year back to the first year decisions are kept."""
    last = min(YEAR_MAX, date.today().year + 1)
    years = list(range(last, YEAR_MIN - 1, -1))
    if selected is not None and selected not in years:
        years.insert(0, selected)
    return years


@blueprint.route("/")
@login_required
def index():
    """The decisions the user may see, with filters kept in the URL."""
    query = parse_list_args(
        request.args, current_app.config["PER_PAGE"], current_app.config["MAX_PER_PAGE"]
    )
    result = list_decisions(current_user, query.filters, query.page, query.per_page)
    return render_template(
        "decisions/list.html",
        result=result,
        query=query,
        ignored=[field_label(name) for name in query.ignored],
        years=_year_choices(query.filters.year),
    )


@blueprint.route("/decisions/<int:decision_id>")
@login_required
def detail(decision_id: int):
    """The five-step checklist with its findings, the drafts and the history."""
    decision = load_decision(current_user, decision_id)
    return render_template("decisions/detail.html", decision=decision, page=decision_page(decision))
