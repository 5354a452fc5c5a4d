"""The app's one clock: UTC timestamps for storage, Beijing dates for the law.

Statutory dates (a step "completed on", a decision "published on", the day a
deadline is counted from) are local dates in China, whatever the server's own
time zone is. Every reading of the time goes through ``_utc_now`` so a test can
freeze it by replacing that one function. The pure rulebook does not read the
clock: it is given ``today`` in its snapshot.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

#: The time zone of statutory dates and of the times shown on pages.
TIMEZONE = ZoneInfo("Asia/Shanghai")


def _utc_now() -> datetime:
    return datetime.now(UTC)


def utcnow() -> datetime:
    """Now, timezone-aware in UTC: what timestamp columns store."""
    return _utc_now()


def now() -> datetime:
    """Now, in Beijing time."""
    return _utc_now().astimezone(TIMEZONE)


def today() -> date:
    """Today's date in Beijing, the date a clerk means by "today"."""
    return now().date()
