"""Administration of accounts and organisations: every change checked, validated and audited.

Deactivating a user or resetting a password bumps ``session_epoch``, which
ends every session the user has open at its next request (``auth.session``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.models import Organization, User
from app.rulebook.vocabulary import Role

from . import permissions
from .audit import changes, record_event
from .errors import ValidationFailed
from .organizations import add_organization
from .users import PASSWORD_MIN, create_user

DISPLAY_NAME_MAX = 100
ORG_NAME_MAX = 100
#: Organisation codes start reference numbers (``BD-2025-017``): capital letters and digits only.
ORG_CODE = re.compile(r"[A-Z][A-Z0-9]{0,15}")


def _require_admin(actor: User) -> None:
    permissions.ensure(permissions.can_administer(actor), _("Only an administrator manages users and organisations."))


def _text(raw: Any) -> str:
    return raw.strip() if isinstance(raw, str) else ""


def _organization(code: Any, errors: dict[str, str]) -> Organization | None:
    code = _text(code)
    organization = (
        db.session.execute(select(Organization).where(Organization.code == code)).scalar_one_or_none() if code else None
    )
    if organization is None:
        errors["organization"] = _("no organisation has the code %(code)s", code=code)
    return organization


def _check_display_name(raw: Any, errors: dict[str, str]) -> str:
    name = _text(raw)
    if not name:
        errors["display_name"] = _("is required")
    elif len(name) > DISPLAY_NAME_MAX:
        errors["display_name"] = _("is longer than %(limit)d characters", limit=DISPLAY_NAME_MAX)
    return name


def _check_role(raw: Any, errors: dict[str, str]) -> str:
    if raw not in [r.value for r in Role]:
        errors["role"] = _("must be one of: %(values)s", values=", ".join(r.value for r in Role))
    return raw


def _user_facts(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "organization": user.organization.code,
        "is_active": user.is_active,
    }


def create_account(actor: User, data: Mapping[str, Any]) -> User:
    """Create a user from ``username, display_name, role, organization`` (a code) and ``password``."""
    _require_admin(actor)
    errors: dict[str, str] = {}
    display_name = ""
    if _text(data.get("display_name")):
        display_name = _check_display_name(data.get("display_name"), errors)
    if errors:  # checked before anything is written; the other fields are users.create_user's
        raise ValidationFailed(errors)
    try:
        return create_user(
            _text(data.get("username")), data.get("role"), _text(data.get("organization")), data.get("password") or "",
            display_name=display_name or None, actor=actor,
        )
    except ValidationFailed as error:
        found = dict(error.errors)
        if "org" in found:  # users.create_user names the field after its CLI option
            found["organization"] = found.pop("org")
        raise ValidationFailed(found) from None


def update_user(actor: User, user: User, data: Mapping[str, Any]) -> User:
    """Change a user's display name, role or organisation; an admin cannot change their own role."""
    _require_admin(actor)
    errors: dict[str, str] = {}
    display_name = _check_display_name(data.get("display_name"), errors)
    role = _check_role(data.get("role"), errors)
    organization = _organization(data.get("organization"), errors)
    if user.id == actor.id and "role" not in errors and role != user.role:
        errors["role"] = _("you cannot change your own role; ask another administrator")
    if errors:
        raise ValidationFailed(errors)
    before = _user_facts(user)
    user.display_name, user.role, user.organization = display_name, role, organization
    db.session.flush()
    old, new = changes(before, _user_facts(user))
    if new:
        record_event(actor, "user.update", "user", user.id, before=old, after=new)
    return user


def deactivate_user(actor: User, user: User) -> User:
    """Disable the account and end all its sessions at once; an admin cannot disable themselves."""
    _require_admin(actor)
    if user.id == actor.id:
        raise ValidationFailed({"user": _("you cannot deactivate your own account")})
    if user.is_active:
        user.is_active = False
        user.session_epoch += 1
        record_event(actor, "user.deactivate", "user", user.id,
                     before={"is_active": True}, after={"is_active": False})
    return user


def reactivate_user(actor: User, user: User) -> User:
    """Let a deactivated user log in again (old sessions stay ended)."""
    _require_admin(actor)
    if not user.is_active:
        user.is_active = True
        record_event(actor, "user.reactivate", "user", user.id,
                     before={"is_active": False}, after={"is_active": True})
    return user


def reset_password(actor: User, user: User, password: Any) -> User:
    """Set a new password and end every session of the user (the password itself is never logged)."""
    _require_admin(actor)
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        raise ValidationFailed({"password": _("must be at least %(n)d characters", n=PASSWORD_MIN)})
    if len(password) > 256:
        raise ValidationFailed({"password": _("is longer than %(limit)d characters", limit=256)})
    user.set_password(password)
    user.session_epoch += 1
    record_event(actor, "user.reset_password", "user", user.id, after={"sessions_ended": True})
    return user


def create_organization(actor: User, data: Mapping[str, Any]) -> Organization:
    """Create an organisation from ``code``, ``name`` and ``parent`` (a code; empty for a top-level one)."""
    _require_admin(actor)
    errors: dict[str, str] = {}
    code = _text(data.get("code")).upper()
    if not ORG_CODE.fullmatch(code):
        errors["code"] = _("use 1 to 16 capital letters or digits, starting with a letter")
    elif db.session.execute(select(Organization.id).where(func.upper(Organization.code) == code)).first():
        errors["code"] = _("is already taken")
    name = _text(data.get("name"))
    if not name:
        errors["name"] = _("is required")
    elif len(name) > ORG_NAME_MAX:
        errors["name"] = _("is longer than %(limit)d characters", limit=ORG_NAME_MAX)
    parent = None
    if _text(data.get("parent")):
        parent = _organization(data.get("parent"), errors)
        if parent is None:
            errors["parent"] = errors.pop("organization")
    if errors:
        raise ValidationFailed(errors)
    return add_organization(actor, code, name, parent)
