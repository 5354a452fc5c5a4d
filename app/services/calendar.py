"""Statutory holidays and make-up workdays for years the calendar library lacks."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask_babel import gettext as _

from app.extensions import db
from app.models import CalendarDay, User
from app.rulebook.vocabulary import CalendarDayKind

from .audit import record_event
from .compliance import forget_calendar
from .errors import ValidationFailed


def parse_calendar_csv(text: str) -> dict[date, CalendarDayKind]:
    """``date,kind`` rows (kind ``holiday`` or ``workday``); a header row is optional."""
    days: dict[date, CalendarDayKind] = {}
    errors: dict[str, str] = {}
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip() or row[0].strip().startswith("#"):
            continue
        if number == 1 and row[0].strip().lower() == "date":
            continue
        if len(row) != 2:
            errors[f"line {number}"] = _("expected two columns: date,kind")
            continue
        raw_day, raw_kind = row[0].strip(), row[1].strip().lower()
        try:
            day = date.fromisoformat(raw_day)
        except ValueError:
            errors[f"line {number}"] = _("%(value)s is not a date (YYYY-MM-DD)", value=raw_day)
            continue
        if raw_kind not in [k.value for k in CalendarDayKind]:
            errors[f"line {number}"] = _("kind must be holiday or workday, not %(value)s", value=raw_kind)
            continue
        if day in days and days[day] != raw_kind:
            errors[f"line {number}"] = _("%(day)s is listed twice with different kinds", day=raw_day)
            continue
        days[day] = CalendarDayKind(raw_kind)
    if errors:
        raise ValidationFailed(errors)
    if not days:
        raise ValidationFailed({"file": _("contains no days")})
    return days


def load_calendar_days(text: str, actor: User | None = None) -> int:
    """Store (or replace) the listed days; returns how many were loaded."""
    days = parse_calendar_csv(text)
    for day, kind in sorted(days.items()):
        row = db.session.get(CalendarDay, day)
        if row is None:
            db.session.add(CalendarDay(day=day, kind=kind.value, loaded_by_id=actor.id if actor else None))
        else:
            row.kind = kind.value
    db.session.flush()
    years = sorted({d.year for d in days})
    record_event(actor, "calendar.load", "calendar", None,
                 after={"years": years, "days": {d.isoformat(): k.value for d, k in sorted(days.items())}})
    forget_calendar()
    return len(days)
