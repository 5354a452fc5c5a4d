"""Jinja filters and globals shared by every page."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Flask, current_app
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from app.clock import TIMEZONE
from app.rulebook import CATALOGUE, RULES
from app.rulebook.labels import citation_en
from app.rulebook.vocabulary import Severity, StepStatus
from app.services import permissions

from . import labels, page_cache

EMPTY = "—"

#: Bootstrap colour of each badge, by stored value.
SEVERITY_COLOURS = {Severity.BLOCKER: "danger", Severity.VIOLATION: "warning", Severity.WARNING: "info"}
STEP_STATUS_COLOURS = {
    StepStatus.NOT_STARTED: "secondary",
    StepStatus.IN_PROGRESS: "primary",
    StepStatus.COMPLETED: "success",
    StepStatus.EXEMPTED: "info",
}
DECISION_STATUS_COLOURS = {
    "draft": "secondary",
    "in_progress": "primary",
    "submitted": "warning",
    "decided": "info",
    "published": "success",
    "archived": "dark",
}


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Timestamps are stored in UTC and shown in Asia/Shanghai."""
    if value is None:
        return ""
    return value.astimezone(TIMEZONE).strftime(fmt)


def current_locale() -> str:
    """The page's language as a string (``zh_Hans_CN`` or ``en``), for ``Finding.message``."""
    return str(get_locale())


def html_lang() -> str:
    return "en" if is_english() else "zh-CN"


def is_english() -> bool:
    return current_locale().startswith("en")


def colon() -> str:
    """The colon after a label: full-width in Chinese."""
    return ": " if is_english() else "："


def amount(value: Decimal | None) -> str:
    """A yuan amount with thousands separators, e.g. 1,250,000.00."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.00")


def short_hash(value: str | None, length: int = 12) -> str:
    return (value or "")[:length]


def _join(items: list[object]) -> str:
    separator = ", " if is_english() else "、"
    return separator.join(str(item) for item in items)


def format_value(value: Any, name: str = "", *, entity: str | None = None, kind: str | None = None) -> str:
    """A recorded fact as people read it: labels for code values, yes/no, dates, lists."""
    if value is None or value == "" or value == []:
        return EMPTY
    typed = _typed_text(value, name)
    if typed is not None:
        return typed
    enum = labels.field_enum(name, entity=entity, kind=kind)
    mapping = labels.ENUM_LABELS.get(enum) if enum else None
    if isinstance(value, list):
        if all(isinstance(item, str | int | float) for item in value):
            return _join([labels.label(mapping, item) if mapping else item for item in value])
        return _join([_entry_text(item) for item in value])
    if isinstance(value, Mapping):
        return _entry_text(value)
    if mapping:
        return str(labels.label(mapping, value))
    return str(value)


def _typed_text(value: Any, name: str) -> str | None:
    """Values shown by their type (yes/no, times, dates, amounts, hashes); None for the rest."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return local_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return amount(value)
    if name == "amount_cny" and isinstance(value, str):
        try:
            return amount(Decimal(value))
        except ArithmeticError:
            return value
    if name == "draft_number" and isinstance(value, int):
        return draft_name(value)
    if name in ("draft_sha256", "sha256") and isinstance(value, str):
        return short_hash(value)
    return None


def _entry_text(entry: Any) -> str:
    """One expert or member opinion of a list, in a line of the history."""
    if not isinstance(entry, Mapping):
        return json.dumps(entry, ensure_ascii=False)
    head = entry.get("name") or entry.get("member") or ""
    rest = [
        f"{labels.field_label(key)}{colon()}{format_value(value, key)}"
        for key, value in entry.items()
        if key not in ("name", "member") and value not in (None, "", False)
    ]
    if not rest:
        return str(head)
    if is_english():
        return f"{head} ({'; '.join(rest)})"
    return f"{head}（{'；'.join(rest)}）"


@dataclass(frozen=True)
class Change:
    field: str
    label: object
    before: str
    after: str


def event_changes(event) -> list[Change]:
    """The fields an audit event changed, each as before → after."""
    before = event.before_data or {}
    after = event.after_data or {}
    kind = after.get("kind") or before.get("kind")
    # In the forms' order: the stored JSON keeps no order of its own (PostgreSQL's JSONB sorts the keys).
    last = len(labels.FIELD_ORDER)
    keys = sorted(dict.fromkeys([*after, *before]), key=lambda key: labels.FIELD_ORDER.get(key, last))
    rows = []
    for key in keys:
        if key == "kind" and event.entity == "step":
            continue  # the action's label already names the procedure
        if before.get(key) in (None, "", []) and after.get(key) in (None, "", []):
            continue  # e.g. an empty field of a new decision: nothing to tell
        rows.append(
            Change(
                field=key,
                label=labels.field_label(key),
                before=format_value(before.get(key), key, entity=event.entity, kind=kind) if key in before else "",
                after=format_value(after.get(key), key, entity=event.entity, kind=kind) if key in after else "",
            )
        )
    return rows


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object


