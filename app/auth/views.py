"""Log in, log out, change one's own password, choose the language."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user

from app.extensions import login_manager
from app.services import users as user_service
from app.services.authentication import LoginFailed, TooManyAttempts, authenticate
from app.services.sessions import revoke_other_sessions
from app.web.refusals import answer_refusals

from . import session as web_session
from .forms import ChangePasswordForm, LoginForm

blueprint = Blueprint("auth", __name__)

#: What a user whose password an administrator set may still open before changing it.
_BEFORE_PASSWORD_CHANGE = {"auth.change_password", "auth.logout", "auth.set_language", "auth.login"}


@blueprint.record_once
def _configure_login_manager(_state) -> None:
    # Flask-Login flashes this when a page needs a login; translated when flashed.
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.localize_callback = str


@blueprint.before_app_request
def _password_change_first():
    """An administrator's password is changed before anything else (``must_change_password``)."""
    endpoint = request.endpoint or ""
    if (
        endpoint in _BEFORE_PASSWORD_CHANGE
        or endpoint == "static"
        or endpoint.endswith(".static")
        or request.path.startswith("/api/")
        or "_user_id" not in session
    ):
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        flash(_("Your password was set by an administrator. Choose your own before you go on."), "warning")
        return redirect(url_for("auth.change_password"))
    return None


def safe_next(target: str | None) -> str:
    """A local path to go to after the form, never another site (``//evil.com``, ``/\\evil.com``)."""
    if target:
        parts = urlsplit(target)
        if (
            target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
            and not any(ord(char) < 0x21 or ord(char) == 0x7F for char in target)
            and not parts.scheme
            and not parts.netloc
        ):
            return target
    return url_for("tasks.home")


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and check the password.

    A failed login answers the form again (200) with one message for every
    cause; the failure itself is recorded in its own transaction
    (``app.services.authentication``), before anything else of this request
    touches the database. Too many failures answer 429 with ``Retry-After``.
    """
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.username.data, form.password.data, address=request.remote_addr or "",
                                channel="web")
        except TooManyAttempts as refusal:
            return (render_template("auth/login.html", form=form, login_error=refusal.message), 429,
                    {"Retry-After": str(refusal.retry_after)})
        except LoginFailed as refusal:
            # An alert above the form, not a password-field error: it does not say which of the two is wrong.
            return render_template("auth/login.html", form=form, login_error=refusal.message)
        web_session.begin(user)
        if user.must_change_password:
            return redirect(url_for("auth.change_password"))
        return redirect(safe_next(request.args.get("next")))
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@blueprint.route("/logout", methods=["POST"])
@login_required
def logout():
    """End the session on the server (a form button: logging out is a POST with a CSRF token)."""
    web_session.end(current_user._get_current_object())
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"))


@blueprint.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password; the user's other sessions and API tokens end."""
    form = ChangePasswordForm()
    page = partial(_password_page, form)
    if form.validate_on_submit():
        user = current_user._get_current_object()
        with answer_refusals(page, form=form):
            user_service.change_own_password(user, form.current_password.data, form.new_password.data)
            revoke_other_sessions(user, web_session.current_token())
        login_user(user)  # this session carries the new epoch and stays open
        flash(_("Your password was changed; your other sessions have ended."), "success")
        return redirect(url_for("tasks.home"))
    return page(422 if request.method == "POST" else 200)


def _password_page(form: ChangePasswordForm, status: int, **_refusal: object):
    return render_template("auth/password.html", form=form, forced=current_user.must_change_password), status


@blueprint.route("/language/<code>", methods=["POST"])
def set_language(code: str):
    """Switch between Chinese and English; kept in the session, also across logins."""
    if code in current_app.config["LANGUAGES"]:
        session["locale"] = code
    return redirect(safe_next(request.form.get("next")))
