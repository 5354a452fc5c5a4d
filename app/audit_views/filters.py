"""The audit-event page's query string: actor, action, decision (reference number), date range, page.

Like the decision list, a value that is not understood is dropped and named,
so the page says which filter it ignored instead of failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.web.paging import page_args

ACTOR_MAX, ACTION_MAX, REF_NO_MAX = 64, 40, 40


@dataclass(frozen=True)
class EventQuery:
    actor: str | None = None
    action: str | None = None
    ref_no: str | None = None
    since: date | None = None
    until: date | None = None
    page: int = 1
    per_page: int = 25
    default_per_page: int = 25
    #: Names of the arguments whose values were not understood and were ignored.
    ignored: tuple[str, ...] = field(default=())

    def args(self, **changes: Any) -> dict[str, Any]:
        """The normalised query arguments, for links that keep the page's filters."""
        args: dict[str, Any] = {
            "actor": self.actor,
            "action": self.action,
            "decision": self.ref_no,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "per_page": self.per_page if self.per_page != self.default_per_page else None,
            "page": self.page if self.page != 1 else None,
        }
        args.update(changes)
        return {key: value for key, value in args.items() if value is not None}


def _day(raw: str) -> date | None:
    if len(raw) != 10 or not raw.isascii():
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _text(raw: str, limit: int) -> str | None:
    if len(raw) > limit or "\x00" in raw or not raw.isprintable():
        return None
    return raw


def parse_event_args(args: Mapping[str, str], default_per_page: int, max_per_page: int) -> EventQuery:
    """Read the page's query string; anything not understood is ignored and reported."""
    ignored: list[str] = []
    values: dict[str, Any] = {}
    for name, key, limit in (("actor", "actor", ACTOR_MAX), ("action", "action", ACTION_MAX),
                             ("decision", "ref_no", REF_NO_MAX)):
        raw = (args.get(name) or "").strip()
        if raw:
            values[key] = _text(raw, limit)
            if values[key] is None:
                ignored.append(name)
    for name in ("since", "until"):
        raw = (args.get(name) or "").strip()
        if raw:
            values[name] = _day(raw)
            if values[name] is None:
                ignored.append(name)
    if values.get("since") and values.get("until") and values["since"] > values["until"]:
        ignored.append("until")
        values["until"] = None
    page, per_page = page_args(args, default_per_page, max_per_page, ignored)
    return EventQuery(page=page, per_page=per_page, default_per_page=default_per_page, ignored=tuple(ignored),
                      **values)
