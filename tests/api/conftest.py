"""Fixtures of the API tests: a client per request context, bearer tokens, a small JSON caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient

PASSWORD = "password123"


@dataclass
class Answer:
    status: int
    json: Any
    headers: Any

    @property
    def error(self) -> dict[str, Any]:
        assert isinstance(self.json, dict) and "error" in self.json, self.json
        return self.json["error"]

    @property
    def rules(self) -> list[str]:
        return [finding["rule"] for finding in self.error["findings"]]


class Caller:
    """``api.get("/decisions", as_=clerk)``: JSON in, ``Answer`` out, with the user's bearer token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.tokens: dict[int, str] = {}

    def token(self, user) -> str:
        if user.id not in self.tokens:
            response = self.client.post("/api/v1/tokens", json={"username": user.username, "password": PASSWORD})
            self.end_snapshot()
            assert response.status_code == 201, response.get_data(as_text=True)
            self.tokens[user.id] = response.get_json()["token"]
        return self.tokens[user.id]

    def headers(self, user, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token(user)}"} if user is not None else {}
        return {**headers, **(extra or {})}

    def call(self, method: str, path: str, as_=None, json: Any = None, headers: dict[str, str] | None = None,
             **kwargs) -> Answer:
        url = path if path.startswith("/api/") else f"/api/v1{path}"
        if json is not None:
            kwargs["json"] = json
        response = self.client.open(url, method=method, headers=self.headers(as_, headers), **kwargs)
        self.end_snapshot()
        body = response.get_json(silent=True)
        return Answer(response.status_code, body, response.headers)

    @staticmethod
    def end_snapshot() -> None:
        """End the test's own read transaction, so it sees the request's commit and may write after it.

        (On SQLite in WAL mode a read transaction older than another
        connection's commit cannot turn into a write.)
        """
        from app.extensions import db

        db.session.rollback()

    def get(self, path: str, as_=None, **kwargs) -> Answer:
        return self.call("GET", path, as_, **kwargs)

    def post(self, path: str, as_=None, **kwargs) -> Answer:
        return self.call("POST", path, as_, **kwargs)

    def put(self, path: str, as_=None, **kwargs) -> Answer:
        return self.call("PUT", path, as_, **kwargs)

    def patch(self, path: str, as_=None, **kwargs) -> Answer:
        return self.call("PATCH", path, as_, **kwargs)


@pytest.fixture
def api(client) -> Caller:
    return Caller(client)


@pytest.fixture
def admin(make_user):
    return make_user("admin")


@pytest.fixture
def other_clerk(make_user):
    """A clerk of 城东街道 (CD), an organisation that sees nothing of 白甸镇."""
    return make_user("clerk", "CD")
