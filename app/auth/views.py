"""Log in, log out, choose the language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from app.extensions import db, login_manager
from app.models import User

from .forms import LoginForm

blueprint = Blueprint("auth", __name__)


@blueprint.record_once
def _configure_login_manager(_state) -> None:
    # Flask-Login flashes this when a page needs a login; translated when flashed.
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.localize_callback = str


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
    return url_for("decisions.index")


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and check the password."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        # One message for every failure: the form must not tell which usernames exist.
        if user is not None and user.is_active and user.check_password(form.password.data):
            locale = session.get("locale")
            session.clear()
            if locale:
                session["locale"] = locale
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append(_("Wrong username or password, or the account is disabled."))
    return render_template("auth/login.html", form=form)


@blueprint.route("/logout", methods=["POST"])
@login_required
def logout():
    """End the session (a form button: logging out is a POST with a CSRF token)."""
    logout_user()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"))


@blueprint.route("/language/<code>", methods=["POST"])
def set_language(code: str):
    """Switch between Chinese and English; kept in the session, also across logins."""
    if code in current_app.config["LANGUAGES"]:
        session["locale"] = code
    return redirect(safe_next(request.form.get("next")))
