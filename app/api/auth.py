"""Bearer tokens of the API.

``POST /api/v1/tokens`` trades a username and password for a random token
(``secrets.token_urlsafe(32)``); only its sha256 is stored. Every other API
request sends ``Authorization: Bearer <token>``; the token is looked up by its
hash and refused when it has expired, when its user is deactivated, or when the
user's password changed since it was issued, and at once after
``DELETE /api/v1/tokens/current`` (the row is deleted). A user holds at most
``API_MAX_TOKENS`` live tokens: issuing one more revokes the oldest. Issue and
revocation are audit events (``token.issue``, ``token.revoke``), never with the
token itself. The session cookie of the web pages never authenticates an API
request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, g, has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import delete, select

from app.clock import utcnow
from app.extensions import db
from app.models import ApiToken, User
from app.services.audit import record_event
from app.services.authentication import LoginFailed, TooManyAttempts
from app.services.authentication import authenticate as check_login

from .errors import ApiError

#: Longest token accepted in a header (ours are 43 characters).
TOKEN_MAX = 200


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _login_failed() -> ApiError:
    # The same answer whether the user is unknown, inactive or the password wrong.
    return ApiError(401, "invalid_credentials", _("The username or password is not correct."),
                    headers={"WWW-Authenticate": 'Bearer realm="api"'})


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message,
                    headers={"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'})


def issue_token(username: str, password: str, address: str | None = None) -> tuple[str, ApiToken]:
    """Check the credentials and store a new token's hash; the clear token is returned once, never stored.

    The check, its limits and its timing are the web login's (``app.services.authentication``):
    401 for any wrong credentials, 429 with ``Retry-After`` once the username or the address
    has failed too often, 403 while the password an administrator set is not yet changed.
    """
    if address is None:
        address = (request.remote_addr if has_request_context() else None) or ""
    try:
        user = check_login(username, password, address=address, channel="api")
    except TooManyAttempts as refusal:
        raise ApiError(429, refusal.code, refusal.message, headers={"Retry-After": str(refusal.retry_after)}) from None
    except LoginFailed:
        raise _login_failed() from None
    if user.must_change_password:
        raise ApiError(403, "password_change_required",
                       _("An administrator set this password: log in on the web and choose your own first."))
    return grant_token(user, address)


def grant_token(user: User, address: str) -> tuple[str, ApiToken]:
    """A new token of a user whose credentials were checked (or an operator's tool, e.g. the benchmark)."""
    now = utcnow()
    _make_room(user, now)
    token = secrets.token_urlsafe(32)
    row = ApiToken(
        user=user,
        token_hash=hash_token(token),
        user_epoch=user.session_epoch,
        created_at=now,
        expires_at=now + timedelta(hours=current_app.config["API_TOKEN_HOURS"]),
    )
    db.session.add(row)
    db.session.flush()
    record_event(user, "token.issue", "api_token", row.id,
                 after={"expires_at": row.expires_at, "address": address, "channel": "api"})
    return token, row


def _make_room(user: User, now) -> None:
    """Drop the user's dead tokens, then revoke the oldest live ones beyond ``API_MAX_TOKENS - 1``.

    The user's row is locked first (PostgreSQL; SQLite writers are serialised at
    BEGIN), so two concurrent requests cannot both stay under the cap.
    """
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    # Expired tokens, and those of an older password or a deactivation, are of no use to anyone.
    db.session.execute(delete(ApiToken).where(
        ApiToken.user_id == user.id, (ApiToken.expires_at <= now) | (ApiToken.user_epoch != user.session_epoch)))
    keep = max(1, current_app.config["API_MAX_TOKENS"]) - 1
    live = db.session.execute(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).scalars().all()
    for oldest in live[keep:]:
        revoke_token(user, oldest, reason="limit")


def revoke_token(user: User, row: ApiToken, *, reason: str) -> None:
    """Delete the token's row (it stops working at once) and log the revocation."""
    token_id, expires_at = row.id, row.expires_at
    db.session.delete(row)
    db.session.flush()
    record_event(user, "token.revoke", "api_token", token_id,
                 before={"expires_at": expires_at}, after={"revoked": True, "reason": reason})


def revoke_current_token() -> None:
    """``DELETE /tokens/current``: the calling token ends now."""
    revoke_token(current_user(), g.api_token, reason="client")


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > TOKEN_MAX or not token.isascii():
        return None
    return token


def authenticate() -> None:
    """Before every authenticated API request: resolve the bearer token to an active user, or 401."""
    token = _bearer_token()
    if token is None:
        raise _unauthorized(_("Send a bearer token: Authorization: Bearer <token> (POST /api/v1/tokens)."))
    row = db.session.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(ApiToken.token_hash == hash_token(token))
    ).first()
    if row is None:
        raise _unauthorized(_("The token is not valid."))
    api_token, user = row
    if api_token.expires_at <= utcnow():
        raise _unauthorized(_("The token has expired; ask for a new one."))
    if not user.is_active or user.session_epoch != api_token.user_epoch:
        raise _unauthorized(_("The token is no longer valid."))
    g.api_user = user
    g.api_token = api_token
    g.api_token_expires_at = api_token.expires_at


def current_user() -> User:
    """The user of the current API request (set by ``authenticate``)."""
    user = g.get("api_user")
    if user is None:  # pragma: no cover - every authenticated blueprint runs authenticate first
        raise _unauthorized(_("Not authenticated."))
    return user
