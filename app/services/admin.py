"""Administration of accounts and organisations: every change checked, validated and audited.

An administrator manages the own organisation and its descendants only: an
account elsewhere is not found (404), an organisation elsewhere is not one to
choose. Deactivating a user or resetting a password bumps ``session_epoch``,
which ends every session and API token the user has at its next request. A
password an administrator sets must be changed by the user at the next login
(``must_change_password``).
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
from .users import check_new_password, check_username, create_user

DISPLAY_NAME_MAX = 100
#: RFC 5321 limits a forward path to 256 octets, the address to 254.
EMAIL_MAX = 254
#: One address, ``local@domain``, no spaces or angle brackets: what an SMTP server takes as a recipient.
EMAIL = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+")
ORG_NAME_MAX = 100
#: Organisation codes start reference numbers (``BD-2025-017``): capital letters and digits only.
ORG_CODE = re.compile(r"[A-Z][A-Z0-9]{0,15}")


def _require_admin(actor: User) -> None:
    permissions.ensure(permissions.can_administer(actor), _("Only an administrator manages users and organisations."))


def _text(raw: Any) -> str:
    return raw.strip() if isinstance(raw, str) else ""


def _organization(actor: User, code: Any, errors: dict[str, str]) -> Organization | None:
    """The organisation of ``code`` if ``actor`` administers it; one message for "none" and "not yours"."""
    code = _text(code)
    organization = (
        db.session.execute(select(Organization).where(Organization.code == code)).scalar_one_or_none() if code else None
    )
    if not permissions.can_administer_organization(actor, organization):
        errors["organization"] = _("no organisation has the code %(code)s", code=code)
        return None
    return organization


def _administered(actor: User, user: User) -> User:
    _require_admin(actor)
    return permissions.administered_user(actor, user)


def _check_display_name(raw: Any, errors: dict[str, str]) -> str:
    name = _text(raw)
    if not name:
        errors["display_name"] = _("is required")
    elif len(name) > DISPLAY_NAME_MAX:
        errors["display_name"] = _("is longer than %(limit)d characters", limit=DISPLAY_NAME_MAX)
    return name


def check_email(raw: Any, errors: dict[str, str]) -> str | None:
    """An optional e-mail address (the reminders go there); empty is none."""
    text = _text(raw)
    if not text:
        return None
    if len(text) > EMAIL_MAX:
        errors["email"] = _("is longer than %(limit)d characters", limit=EMAIL_MAX)
    elif not text.isascii() or not EMAIL.fullmatch(text):
        errors["email"] = _("is not an e-mail address (name@example.org)")
    return text


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
        "email": user.email,
    }


def create_account(actor: User, data: Mapping[str, Any]) -> User:
    """Create a user from ``username, display_name, role, organization`` (a code) and ``password``."""
    _require_admin(actor)
    errors: dict[str, str] = {}
    # Everything is checked before anything is written.
    check_username(data.get("username"), errors)
    display_name = _check_display_name(data.get("display_name"), errors)
    _check_role(data.get("role"), errors)
    _organization(actor, data.get("organization"), errors)
    email = check_email(data.get("email"), errors)
    check_new_password(data.get("password"), errors)
    if errors:
        raise ValidationFailed(errors)
    return create_user(
        _text(data.get("username")), data.get("role"), _text(data.get("organization")), data.get("password"),
        display_name=display_name, actor=actor, must_change_password=True, email=email,
    )


def update_user(actor: User, user: User, data: Mapping[str, Any]) -> User:
    """Change a user's display name, role, organisation or e-mail; an admin cannot change their own role."""
    _administered(actor, user)
    errors: dict[str, str] = {}
    display_name = _check_display_name(data.get("display_name"), errors)
    role = _check_role(data.get("role"), errors)
    organization = _organization(actor, data.get("organization"), errors)
    email = check_email(data.get("email"), errors) if "email" in data else user.email
    if user.id == actor.id and "role" not in errors and role != user.role:
        errors["role"] = _("you cannot change your own role; ask another administrator")
    if errors:
        raise ValidationFailed(errors)
    before = _user_facts(user)
    user.display_name, user.role, user.organization, user.email = display_name, role, organization, email
    db.session.flush()
    old, new = changes(before, _user_facts(user))
    if new:
        record_event(actor, "user.update", "user", user.id, before=old, after=new)
    return user


def deactivate_user(actor: User, user: User) -> User:
    """Disable the account and end all its sessions at once; an admin cannot disable themselves."""
    _administered(actor, user)
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
    _administered(actor, user)
    if not user.is_active:
        user.is_active = True
        record_event(actor, "user.reactivate", "user", user.id,
                     before={"is_active": False}, after={"is_active": True})
    return user


def reset_password(actor: User, user: User, password: Any) -> User:
    """Set a new password and end every session of the user (the password itself is never logged).

    The user must change it at the next login, unless administrators reset their own.
    """
    _administered(actor, user)
    errors: dict[str, str] = {}
    check_new_password(password, errors)
    if errors:
        raise ValidationFailed(errors)
    user.set_password(password)
    user.session_epoch += 1
    user.must_change_password = user.id != actor.id
    record_event(actor, "user.reset_password", "user", user.id,
                 after={"sessions_ended": True, "must_change_password": user.must_change_password})
    return user


def create_organization(actor: User, data: Mapping[str, Any]) -> Organization:
    """Create an organisation from ``code``, ``name`` and ``parent`` (the code of one the admin manages)."""
    _require_admin(actor)
    errors: dict[str, str] = {}
    code = _text(data.get("code")).upper()
    if not ORG_CODE.fullmatch(code):
        errors["code"] = _("use 1 to 16 capital letters or digits, starting with a letter")
    elif db.session.execute(select(Organization.id).where(func.upper(Organization.code) == code)).first():
        errors["code"] = _("“%(value)s” is already taken", value=code)
    name = _text(data.get("name"))
    if not name:
        errors["name"] = _("is required")
    elif len(name) > ORG_NAME_MAX:
        errors["name"] = _("is longer than %(limit)d characters", limit=ORG_NAME_MAX)
    # A new organisation goes under one the administrator manages (a new top level is the CLI's).
    parent = None
    if not _text(data.get("parent")):
        errors["parent"] = _("choose the organisation it belongs to")
    else:
        parent = _organization(actor, data.get("parent"), errors)
        if parent is None:
            errors["parent"] = errors.pop("organization")
    if errors:
        raise ValidationFailed(errors)
    return add_organization(actor, code, name, parent)
