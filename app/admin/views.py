"""Users and organisations, for administrators only."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial, wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Decision, Organization, User
from app.rulebook.rules.payments import DEFAULT_THRESHOLD_CNY
from app.services import admin as admin_service
from app.services import payments as payments_service
from app.services import permissions
from app.services.organizations import load_tree
from app.web.refusals import answer_refusals

from .forms import ConfirmForm, OrganizationForm, PasswordResetForm, ThresholdForm, UserCreateForm, UserEditForm

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


def admin_required(view: Callable) -> Callable:
    """Log in first (anonymous → login page), then administrators only (others → 403)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not permissions.can_administer(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


class _Errors:
    """Puts the service's messages under the fields they name, the rest above the form."""

    def __init__(self, form: FlaskForm) -> None:
        self.form = form

    def apply_errors(self, errors: Mapping[str, str]) -> None:
        for name, message in errors.items():
            field = getattr(self.form, name, None)
            if field is not None and hasattr(field, "errors"):
                field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
            else:
                self.form.form_errors.append(message)


def _status() -> int:
    """422 when a sent form comes back with errors (as on the clerk's pages), else 200."""
    return 422 if request.method == "POST" else 200


def _load_user(user_id: int) -> User:
    """The account, if it belongs to the administrator's organisation or below; else 404."""
    user = db.session.get(User, user_id, options=[joinedload(User.organization)])
    if user is None or not permissions.can_administer_user(current_user, user):
        abort(404)
    return user


def _root() -> int:
    return current_user.organization_id


@blueprint.route("/")
@admin_required
def index():
    """Every account of the administrator's organisation and below, with its role, organisation and state."""
    users = db.session.execute(
        select(User).join(User.organization).options(joinedload(User.organization))
        .where(User.organization_id.in_(permissions.administered_organization_ids(current_user)))
        .order_by(Organization.code, User.username)
    ).scalars().all()
    return render_template("admin/index.html", users=users, forms={"confirm": ConfirmForm()})


@blueprint.route("/users/new", methods=["GET", "POST"])
@admin_required
def create_user():
    """Create an account with its first password."""
    tree = load_tree()
    form = UserCreateForm(tree=tree, root=_root())
    if form.validate_on_submit():
        with answer_refusals(partial(_new_user_page, form), form=_Errors(form)):
            user = admin_service.create_account(current_user, {
                "username": form.username.data,
                "display_name": form.display_name.data,
                "role": form.role.data,
                "organization": form.organization.data,
                "email": form.email.data,
                "password": form.password.data,
            })
        flash(_("User %(name)s was created.", name=user.username), "success")
        return redirect(url_for("admin.index"))
    return _new_user_page(form, _status())


def _new_user_page(form: UserCreateForm, status: int, **_refusal: object):
    return render_template("admin/user_new.html", form=form), status


def _edit_page(user: User, tree, edit_form=None, password_form=None, status: int = 200):
    edit_form = edit_form or UserEditForm(tree=tree, root=_root(), obj=user, organization=user.organization.code,
                                          formdata=None)
    return render_template(
        "admin/user_edit.html",
        user=user,
        form=edit_form,
        password_form=password_form or PasswordResetForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
        is_self=user.id == current_user.id,
    ), status


@blueprint.route("/users/<id:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    """Change the display name, role or organisation of an account."""
    user = _load_user(user_id)
    tree = load_tree()
    if request.method != "POST":
        return _edit_page(user, tree)
    form = UserEditForm(tree=tree, root=_root())
    # After the rollback of a refused change, the account is read again as stored.
    refused = partial(_edit_page_again, user_id, tree, edit_form=form)
    if form.validate_on_submit():
        with answer_refusals(refused, form=_Errors(form)):
            admin_service.update_user(current_user, user, {
                "display_name": form.display_name.data,
                "role": form.role.data,
                "organization": form.organization.data,
                "email": form.email.data,
            })
        flash(_("The account of %(name)s was saved.", name=user.username), "success")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    return refused(422)


def _edit_page_again(user_id: int, tree, status: int, *, edit_form=None, password_form=None, **_refusal: object):
    return _edit_page(_load_user(user_id), tree, edit_form=edit_form, password_form=password_form, status=status)


@blueprint.route("/users/<id:user_id>/password", methods=["POST"])
@admin_required
def reset_password(user_id: int):
    """Set a new password; every session of the user ends."""
    user = _load_user(user_id)
    form = PasswordResetForm()
    refused = partial(_edit_page_again, user_id, load_tree(), password_form=form)
    if form.validate_on_submit():
        with answer_refusals(refused, form=_Errors(form)):
            admin_service.reset_password(current_user, user, form.password.data)
        if user.id == current_user.id:
            login_user(user)  # the admin's own session carries the new epoch and stays open
        flash(_("The password of %(name)s was reset; the user's open sessions have ended.",
                name=user.username), "success")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    return refused(422)


@blueprint.route("/users/<id:user_id>/deactivate", methods=["GET", "POST"])
@admin_required
def deactivate_user(user_id: int):
    """Disable the account; its sessions end at their next request. GET asks first (no script needed)."""
    if request.method == "GET":
        user = _load_user(user_id)
        return render_template(
            "confirm.html",
            heading=_("Deactivate %(name)s?", name=user.display_name),
            message=_("%(name)s (%(username)s) will no longer be able to log in, and every open session ends at its "
                      "next request. The history keeps the name. An administrator can reactivate the account.",
                      name=user.display_name, username=user.username),
            action=url_for("admin.deactivate_user", user_id=user.id),
            form=ConfirmForm(formdata=None),
            confirm_label=_("Deactivate the account"),
            cancel=url_for("admin.edit_user", user_id=user.id),
        )
    return _set_active(user_id, admin_service.deactivate_user,
                       _("%(name)s was deactivated and logged out everywhere."))


@blueprint.route("/users/<id:user_id>/reactivate", methods=["POST"])
@admin_required
def reactivate_user(user_id: int):
    """Let a deactivated account log in again."""
    return _set_active(user_id, admin_service.reactivate_user, _("%(name)s can log in again."))


def _set_active(user_id: int, change: Callable[[User, User], User], done: str):
    user = _load_user(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    back = redirect(url_for("admin.edit_user", user_id=user_id))
    with answer_refusals(lambda _status, **_refusal: back, form=_Flashed()):
        change(current_user, user)
    flash(done % {"name": user.username}, "success")
    return back


class _Flashed:
    """The service's messages of a button without a form, flashed above the page it returns to."""

    def apply_errors(self, errors: Mapping[str, str]) -> None:
        for message in errors.values():
            flash(message, "danger")


@blueprint.route("/organizations", methods=["GET", "POST"])
@admin_required
def organizations():
    """The organisation tree, and a form to add one under a parent."""
    tree = load_tree()
    form = OrganizationForm(tree=tree, root=_root())
    if form.validate_on_submit():
        with answer_refusals(partial(_organizations_page, form), form=_Errors(form)):
            organization = admin_service.create_organization(current_user, {
                "code": form.code.data, "name": form.name.data, "parent": form.parent.data,
            })
        flash(_("Organisation %(name)s (%(code)s) was created.", name=organization.name,
                code=organization.code), "success")
        return redirect(url_for("admin.organizations"))
    return _organizations_page(form, _status())


def _organizations_page(form: OrganizationForm, status: int, **_refusal: object):
    tree = load_tree()
    counts = dict(db.session.execute(
        select(User.organization_id, func.count()).group_by(User.organization_id)
    ).all())
    decisions = dict(db.session.execute(
        select(Decision.organization_id, func.count()).group_by(Decision.organization_id)
    ).all())
    return render_template("admin/organizations.html", form=form, nodes=tree.walk([_root()]), users=counts,
                           decisions=decisions), status


@blueprint.route("/thresholds", methods=["GET", "POST"])
@admin_required
def thresholds():
    """The large-fund threshold (大额资金标准) of each organisation, with its history."""
    tree = load_tree()
    form = ThresholdForm(tree=tree, root=_root())
    if form.validate_on_submit():
        organization = db.session.execute(
            select(Organization).where(Organization.code == form.organization.data)
        ).scalar_one_or_none()
        if organization is None or not permissions.can_administer_organization(current_user, organization):
            abort(404)
        with answer_refusals(partial(_thresholds_page, form), form=_Errors(form)):
            payments_service.set_threshold(current_user, organization, form.effective_from.data,
                                           form.amount_cny.data)
        flash(_("The threshold of %(name)s was saved.", name=organization.name), "success")
        return redirect(url_for("admin.thresholds"))
    return _thresholds_page(form, _status())


def _thresholds_page(form: ThresholdForm, status: int, **_refusal: object):
    tree = load_tree()
    nodes = tree.walk([_root()])
    history = {node.id: payments_service.threshold_history(node.id) for node in nodes}
    return render_template("admin/thresholds.html", form=form, nodes=nodes, history=history,
                           default=DEFAULT_THRESHOLD_CNY), status
