"""The documented production command starts with a random key, and only then."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _production(**overrides):
    from config import ProductionConfig

    return type("Production", (ProductionConfig,), overrides)


def test_production_boots_with_a_random_key(tmp_path):
    from app import create_app

    app = create_app(_production(SECRET_KEY=secrets.token_hex(32), UPLOAD_FOLDER=str(tmp_path),
                                 SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'p.sqlite'}"))
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax" and app.config["SESSION_PROTECTION"] == "strong"
    assert app.config["HSTS_SECONDS"] >= 31_536_000
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("redis://")


@pytest.mark.parametrize("key", [None, "", "dev-only-not-secret", "short-key-of-31-characters-xxxx"])
def test_production_refuses_a_missing_default_or_short_key(key):
    from app import create_app

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(_production(SECRET_KEY=key))


def _env(tmp_path, **extra) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "APP_ENV", "DATABASE_URL")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'p.sqlite'}", UPLOAD_FOLDER=str(tmp_path / "uploads"), **extra)
    return env


def test_the_documented_command_starts_and_answers(tmp_path):
    """``APP_ENV=production SECRET_KEY=… gunicorn -w 2 wsgi:app``: the login page answers, with HSTS."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = _env(tmp_path, APP_ENV="production", SECRET_KEY=secrets.token_hex(32),
               RATELIMIT_STORAGE_URI="memory://")
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    command = [str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,  # noqa: S603 - our own command
                              stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                    assert response.status == 200
                    assert response.headers["Strict-Transport-Security"]
                    session_cookies = [c for c in response.headers.get_all("Set-Cookie") if c.startswith("session=")]
                    assert session_cookies and all("Secure" in c and "HttpOnly" in c for c in session_cookies)
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer")
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_without_a_key_production_does_not_start(tmp_path):
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=_env(tmp_path, APP_ENV="production"),
                            capture_output=True, text=True)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_development_without_a_key_uses_a_random_one_and_says_so(tmp_path):
    code = "import wsgi, config; assert wsgi.app.config['SECRET_KEY'] not in (None, config.DEV_SECRET_KEY)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(tmp_path),  # noqa: S603 - fixed code
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "SECRET_KEY is not set" in result.stderr
