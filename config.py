"""Configuration classes, read from the environment.

Development defaults are safe to run on a laptop; ``ProductionConfig`` refuses
to start without a real ``SECRET_KEY`` (at least 32 characters, not the
development one). Development without ``SECRET_KEY`` signs its cookies with a
random key of the process and says so in the log: leaving out ``APP_ENV`` on a
server never gives it a signing key that is published in this file.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import ClassVar

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _pairs(name: str) -> dict[str, str]:
    """``CODE=VALUE,CODE=VALUE`` from the environment (e.g. ``ARCHIVE_FONDS=BD=Z109,HA=Z001``)."""
    pairs = {}
    for part in os.environ.get(name, "").split(","):
        code, _sep, value = part.partition("=")
        if code.strip() and value.strip():
            pairs[code.strip()] = value.strip()
        elif part.strip():
            raise ValueError(f"{name}: {part!r} is not CODE=VALUE")
    return pairs


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value in (None, "") else value.lower() in ("1", "true", "yes", "on")


#: The key the tests sign with; no deployed config may use it.
DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - published on purpose: never accepted in production
SECRET_KEY_MIN = 32


def database_url(default: str) -> str:
    """Accept the common ``postgres://`` / ``postgresql://`` spellings and use psycopg 3."""
    url = os.environ.get("DATABASE_URL") or default
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SQLALCHEMY_DATABASE_URI = database_url(f"sqlite:///{INSTANCE_DIR / 'decisions.sqlite'}")
    #: PostgreSQL: a pooled connection idle for longer than this is pinged before use (``app.database``).
    DATABASE_PING_IDLE_SECONDS = _int("DATABASE_PING_IDLE_SECONDS", 10)
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
    #: The decision dossier's 档号 (DA/T 22-2015): 全宗号 per organisation code ("BD=Z109,HA=Z001"; default: the
    #: organisation's own code), 档案门类代码 (WS 文书), 保管期限 (Y 永久, D30, D10), 机构(问题)代码 and 密级.
    ARCHIVE_FONDS: ClassVar[dict[str, str]] = _pairs("ARCHIVE_FONDS")
    ARCHIVE_CATEGORY_CODE = os.environ.get("ARCHIVE_CATEGORY_CODE", "WS")
    ARCHIVE_RETENTION = os.environ.get("ARCHIVE_RETENTION", "Y")
    ARCHIVE_PROBLEM_CODE = os.environ.get("ARCHIVE_PROBLEM_CODE", "JC")
    ARCHIVE_SECRECY = os.environ.get("ARCHIVE_SECRECY", "")
    #: Where the dossier PDF's working font (cut once from the installed Noto Sans CJK) is kept.
    ARCHIVE_FONT_CACHE = os.environ.get("ARCHIVE_FONT_CACHE", str(INSTANCE_DIR / "fonts"))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    #: Flask-Login: "strong" ends the session when the address or browser changes, "basic" only marks it stale.
    SESSION_PROTECTION = os.environ.get("SESSION_PROTECTION", "basic")
    #: A web session ends after this many idle minutes, and after ``SESSION_ABSOLUTE_HOURS`` in any case.
    SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 30)
    SESSION_ABSOLUTE_HOURS = _int("SESSION_ABSOLUTE_HOURS", 12)
    #: ``last_seen_at`` of a session is written at most this often (GET pages stay read-only).
    SESSION_TOUCH_SECONDS = _int("SESSION_TOUCH_SECONDS", 60)
    #: Failed logins per username before it is locked (counted in the database, across workers and nodes).
    LOGIN_MAX_FAILURES = _int("LOGIN_MAX_FAILURES", 5)
    #: The first lock lasts this long; each failure after a lock doubles it, up to ``LOGIN_LOCKOUT_MAX_SECONDS``.
    LOGIN_LOCKOUT_SECONDS = _int("LOGIN_LOCKOUT_SECONDS", 60)
    LOGIN_LOCKOUT_MAX_SECONDS = _int("LOGIN_LOCKOUT_MAX_SECONDS", 3600)
    #: A username's failures are forgotten after this long without one.
    LOGIN_FAILURE_WINDOW_SECONDS = _int("LOGIN_FAILURE_WINDOW_SECONDS", 3600)
    #: Failed logins per client address (Flask-Limiter notation); an office behind one NAT shares it.
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "30 per 15 minutes")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "ledger")
    #: Reverse proxies in front of the app whose X-Forwarded-For / -Proto are trusted (werkzeug ProxyFix).
    PROXY_FIX_X_FOR = _int("PROXY_FIX_X_FOR", 0)
    PROXY_FIX_X_PROTO = _int("PROXY_FIX_X_PROTO", _int("PROXY_FIX_X_FOR", 0))
    #: Strict-Transport-Security max-age in seconds; 0 sends no HSTS header (production: one year).
    HSTS_SECONDS = _int("HSTS_SECONDS", 0)
    #: The to-do page and ``GET /api/v1/due`` list the deadlines ending within this many days (and those passed).
    DUE_WINDOW_DAYS = _int("DUE_WINDOW_DAYS", 14)
    #: Where ``flask reminders send`` links to: the address people open the app at.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    #: The SMTP server of the reminders (standard library smtplib).
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_FROM = os.environ.get("MAIL_FROM", "重大决策合规台账 <noreply@localhost>")
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 30)
    BOOTSTRAP_SERVE_LOCAL = True
    WTF_CSRF_TIME_LIMIT = None
    #: The page cache (rendered fragments keyed by what they show, ``app.web.page_cache``): in this process by
    #: default; with ``CACHE_REDIS_URL`` (e.g. redis://127.0.0.1:6379/1) in Redis, shared by every worker and node.
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL") or None
    CACHE_TYPE = os.environ.get("CACHE_TYPE") or ("RedisCache" if CACHE_REDIS_URL else "SimpleCache")
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "ledger:")
    #: An entry is kept at most this long (seconds); keys change with every write anyway, this only frees memory.
    CACHE_DEFAULT_TIMEOUT = _int("CACHE_DEFAULT_TIMEOUT", 3600)
    #: In-process cache: at most this many entries per worker (a decision page ~30 KB, a list row ~1 KB: ≤ ~15 MB).
    CACHE_THRESHOLD = _int("CACHE_THRESHOLD", 500)
    TESTING = False

    @classmethod
    def check(cls) -> None:
        """Called by the factory before the app is built; production refuses a weak key."""


