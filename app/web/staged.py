"""An uploaded file kept between its preview and the confirmation that imports it.

The preview reads the file and writes nothing; the confirmation must import exactly the file that was
previewed, without asking the browser to send it again. So the upload is kept under the instance folder by a
random token, bound to the user who sent it, for an hour; the token travels in the confirmation form.
"""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path

from flask import current_app

#: How long a previewed upload waits for its confirmation.
LIFETIME_SECONDS = 3600


def _folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "staged"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path) -> None:
    cutoff = time.time() - LIFETIME_SECONDS
    for path in folder.glob("*.json"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            path.with_suffix(".bin").unlink(missing_ok=True)


def stage(data: bytes, filename: str, user_id: int, purpose: str, **extra: object) -> str:
    """Keep the upload; the token that finds it again."""
    folder = _folder()
    _sweep(folder)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.bin").write_bytes(data)
    meta = {"filename": filename, "user_id": user_id, "purpose": purpose, **extra}
    (folder / f"{token}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return token


def load(token: str, user_id: int, purpose: str) -> tuple[bytes, dict] | None:
    """The staged upload of this user for this purpose, or None (expired, someone else's, or a bad token)."""
    if not token or not token.replace("-", "").replace("_", "").isalnum() or len(token) > 64:
        return None
    folder = _folder()
    meta_path, data_path = folder / f"{token}.json", folder / f"{token}.bin"
    if not meta_path.exists() or not data_path.exists():
        return None
    if meta_path.stat().st_mtime < time.time() - LIFETIME_SECONDS:
        return None
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("user_id") != user_id or meta.get("purpose") != purpose:
        return None
    return data_path.read_bytes(), meta


def discard(token: str) -> None:
    folder = _folder()
    (folder / f"{token}.json").unlink(missing_ok=True)
    (folder / f"{token}.bin").unlink(missing_ok=True)
