"""``GET /api/v1/decisions/{id}/dossier``: the decision's archive package (决策档案) as a ZIP (DESIGN §5)."""

from __future__ import annotations

from app.services.dossier import dossier_filename, produce_dossier
from app.web.downloads import writes_on_get, zip_answer

from .auth import current_user
from .common import DECISION_ID, api_blueprint, errors

blueprint = api_blueprint("api-dossier", "The decision dossier (决策档案): a ZIP to keep and check offline.")

ZIP_ANSWER = {
    "description": "`dossier.pdf`, every evidence file in a folder per procedure, and `manifest.json` with each "
                   "file's size and sha256 and the decision's audit events with their chain positions and hashes.",
    "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
}


@blueprint.route(f"/decisions/{DECISION_ID}/dossier", methods=["GET"])
@blueprint.doc(responses={200: ZIP_ANSWER})
@errors(blueprint, 401, 404)
@writes_on_get
def dossier(decision_id: int):
    """The decision's dossier (any role that reads it; another organisation's decision is 404).

    Producing it is recorded: an audit event `dossier.produce` with the
    manifest's sha256, and the archiving clock of `/due` stops for it.
    """
    user = current_user()
    return zip_answer(lambda target: dossier_filename(produce_dossier(user, decision_id, target).decision))
