"""User accounts: who they are, and their passwords."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.models import Organization, User
from app.rulebook.vocabulary import Role

from .audit import record_event
from .authentication import check_password
from .errors import ValidationFailed
from .organizations import add_organization

PASSWORD_MIN = 8
PASSWORD_MAX = 256
USERNAME_MAX = 64
#: ASCII letters, digits, dots, underscores and hyphens; unique whatever the case.
USERNAME = re.compile(r"[A-Za-z0-9._-]{1,64}")


def check_username(raw: str | None, errors: dict[str, str]) -> str:
    """The username, or an error: its characters, and not taken in any case (``Clerk`` is ``clerk``)."""
    username = (raw or "").strip()
    if not USERNAME.fullmatch(username):
        errors["username"] = _("use 1 to 64 ASCII letters, digits, dots, underscores or hyphens")
    elif db.session.execute(select(User.id).where(func.lower(User.username) == username.lower())).first():
        errors["username"] = _("“%(value)s” is already taken", value=username)
    return username


def check_new_password(password: object, errors: dict[str, str], field: str = "password") -> str:
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        errors[field] = _("must be at least %(n)d characters", n=PASSWORD_MIN)
    elif len(password) > PASSWORD_MAX:
        errors[field] = _("is longer than %(limit)d characters", limit=PASSWORD_MAX)
    return password if isinstance(password, str) else ""


def create_user(
    username: str,
    role: str,
    organization_code: str,
    password: str,
    display_name: str | None = None,
    actor: User | None = None,
    *,
    must_change_password: bool = False,
    email: str | None = None,
) -> User:
    """Create an account; the password is stored only as a salted hash.

    Without ``display_name`` the username stands for it (the CLI's operator
    may leave it out; the administration pages require one).
    """
    errors: dict[str, str] = {}
    username = check_username(username, errors)
    if role not in [r.value for r in Role]:
        errors["role"] = _("must be one of: %(values)s", values=", ".join(r.value for r in Role))
    organization = db.session.execute(
        select(Organization).where(Organization.code == organization_code)
    ).scalar_one_or_none()
    if organization is None:
        errors["org"] = _("no organisation has the code %(code)s", code=organization_code)
    check_new_password(password, errors)
    if errors:
        raise ValidationFailed(errors)
    user = User(username=username, display_name=(display_name or "").strip() or username, role=role,
                organization=organization, must_change_password=must_change_password, email=email or None)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record_event(actor, "user.create", "user", user.id,
                 after={"username": username, "role": role, "organization": organization.code,
                        **({"email": user.email} if user.email else {})})
    return user


def change_own_password(user: User, current: str, new: str) -> User:
    """The user's own new password; the current one must be given. Every other session and token ends."""
    errors: dict[str, str] = {}
    if not check_password(user.password_hash, current or ""):
        errors["current_password"] = _("is not your current password")
    else:
        check_new_password(new, errors, "new_password")
        if "new_password" not in errors and new == current:
            errors["new_password"] = _("must differ from the current password")
    if errors:
        raise ValidationFailed(errors)
    was_forced = user.must_change_password
    user.set_password(new)
    user.must_change_password = False
    user.session_epoch += 1
    db.session.flush()
    record_event(user, "auth.password_change", "user", user.id, after={"was_set_by_admin": was_forced})
    return user


def ensure_organization(code: str, name: str, parent: Organization | None = None) -> Organization:
    """The organisation with ``code``, created if it does not exist yet."""
    org = db.session.execute(select(Organization).where(Organization.code == code)).scalar_one_or_none()
    if org is None:
        org = add_organization(None, code, name, parent)
    return org
