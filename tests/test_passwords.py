"""Password hashing follows ``PASSWORD_HASH_METHOD``: scrypt in production, a cheap method only in the tests."""

from __future__ import annotations

import pytest

from config import DevelopmentConfig, ProductionConfig, TestConfig


@pytest.mark.parametrize("config", [ProductionConfig, DevelopmentConfig])
def test_production_and_development_use_scrypt(config):
    assert config.PASSWORD_HASH_METHOD == "scrypt"


def test_a_production_app_hashes_with_scrypt(monkeypatch, tmp_path):
    from app import create_app
    from app.models.user import User

    class Production(ProductionConfig):
        SECRET_KEY = "k" * 40
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'production.sqlite'}"

    with create_app(Production).app_context():
        user = User(username="u")
        user.set_password("s3cret-pass")
        assert user.password_hash.startswith("scrypt:") and user.check_password("s3cret-pass")


def test_the_suite_uses_the_cheap_method(make_user):
    assert make_user().password_hash.startswith(TestConfig.PASSWORD_HASH_METHOD + "$")


def test_unknown_user_is_checked_against_a_hash_of_the_configured_method(db, monkeypatch):
    from app.api import auth
    from app.api.errors import ApiError
    from app.services import authentication

    checked: list[str] = []
    monkeypatch.setattr(authentication, "check_password_hash",
                        lambda hash_, _password: checked.append(hash_) or False)
    with pytest.raises(ApiError):
        auth.issue_token("nobody", "password123", address="127.0.0.1")
    assert len(checked) == 1 and checked[0].startswith(TestConfig.PASSWORD_HASH_METHOD + "$")
