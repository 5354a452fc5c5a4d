"""Flask-Login glue: the cookie names a server-side session (``app.services.sessions``).

``_user_id`` is ``"<id>:<epoch>"`` as before, so deactivation and a password
change (which bump ``session_epoch``) still end every session; ``sid`` is the
random id of the session row, renewed at every login; ``seen`` is when this
browser last moved the row's ``last_seen_at`` (so that it is written at most
once a minute).
"""

from __future__ import annotations

from flask import current_app, request, session
from flask_login import login_user, logout_user

from app import clock
from app.models import User
from app.services import sessions
from app.web import prefetch

SID = "sid"
SEEN = "seen"
#: Kept across a login and a logout: the language the visitor chose.
KEPT = ("locale",)


def load_user(session_id: str) -> User | None:
    """Resolve ``"<id>:<epoch>"`` and the session id; one query (with the page's first, ``app.web.prefetch``),
    two once a minute."""
    user_id, _, epoch = session_id.partition(":")
    token = session.get(SID)
    if not user_id.isdigit() or not epoch.isdigit() or not isinstance(token, str):
        return None
    now = clock.utcnow().timestamp()
    seen = session.get(SEEN)
    touch = not isinstance(seen, int | float) or now - seen >= current_app.config["SESSION_TOUCH_SECONDS"]
    companion = prefetch.companion()
    resolved = sessions.resolve_session(token, int(user_id), int(epoch), touch=touch, companion=companion)
    if resolved is None:
        return None
    if companion is not None:
        prefetch.keep(resolved.companion)
    if resolved.touched:  # only then: a cookie rewritten on every request would cost each answer a signature
        session[SEEN] = int(now)
    return resolved.user


def _clear_session() -> None:
    kept = {key: session[key] for key in KEPT if key in session}
    session.clear()
    session.update(kept)


def begin(user: User) -> None:
    """Log ``user`` in with a new session id (an old one of this browser ends: no fixation)."""
    sessions.revoke_session(session.get(SID))
    _clear_session()
    session[SID] = sessions.open_session(user, request.remote_addr)
    session[SEEN] = int(clock.utcnow().timestamp())
    login_user(user)


def end(user: User | None) -> None:
    """Log out: the server-side session ends, so a copy of the cookie is refused too."""
    sessions.revoke_session(session.get(SID), user)
    logout_user()
    _clear_session()


def current_token() -> str | None:
    token = session.get(SID)
    return token if isinstance(token, str) else None
