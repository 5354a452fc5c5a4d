"""Fixtures of the security tests: Redis for the limits shared by app instances, a second app on the same database."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.conftest import IN_CI, RequestContextClient

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url() -> str:
    """Redis for the login limits; a missing Redis skips, except under CI=true where it fails."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        if IN_CI:
            pytest.fail(f"CI=true but Redis at {REDIS_URL} does not answer: {error}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    return REDIS_URL


@pytest.fixture
def instances(app, ctx):
    """``make(**config)``: another app instance on the test's database (a second worker or node)."""
    from app import create_app
    from app.database import engines_of
    from app.extensions import db

    made = []

    def make(**overrides):
        class Config:  # the session app's values, then the test's
            pass

        for key, value in app.config.items():
            if key.isupper():
                setattr(Config, key, value)
        Config.RATELIMIT_KEY_PREFIX = overrides.pop("RATELIMIT_KEY_PREFIX", f"test-{uuid.uuid4().hex}")
        for key, value in overrides.items():
            setattr(Config, key, value)
        instance = create_app(Config)
        instance.test_client_class = RequestContextClient
        made.append(instance)
        return instance

    yield make
    for instance in made:
        with instance.app_context():
            db.session.remove()
            for engine in engines_of(db.engine):
                engine.dispose()
