"""``POST /api/v1/tokens``: a bearer token for a username and password."""

from __future__ import annotations

from .auth import issue_token
from .common import api_blueprint, errors
from .schemas import TokenRequestSchema, TokenSchema

blueprint = api_blueprint("api-tokens", "Bearer tokens: the only endpoint without one.", authenticated=False)


@blueprint.route("/tokens", methods=["POST"])
@blueprint.doc(security=[])
@blueprint.arguments(TokenRequestSchema)
@blueprint.response(201, TokenSchema)
@errors(blueprint, 400, 401, 413)
def create_token(args):
    """Trade a username and password for a bearer token.

    The token is shown once; only its sha256 is stored. It expires after
    `API_TOKEN_HOURS` (12 by default) and stops working at once when the user
    is deactivated or the password changes. A wrong username or password
    answers 401 with the same message either way.
    """
    token, row = issue_token(args["username"], args["password"])
    return {"token": token, "expires_at": row.expires_at}
