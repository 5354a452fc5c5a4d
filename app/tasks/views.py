"""Each role's home page, and the to-do page (待办): what the user must do next, with the statutory dates.

``/`` shows the page a role works from: the clerk's to-dos, the legal adviser's
review queue (its count in the navigation), the auditor's dashboard, the
administrator's users. The page is the other area's own view, called by its
endpoint name (no blueprint imports another), so each keeps one address too.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user, login_required

from app.rulebook.vocabulary import Role
from app.services import deadlines
from app.services.deadlines import WINDOW_MAX, due_list, has_to_dos
from app.web.guards import require

blueprint = Blueprint("tasks", __name__)

#: The page each role starts from.
HOME_PAGES = {
    Role.CLERK: "tasks.due",
    Role.LEGAL_ADVISER: "review.queue",
    Role.AUDITOR: "reports.dashboard",
    Role.ADMIN: "admin.index",
}


@blueprint.app_context_processor
def _navigation() -> dict:
    def due_allowed() -> bool:
        """The menu entry is the clerk's: the legal adviser's to-dos are the review queue, with its count."""
        return bool(current_user.is_authenticated and current_user.is_active and current_user.role == Role.CLERK)

    return {"due_allowed": due_allowed}


@blueprint.route("/")
@login_required
def home():
    """The role's home page, at ``/`` (after login too)."""
    endpoint = HOME_PAGES.get(Role(current_user.role), "decisions.index")
    return current_app.view_functions[endpoint]()


def _window() -> int:
    """``within_days`` of the query string: ASCII digits up to a year, else the configured window."""
    raw = request.args.get("within_days", "")
    if raw.isascii() and raw.isdigit() and len(raw) <= 3 and int(raw) <= WINDOW_MAX:
        return int(raw)
    return current_app.config["DUE_WINDOW_DAYS"]


@blueprint.route("/due")
@login_required
def due():
    """The user's deadlines, overdue and due apart, each with its article; the clerk's work lists below."""
    require(has_to_dos(current_user))
    result = due_list(current_user, _window())
    return render_template("tasks/due.html", result=result, clock_labels=deadlines.CLOCK_LABELS,
                           is_clerk=current_user.role == Role.CLERK)
