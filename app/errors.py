"""HTML error pages (the API blueprint registers its own JSON handlers)."""

from __future__ import annotations

from flask import Flask, render_template
from sqlalchemy.orm.exc import StaleDataError

from .extensions import db


def register(app: Flask) -> None:
    def page(status: int):
        def handler(_error):
            db.session.rollback()
            return render_template("errors/error.html", status=status), status

        return handler

    for status in (400, 403, 404, 405, 413, 500):
        app.register_error_handler(status, page(status))
    app.register_error_handler(StaleDataError, page(409))
