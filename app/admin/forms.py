"""Forms of the administration pages; the services check everything again."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.services.admin import DISPLAY_NAME_MAX, EMAIL_MAX, ORG_NAME_MAX
from app.services.organizations import OrgTree
from app.services.users import PASSWORD_MIN
from app.web import labels

_REQUIRED = _l("This field is required.")
_CHOOSE = _l("— Choose —")
_PASSWORD_LENGTH = _l("Use at least %(min)d characters.", min=PASSWORD_MIN)


def organization_choices(tree: OrgTree, root: int) -> list[tuple[str, str]]:
    """The administrator's organisation and its descendants in tree order, indented by depth: ``(code, label)``."""
    return [(node.code, "\u3000" * node.depth + f"{node.name} ({node.code})") for node in tree.walk([root])]


def role_choices() -> list[tuple[str, object]]:
    return list(labels.ROLES.items())


class _UserFields(FlaskForm):
    display_name = StringField(_l("Display name"), validators=[DataRequired(_REQUIRED), Length(max=DISPLAY_NAME_MAX)])
    role = SelectField(_l("Role"), validators=[DataRequired(_REQUIRED)])
    organization = SelectField(_l("Organisation"), validators=[DataRequired(_REQUIRED)])
    email = StringField(_l("E-mail address"), validators=[Optional(), Length(max=EMAIL_MAX)],
                        render_kw={"autocomplete": "off", "inputmode": "email"})

    def __init__(self, *args, tree: OrgTree, root: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()
        self.organization.choices = organization_choices(tree, root)


class UserCreateForm(_UserFields):
    """A new account: the admin sets its first password and tells the user, who changes it at first login.

    Role and organisation start unchosen: a preselected first entry would
    create a clerk of the top organisation by a slip of the Enter key.
    """

    def __init__(self, *args, tree: OrgTree, root: int, **kwargs) -> None:
        super().__init__(*args, tree=tree, root=root, **kwargs)
        self.role.choices = [("", _CHOOSE), *self.role.choices]
        self.organization.choices = [("", _CHOOSE), *self.organization.choices]

    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(_REQUIRED),
            Length(max=64),
            Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Use ASCII letters, digits, dots, underscores or hyphens.")),
        ],
        render_kw={"autocomplete": "off"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_REQUIRED), Length(min=PASSWORD_MIN, max=256, message=_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "new-password"},
    )


class UserEditForm(_UserFields):
    """Display name, role and organisation of an existing account."""


class PasswordResetForm(FlaskForm):
    """A new password; every open session of the user ends."""

    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_REQUIRED), Length(min=PASSWORD_MIN, max=256, message=_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "new-password"},
    )


class ConfirmForm(FlaskForm):
    """Only the CSRF token, for the deactivate and reactivate buttons."""


class OrganizationForm(FlaskForm):
    """A new organisation, at the top or under a parent."""

    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(_REQUIRED),
            Length(max=16),
            Regexp(r"^[A-Za-z][A-Za-z0-9]*$", message=_l("Use capital letters and digits, starting with a letter.")),
        ],
        description=_l("Starts every reference number, e.g. BD in BD-2025-017."),
    )
    name = StringField(_l("Organisation name"), validators=[DataRequired(_REQUIRED), Length(max=ORG_NAME_MAX)])
    parent = SelectField(_l("Parent organisation"), validators=[DataRequired(_REQUIRED)])

    def __init__(self, *args, tree: OrgTree, root: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.parent.choices = organization_choices(tree, root)


class ThresholdForm(FlaskForm):
    """The organisation's 大额资金 standard from a day on (the payment cross-check applies the one in force)."""

    organization = SelectField(_l("Organisation"), validators=[DataRequired(_REQUIRED)])
    effective_from = StringField(_l("In force from"), validators=[DataRequired(_REQUIRED)],
                                 render_kw={"type": "date"})
    amount_cny = StringField(_l("Threshold (yuan)"), validators=[DataRequired(_REQUIRED)],
                             render_kw={"inputmode": "decimal", "placeholder": "100000"})

    def __init__(self, *args, tree: OrgTree, root: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization.choices = organization_choices(tree, root)
