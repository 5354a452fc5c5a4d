"""User accounts."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import Organization, User
from app.rulebook.vocabulary import Role

from .audit import record_event
from .errors import ValidationFailed
from .organizations import add_organization

PASSWORD_MIN = 8


def create_user(
    username: str,
    role: str,
    organization_code: str,
    password: str,
    display_name: str | None = None,
    actor: User | None = None,
) -> User:
    """Create an account; the password is stored only as a salted hash."""
    errors: dict[str, str] = {}
    username = (username or "").strip()
    if not username or len(username) > 64 or not username.replace("_", "").replace(".", "").isalnum():
        errors["username"] = _("use 1 to 64 letters, digits, dots or underscores")
    elif db.session.execute(select(User.id).where(User.username == username)).first():
        errors["username"] = _("is already taken")
    if role not in [r.value for r in Role]:
        errors["role"] = _("must be one of: %(values)s", values=", ".join(r.value for r in Role))
    organization = db.session.execute(
        select(Organization).where(Organization.code == organization_code)
    ).scalar_one_or_none()
    if organization is None:
        errors["org"] = _("no organisation has the code %(code)s", code=organization_code)
    if len(password or "") < PASSWORD_MIN:
        errors["password"] = _("must be at least %(n)d characters", n=PASSWORD_MIN)
    if errors:
        raise ValidationFailed(errors)
    user = User(username=username, display_name=display_name or username, role=role, organization=organization)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record_event(actor, "user.create", "user", user.id,
                 after={"username": username, "role": role, "organization": organization.code})
    return user


def ensure_organization(code: str, name: str, parent: Organization | None = None) -> Organization:
    """The organisation with ``code``, created if it does not exist yet."""
    org = db.session.execute(select(Organization).where(Organization.code == code)).scalar_one_or_none()
    if org is None:
        org = add_organization(None, code, name, parent)
    return org
