"""``POST /api/v1/tokens``: a bearer token for a username and password; ``DELETE /tokens/current`` ends it."""

from __future__ import annotations

from .auth import authenticate, issue_token, revoke_current_token
from .common import api_blueprint, errors
from .schemas import TokenRequestSchema, TokenSchema

blueprint = api_blueprint("api-tokens", "Bearer tokens: asking for one is the only request without one.",
                          authenticated=False)


@blueprint.route("/tokens", methods=["POST"])
@blueprint.doc(security=[])
@blueprint.arguments(TokenRequestSchema)
@blueprint.response(201, TokenSchema)
@errors(blueprint, 400, 401, 403, 413, 429)
def create_token(args):
    """Trade a username and password for a bearer token.

    The token is shown once; only its sha256 is stored. It expires after
    `API_TOKEN_HOURS` (12 by default) and stops working at once when the user
    is deactivated or the password changes. A wrong username or password
    answers 401 with the same message either way, and takes as long. After
    `LOGIN_MAX_FAILURES` failures of a username (known or not), or too many
    from one address, the answer is 429 with `Retry-After`. A password an
    administrator set must first be changed on the web (403).
    """
    token, row = issue_token(args["username"], args["password"])
    return {"token": token, "expires_at": row.expires_at}


@blueprint.route("/tokens/current", methods=["DELETE"])
@blueprint.response(204)
@errors(blueprint, 401)
def revoke_token():
    """Revoke the token this request is sent with (log out of the API).

    It stops working at once: the next request with it answers 401. The
    user's other tokens stay valid. The revocation is an audit event.
    """
    authenticate()  # this blueprint's other endpoint is the one without a token
    revoke_current_token()
