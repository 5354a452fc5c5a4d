"""Decision list and decision page."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user, login_required

from app.services.decisions import DecisionFilter, list_decisions, load_decision

blueprint = Blueprint("decisions", __name__)


@blueprint.route("/")
@login_required
def index():
    """The decisions the user may see, with filters kept in the URL."""
    page = max(1, request.args.get("page", 1, type=int))
    per_page = min(current_app.config["MAX_PER_PAGE"], max(1, request.args.get("per_page", 25, type=int)))
    complete = {"yes": True, "no": False}.get(request.args.get("complete", ""))
    filters = DecisionFilter(
        year=request.args.get("year", type=int),
        category=request.args.get("category") or None,
        status=request.args.get("status") or None,
        complete=complete,
    )
    result = list_decisions(current_user, filters, page, per_page)
    return render_template("decisions/list.html", page=result, filters=filters)


@blueprint.route("/decisions/<int:decision_id>")
@login_required
def detail(decision_id: int):
    decision = load_decision(current_user, decision_id)
    return render_template("decisions/detail.html", decision=decision)
