"""The public, printable page of a published catalogue: no login, nothing internal."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _

from app.rulebook.vocabulary import CatalogueChange, StepKind
from app.services.catalogues import CONDITIONAL_STEPS, Progress, item_progress, listed_items, public_catalogue
from app.services.errors import NotFound
from app.web.labels import STEP_KINDS
from app.web.templating import is_english

blueprint = Blueprint("public", __name__, url_prefix="/public")


def progress_label(progress: str) -> str:
    return {
        Progress.NOT_STARTED: _("Not started"),
        Progress.IN_PROGRESS: _("In progress"),
        Progress.DECIDED: _("Decided"),
        Progress.PUBLISHED: _("Published"),
    }[progress]


def change_label(action: str) -> str:
    return {
        CatalogueChange.ADDED: _("Added"),
        CatalogueChange.CHANGED: _("Changed"),
        CatalogueChange.REMOVED: _("Removed"),
    }[CatalogueChange(action)]


def procedures_text(item) -> str:
    """履行程序要求 as a town publishes it: the procedures the item lists, in statutory order."""
    names = [str(STEP_KINDS[kind]) for kind in CONDITIONAL_STEPS if getattr(item, kind.value)]
    if item.hearing:
        names.append(_("Hearing"))
    names += [str(STEP_KINDS[StepKind.LEGALITY_REVIEW]), str(STEP_KINDS[StepKind.COLLECTIVE_DECISION])]
    if item.fair_competition_review:
        names.append(_("Fair competition review"))
    return (", " if is_english() else "、").join(names)


@blueprint.route("/catalogues/<org_code>/<int:year>")
def catalogue(org_code: str, year: int):
    """The published catalogue of an organisation's year with each item's progress and the change log."""
    try:
        found = public_catalogue(org_code, year)
    except NotFound:
        abort(404)
    return render_template("public/catalogue.html", organization=found.organization, catalogue=found.catalogue,
                           items=listed_items(found.catalogue), item_progress=item_progress,
                           progress_label=progress_label, change_label=change_label,
                           procedures_text=procedures_text)
