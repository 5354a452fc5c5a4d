"""Log in, log out, choose the language."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from app.extensions import db
from app.models import User

from .forms import LoginForm

blueprint = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("decisions.index")


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and check the password."""
    if current_user.is_authenticated:
        return redirect(url_for("decisions.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.execute(select(User).where(User.username == form.username.data.strip())).scalar_one_or_none()
        if user is not None and user.is_active and user.check_password(form.password.data):
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("Wrong username or password."))
    return render_template("auth/login.html", form=form)


@blueprint.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"))


@blueprint.route("/language/<code>", methods=["POST"])
def set_language(code: str):
    """Switch between Chinese and English; kept in the session."""
    if code in ("zh_CN", "en"):
        session["locale"] = code
    return redirect(_safe_next(request.form.get("next")))
