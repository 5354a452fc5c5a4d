"""Print an ``Authorization: Bearer …`` header of a new API token, for the HTTP benchmark.

Usage: python bench/api_token.py USERNAME   (same DATABASE_URL as the server)

The token is granted as ``POST /api/v1/tokens`` grants it (hash stored, ``token.issue``
audit event, at most ``API_MAX_TOKENS`` live), without the password: the demo's and the
synth's users are the operator's own.
"""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))  # run from anywhere

from sqlalchemy import select

from app import create_app
from app.api.auth import grant_token
from app.database import write_intent
from app.extensions import db
from app.models import User


def main(username: str) -> None:
    app = create_app()
    with app.app_context(), write_intent():
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        token, _row = grant_token(user, "127.0.0.1")
        db.session.commit()
    print(f"Authorization: Bearer {token}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "auditor")
