"""Configuration classes, read from the environment.

Development defaults are safe to run on a laptop; ``ProductionConfig`` refuses
to start without a real ``SECRET_KEY``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def database_url(default: str) -> str:
    """Accept the common ``postgres://`` / ``postgresql://`` spellings and use psycopg 3."""
    url = os.environ.get("DATABASE_URL") or default
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = database_url(f"sqlite:///{INSTANCE_DIR / 'decisions.sqlite'}")
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    #: Jurisdiction profile of the rulebook: national, jiangsu or nantong.
    RULEBOOK_PROFILE = os.environ.get("RULEBOOK_PROFILE", "national")
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    MAX_CONTENT_LENGTH = _int("MAX_UPLOAD_MB", 20) * 1024 * 1024
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = ("zh_CN", "en")
    PER_PAGE = 25
    MAX_PER_PAGE = 100
    #: How passwords are hashed (werkzeug ``generate_password_hash`` method): scrypt, werkzeug's default.
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a method name, not a password
    #: Lifetime of a JSON API bearer token, in hours.
    API_TOKEN_HOURS = _int("API_TOKEN_HOURS", 12)
    #: Live bearer tokens a user may hold; issuing one more revokes the oldest.
    API_MAX_TOKENS = _int("API_MAX_TOKENS", 5)
    #: Ed25519 private key (PEM) that signs audit checkpoints; kept outside the database (``flask audit keygen``).
    AUDIT_SIGNING_KEY_FILE = os.environ.get("AUDIT_SIGNING_KEY_FILE")
    #: Its public key (PEM), enough to verify checkpoints where the private key must not be.
    AUDIT_VERIFY_KEY_FILE = os.environ.get("AUDIT_VERIFY_KEY_FILE")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    BOOTSTRAP_SERVE_LOCAL = True
    WTF_CSRF_TIME_LIMIT = None
    TESTING = False


class DevelopmentConfig(Config):
    DEBUG = False


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-only"  # noqa: S105 - test fixture value
    SQLALCHEMY_DATABASE_URI = database_url("sqlite://")
    WTF_CSRF_ENABLED = False
    #: A cheap hash: every user created and every login of the suite would otherwise pay for scrypt (~0.2 s).
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - a method name, not a password


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"

    @classmethod
    def check(cls) -> None:
        """Refuse to run production with the development secret."""
        key = os.environ.get("SECRET_KEY", "")
        if len(key) < 32 or key == Config.SECRET_KEY:
            raise RuntimeError("SECRET_KEY must be set to a random string of at least 32 characters")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestConfig,
    "production": ProductionConfig,
}
