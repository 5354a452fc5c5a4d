"""Flask's signed-cookie session, with the cookies this process has verified remembered.

Opening the session is work on every request: a serializer is built, its key
derived (an HMAC), the signature checked (another), the payload decoded and
its JSON read. A browser sends the same cookie until its session changes, so a
cookie that verified is kept here, by its exact text (and the secret it was
signed with), with its content and the time it was signed; the next request
with that text only checks its age. Any other text, a changed one included, is
verified anew; one that fails verification is never kept. Each request gets its
own copy of the content, so what it changes stays its own.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

from app.services.memo import StampedLru

#: Plain values are shared between copies; anything else (a list of flashed messages) is copied.
_IMMUTABLE = (str, int, float, bool, type(None))


class RememberingSessionInterface(SecureCookieSessionInterface):
    """``SecureCookieSessionInterface`` that verifies a given cookie text once per process."""

    def __init__(self, size: int = 1024) -> None:
        self._verified = StampedLru(size)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not app.secret_key:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (app.secret_key, value)
        verified = self._verified.get(key)
        if verified is None:
            try:
                data, signed_at = self.get_signing_serializer(app).loads(value, max_age=max_age,
                                                                          return_timestamp=True)
            except BadSignature:
                return self.session_class()
            verified = (data, int(signed_at.timestamp()))
            self._verified.put(key, verified)
        data, signed_at = verified
        age = int(time.time()) - signed_at
        if age > max_age or age < 0:  # itsdangerous' rule (a negative age: the clock went back)
            return self.session_class()
        return self.session_class(_copy(data))


def _copy(data: dict[str, Any]) -> dict[str, Any]:
    return {name: value if isinstance(value, _IMMUTABLE) else copy.deepcopy(value) for name, value in data.items()}