#: Menu entries in order, each shown when its page exists and the user may use it.
NAV = (
    ("decisions.index", _l("Decisions"), lambda user: True),
    ("decisions.create", _l("New decision"), permissions.can_create),
    ("reports.dashboard", _l("Completeness reports"), permissions.can_view_reports),
    ("audit.events", _l("Audit events"), permissions.can_read_audit_log),
    ("audit.verify", _l("Audit trail"), permissions.can_verify_audit),
    ("admin.index", _l("Administration"), permissions.can_administer),
)


def nav_items() -> list[NavItem]:
    """The role-aware menu: only pages that exist and that the current user may open."""
    if not current_user.is_authenticated:
        return []
    views = current_app.view_functions
    return [NavItem(endpoint, text) for endpoint, text, allowed in NAV if endpoint in views and allowed(current_user)]


def draft_name(number: int) -> str:
    """A draft as people call it: 第3稿 / draft 3 (never the lock's version counter)."""
    return _("draft %(number)d", number=number)


def rule_title(rule_id: str) -> str:
    """What a rule checks, in the page's language (its id when the catalogue does not know it)."""
    rule = RULES.get(rule_id)
    if rule is None:
        return rule_id
    return rule.title_en if is_english() else rule.title_zh


def rule_choices() -> list[Any]:
    """The catalogue's rules in its order, for the list's rule filter."""
    return [RULES[rule_id] for rule_id in CATALOGUE]


def citation_text(citation: str) -> str:
    """A finding's citation in the page's language: stored in Chinese, rendered in English on English pages."""
    return citation_en(citation) if is_english() else citation


_SEVERITY_RANK = {severity.value: rank for rank, severity in enumerate(Severity)}


def by_severity(rows) -> list:
    """Finding rows (or findings) worst first, then by rule id."""
    return sorted(rows, key=lambda row: (_SEVERITY_RANK.get(str(row.severity), 99), row.rule))


def page_window(current: int, pages: int, radius: int = 2) -> list[int]:
    """Page numbers to link: the first, the last and those around the current one."""
    around = range(max(1, current - radius), min(pages, current + radius) + 1)
    return sorted({1, pages, *around})


def field_attrs(field: Any, help_text: object = None, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A field's HTML attributes: the caller's, plus what links it to its messages for assistive technology."""
    attrs = dict(extra or {})
    described = [f"{field.id}-error"] if field.errors else []
    if help_text:
        described.append(f"{field.id}-help")
    if field.errors:
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return attrs


#: Han characters and the CJK punctuation and full-width forms.
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def chinese_data(value: Any) -> Markup:
    """Data in Chinese on an English page, marked ``lang="zh-CN"`` (WCAG 3.1.2): screen readers then read it
    with a Chinese voice, and browsers pick Chinese glyphs. Elsewhere the value as it is (escaped)."""
    if value is None:
        return Markup("")
    text = str(value)
    if is_english() and _CJK.search(text):
        return Markup('<span lang="zh-CN">%s</span>') % text
    return escape(text)


def register(app: Flask) -> None:
    app.add_template_filter(chinese_data, "zh")
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(amount, "amount")
    app.add_template_filter(short_hash, "short_hash")
    app.add_template_filter(lambda value, *args, **kwargs: chinese_data(format_value(value, *args, **kwargs)),
                            "fact")
    app.add_template_filter(by_severity, "by_severity")
    app.jinja_env.globals.update(
        perm=permissions,
        labels=labels,
        label=labels.label,
        current_locale=current_locale,
        colon=colon,
        html_lang=html_lang,
        nav_items=nav_items,
        event_changes=event_changes,
        field_attrs=field_attrs,
        rule_title=rule_title,
        draft_name=draft_name,
        citation_text=citation_text,
        page_window=page_window,
        severity_colours=SEVERITY_COLOURS,
        step_status_colours=STEP_STATUS_COLOURS,
        decision_status_colours=DECISION_STATUS_COLOURS,
        csrf_slot=page_cache.csrf_slot,
    )
    from .navbar import navbar, next_slot, page_frame

    app.jinja_env.globals.update(navbar=navbar, next_slot=next_slot, page_frame=page_frame)
