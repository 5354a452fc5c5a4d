"""Dossier downloads: the decision page's button and the auditor dashboard's year archive.

Thin: each view calls one service that writes the package into a temporary
file (``app.web.downloads.zip_answer``), and the request's transaction commits
the production's audit events once the package is complete.
"""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user, login_required

from app.rulebook.vocabulary import YEAR_MAX, YEAR_MIN
from app.services.dossier import (
    ZipSink,
    archive_status,
    dossier_filename,
    export_year,
    produce_dossier,
    resolve_organization,
    year_filename,
)
from app.web.downloads import writes_on_get, zip_answer

blueprint = Blueprint("archive", __name__)


@blueprint.route("/decisions/<id:decision_id>/dossier")
@login_required
@writes_on_get
def dossier(decision_id: int):
    """The decision's dossier ZIP (any reader of the decision; 404 for another organisation's)."""
    return zip_answer(lambda target: dossier_filename(produce_dossier(current_user, decision_id, target).decision))


@blueprint.route(f"/archive/<org_code>/<int(min={YEAR_MIN}, max={YEAR_MAX}):year>.zip")
@login_required
@writes_on_get
def year_archive(org_code: str, year: int):
    """The year's archive of one organisation: a dossier per decided decision, the 归档文件目录, a manifest."""
    organization = resolve_organization(current_user, org_code)

    def write(target) -> str:
        sink = ZipSink(target)
        try:
            export_year(sink, organization, year, user=current_user)
        finally:
            sink.close()
        return year_filename(organization, year)

    return zip_answer(write)


@blueprint.app_template_global()
def dossier_archive_status(organization_id: int, year: int, scope=None, stamp=None):
    """For the dashboard's partial: how many decided decisions the year's archive holds, and how many lack one.

    ``scope`` and ``stamp``: the dashboard's, read already (the organisation is in its scope)."""
    return archive_status(organization_id, year, None if stamp is None else (tuple(scope), stamp))
