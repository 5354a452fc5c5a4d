"""Flask-Login glue: sessions end when a user is deactivated or re-keyed."""

from __future__ import annotations

from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import User


def load_user(session_id: str) -> User | None:
    """Resolve ``"<id>:<epoch>"``; an inactive user or an old epoch is logged out.

    One query per request, the organisation included: every page shows it.
    """
    user_id, _, epoch = session_id.partition(":")
    if not user_id.isdigit() or not epoch.isdigit():
        return None
    user = db.session.get(User, int(user_id), options=[joinedload(User.organization)])
    if user is None or not user.is_active or user.session_epoch != int(epoch):
        return None
    return user
