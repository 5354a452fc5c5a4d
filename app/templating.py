"""Jinja filters and globals shared by every page."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask

from .services import permissions

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Timestamps are stored in UTC and shown in Asia/Shanghai."""
    if value is None:
        return ""
    return value.astimezone(LOCAL_TZ).strftime(fmt)


def register(app: Flask) -> None:
    app.add_template_filter(local_time, "local_time")
    app.jinja_env.globals["perm"] = permissions
