"""Print a ``Cookie:`` header of a logged-in session, for the HTTP benchmark.

Usage: python bench/session_cookie.py USERNAME   (same DATABASE_URL and SECRET_KEY as the server)
"""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))  # run from anywhere

from sqlalchemy import select

from app import create_app
from app.auth import session as web_session
from app.extensions import db
from app.models import User


def signed_session(app, username: str) -> tuple[str, str]:
    """The cookie's name and value of a new logged-in session of ``username`` on ``app``."""
    # As wrk will be seen (127.0.0.1, no User-Agent): Flask-Login's session identifier then matches, and the
    # session is not rewritten (a Set-Cookie) on every request as it would be for a changed browser.
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        web_session.begin(user)  # the server-side session row the cookie names
        db.session.commit()
        from flask import session
        from flask_wtf.csrf import generate_csrf

        generate_csrf()  # as a browser's session holds after its first page: wrk never keeps a renewed cookie

        return app.config["SESSION_COOKIE_NAME"], app.session_interface.get_signing_serializer(app).dumps(dict(session))


def main(username: str) -> None:
    name, value = signed_session(create_app(), username)
    print(f"Cookie: {name}={value}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "auditor")
