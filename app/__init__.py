"""Application factory."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from babel import Locale
from flask import Flask, g, request, session
from flask.typing import ResponseReturnValue
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, Config

from .database import add_reading_engine, begin_reading, configure_engine, end_reading, set_write_intent
from .extensions import babel, bootstrap, cache, csrf, db, login_manager, migrate
from .web.requests import AppRequest
from .web.transaction import run_in_transaction

ROOT = Path(__file__).resolve().parent.parent


class Application(Flask):
    """Flask whose every request is one transaction (``app.web.transaction``)."""

    request_class = AppRequest

    def dispatch_request(self) -> ResponseReturnValue:
        return run_in_transaction(self, super().dispatch_request)


def create_app(config_class: type[Config] | None = None) -> Flask:
    """Build the app; the config comes from ``APP_ENV`` unless one is given."""
    if config_class is None:
        config_class = CONFIGS[os.environ.get("APP_ENV", "development")]
    if hasattr(config_class, "check"):
        config_class.check()
    app = Application(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config_class)
    trust_proxies(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    register_extensions(app)
    register_request_hooks(app)
    register_converters(app)
    register_blueprints(app)
    register_web(app)
    register_commands(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Behind ``PROXY_FIX_X_FOR`` reverse proxies, take the client address and scheme from their headers.

    Only as many proxies as configured are believed: with none, a client cannot
    spoof its address (which the login limits and the audit trail go by).
    """
    x_for, x_proto = app.config.get("PROXY_FIX_X_FOR", 0), app.config.get("PROXY_FIX_X_PROTO", 0)
    if x_for or x_proto:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=x_for, x_proto=x_proto)


@lru_cache(maxsize=16)
def _parsed(code: str) -> Locale:
    """A locale parsed once per process: babel's ``Locale.parse`` of a string scans every locale it knows."""
    return Locale.parse(code)


def select_locale() -> Locale:
    """Chinese first; English when the user chose it (kept in the session).

    The JSON API ignores the session: English when ``Accept-Language`` prefers it.
    """
    from flask import current_app, has_request_context

    if has_request_context() and request.path.startswith("/api/"):
        from .api.locale import api_locale

        return _parsed(str(api_locale()))
    chosen = session.get("locale") if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return _parsed(chosen)
    return _parsed(current_app.config["BABEL_DEFAULT_LOCALE"])


def register_extensions(app: Flask) -> None:
    from . import models  # noqa: F401 - every table must be known to Alembic

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine, app.config["DATABASE_PING_IDLE_SECONDS"])
        add_reading_engine(db.engine, app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
                           app.config["DATABASE_PING_IDLE_SECONDS"])
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    bootstrap.init_app(app)
    cache.init_app(app)
    register_limiter(app)

    from .auth.session import load_user

    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "warning"


def register_limiter(app: Flask) -> None:
    """The failed-login limit per address, one per app (its storage is per instance).

    No route carries a limit: ``app.services.authentication`` counts only
    failures, and checks the limit before it looks at a password.
    """
    from .services.address_limits import AddressLimiter
    from .services.authentication import LIMITER

    app.extensions[LIMITER] = AddressLimiter.from_config(app.config)


def register_request_hooks(app: Flask) -> None:
    @app.before_request
    def _mark_writes() -> None:
        # SQLite: a request that may write takes the write lock at BEGIN.
        endpoint = request.endpoint or ""
        view = app.view_functions.get(endpoint)
        writes = request.method not in ("GET", "HEAD", "OPTIONS") or getattr(view, "writes_on_get", False)
        set_write_intent(writes)
        if not writes and view is not None and endpoint != "static" and not endpoint.endswith(".static"):
            begin_reading()

    @app.teardown_request
    def _clear(_exc: BaseException | None) -> None:
        g.pop("profile", None)
        end_reading()


def register_converters(app: Flask) -> None:
    from .web.converters import register

    register(app)


def register_blueprints(app: Flask) -> None:
    from .auth.views import blueprint as auth_bp
    from .decisions.views import blueprint as decisions_bp
    from .review.views import blueprint as review_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(decisions_bp)
    app.register_blueprint(review_bp)

    from .admin.views import blueprint as admin_bp
    from .archive.views import blueprint as archive_bp
    from .audit_views.views import blueprint as audit_bp
    from .catalogues.views import blueprint as catalogues_bp
    from .payments.views import blueprint as payments_bp
    from .public.views import blueprint as public_bp
    from .reports.views import blueprint as reports_bp

    app.register_blueprint(reports_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(archive_bp)
    app.register_blueprint(payments_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(catalogues_bp)

    from .tasks.views import blueprint as tasks_bp

    app.register_blueprint(tasks_bp)

    from .api import init_app as init_api

    init_api(app)


def register_web(app: Flask) -> None:
    from .web import init_app

    init_app(app)


def register_commands(app: Flask) -> None:
    from .cli import register

    register(app)