class DevelopmentConfig(Config):
    DEBUG = False

    @classmethod
    def check(cls) -> None:
        """Without ``SECRET_KEY``, sign with a random key of this process, and say so loudly."""
        if not cls.SECRET_KEY:
            cls.SECRET_KEY = secrets.token_hex(32)
            print(  # before logging is configured: it must be seen
                "WARNING: SECRET_KEY is not set: using a random key of this process (sessions end when it "
                "restarts, and several workers do not share them). A server needs APP_ENV=production "
                "and a SECRET_KEY of at least 32 random characters.",
                file=sys.stderr,
            )


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = DEV_SECRET_KEY
    SQLALCHEMY_DATABASE_URI = database_url("sqlite://")
    WTF_CSRF_ENABLED = False
    #: A cheap hash: every user created and every login of the suite would otherwise pay for scrypt (~0.2 s).
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - a method name, not a password
    # The login limits would trip over the suite's many logins; the tests of the limits switch them on.
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_MAX_FAILURES = 1000
    #: A real cache, of this process, emptied between tests (tests/conftest.py): the cache tests exercise it.
    CACHE_TYPE = "SimpleCache"
    CACHE_REDIS_URL = None


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    SESSION_PROTECTION = os.environ.get("SESSION_PROTECTION", "strong")
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    HSTS_SECONDS = _int("HSTS_SECONDS", 31_536_000)
    #: Redis, so that every worker and node counts the same failed logins per address.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    #: Redis down: count per worker in memory meanwhile (logged) rather than refuse every login.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True

    @classmethod
    def check(cls) -> None:
        """Refuse to run production with the development secret, a short one, or none."""
        key = cls.SECRET_KEY or ""
        if len(key) < SECRET_KEY_MIN or key == DEV_SECRET_KEY:
            raise RuntimeError(
                f"SECRET_KEY must be set to a random string of at least {SECRET_KEY_MIN} characters "
                "(python -c 'import secrets; print(secrets.token_hex(32))')"
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestConfig,
    "production": ProductionConfig,
}
