"""One small parser per type of recorded fact, shared by the decision's fields and the steps' fields.

A ``FieldSpec`` names a fact and its type; ``parse_field`` turns API or form
input into a Python value, or records one message under the field's key (the
web forms place it by that key, e.g. ``experts[0].name``). Each parser sees a
non-empty answer; what an empty one means is the spec's ``empty``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any

from flask_babel import gettext as _

from app.rulebook.vocabulary import YEAR_MIN

from .errors import ValidationFailed, check_year, visible_text

TEXT_MAX = 20_000
SHORT_MAX = 100
#: The earliest date a step may record (the first day of the first year a decision may belong to).
DATE_MIN = date(YEAR_MIN, 1, 1)
COUNT_MAX = 1_000_000_000
AMOUNT_LIMIT = Decimal("1e14")
#: Room for any amount of the ledger, and no more (``Decimal`` would parse a million digits).
AMOUNT_TEXT_MAX = 40
_FEN = Decimal("0.01")


class Empty(Enum):
    """What an empty answer (none, or text of spaces only) means, when it is not simply a value."""

    REQUIRED = "required"  # refused: "is required"
    PARSE = "parse"  # the type's parser judges it like any other answer


@dataclass(frozen=True)
class FieldSpec:
    """A recorded fact: its API name, its type (a key of ``PARSERS``) and what an empty answer gives."""

    name: str
    type: str
    enum: type[StrEnum] | None = None
    #: The most characters of a text; None: the type's own limit.
    limit: int | None = None
    #: The value of an empty answer, or an ``Empty`` rule.
    empty: Any = None


class Invalid(Exception):
    """A parser's refusal of one answer, with the message the user sees."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FieldErrors(dict[str, str]):
    """Messages by field key; the first message of a field is the one it shows."""

    def add(self, key: str, message: str) -> None:
        self.setdefault(key, message)


#: A date as YYYY-MM-DD in ASCII digits; ``date.fromisoformat`` alone also takes 2025-W40-1 and 20250101.
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date(raw: Any, spec: FieldSpec) -> date:
    value = raw if isinstance(raw, date) else None
    if isinstance(raw, str) and ISO_DATE.fullmatch(raw.strip()):
        with suppress(ValueError):
            value = date.fromisoformat(raw.strip())
    if value is None:
        raise Invalid(_("must be a date in the form YYYY-MM-DD"))
    if value < DATE_MIN:
        # Older than any decision: a typo, which would make the rules count centuries.
        raise Invalid(_("must not be before %(day)s", day=DATE_MIN.isoformat()))
    return value


def _digits(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also takes ２０２５ and ٢٠٢٥."""
    return text.isascii() and text.isdigit()


def _count(raw: Any, spec: FieldSpec) -> int:
    if isinstance(raw, str) and _digits(raw.strip().lstrip("-")):
        raw = int(raw.strip())
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise Invalid(_("must be a whole number"))
    if raw < 0:
        raise Invalid(_("must not be negative"))
    if raw > COUNT_MAX:
        raise Invalid(_("is too large"))
    return raw


def _year(raw: Any, spec: FieldSpec) -> int:
    if isinstance(raw, str) and _digits(raw.strip()):
        raw = int(raw)
    try:
        return check_year(raw, spec.name)
    except ValidationFailed as refused:
        raise Invalid(refused.errors[spec.name]) from None


def _flag(raw: Any, spec: FieldSpec) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in ("true", "1", "yes", "on", "y"):
        return True
    if isinstance(raw, str) and raw.lower() in ("false", "0", "no", "off", "n", ""):
        return False
    raise Invalid(_("must be true or false"))


def _allowed(spec: FieldSpec) -> list[str]:
    return [member.value for member in spec.enum]


def _choice(raw: Any, spec: FieldSpec) -> str:
    if isinstance(raw, str) and raw in _allowed(spec):
        return raw
    raise Invalid(_("must be one of: %(values)s", values=", ".join(_allowed(spec))))


def _choices(raw: Any, spec: FieldSpec) -> list[str] | None:
    """Several members, as a list or comma-separated; repeats count once."""
    allowed = _allowed(spec)
    if isinstance(raw, str):
        raw = [part.strip() for part in raw.split(",") if part.strip()]
    if not isinstance(raw, list | tuple) or any(not isinstance(v, str) or v not in allowed for v in raw):
        raise Invalid(_("must be a list of: %(values)s", values=", ".join(allowed)))
    return list(dict.fromkeys(raw)) or None


def _text(raw: Any, spec: FieldSpec, default_limit: int) -> str:
    if not isinstance(raw, str):
        raise Invalid(_("must be text"))
    value = visible_text(raw) or ""
    limit = spec.limit or default_limit
    if len(value) > limit:
        raise Invalid(_("is longer than %(limit)d characters", limit=limit))
    return value


def _document(raw: Any, spec: FieldSpec) -> str:
    """A draft text: kept exactly as given, since its SHA-256 is what the legality review signs."""
    if not isinstance(raw, str):
        raise Invalid(_("is required"))
    if len(raw) > spec.limit:
        raise Invalid(_("is longer than %(limit)d characters", limit=spec.limit))
    return raw


def _amount(raw: Any, spec: FieldSpec) -> Decimal | None:
    """Yuan, at most two decimals (a fen: more are refused, not rounded); a form's empty box is no amount.

    Only ASCII digits (``Decimal`` also reads １２ and ١٢); ``NaN``, ``sNaN`` and
    ``Infinity`` (in any spelling ``Decimal`` or ``float`` accepts) are not amounts,
    nor is anything of 10¹⁴ yuan or more (the column is NUMERIC(16, 2)); ``-0`` is 0.
    """
    if raw in (None, ""):
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise Invalid(_("must be an amount in yuan"))
    if isinstance(raw, str) and (len(raw) > AMOUNT_TEXT_MAX or not raw.isascii()):
        raise Invalid(_("must be an amount in yuan"))
    try:
        exact = Decimal(raw.strip() if isinstance(raw, str) else str(raw))
        if not exact.is_finite():
            raise Invalid(_("must be an amount in yuan"))
        # copy_abs, unlike abs(), never rounds nor overflows.
        if exact.copy_abs() >= AMOUNT_LIMIT:
            raise Invalid(_("is too large"))
        value = exact.quantize(_FEN)
    except (ArithmeticError, ValueError):  # decimal's InvalidOperation, Overflow …; int → str beyond its limit
        raise Invalid(_("must be an amount in yuan")) from None
    if value != exact:
        raise Invalid(_("must have at most two decimals (a fen)"))
    if value < 0:
        raise Invalid(_("must not be negative"))
    return value if value else Decimal("0.00")  # -0.00 → 0.00


#: The parser of each field type.
PARSERS: dict[str, Callable[[Any, FieldSpec], Any]] = {
    "date": _date,
    "int": _count,
    "year": _year,
    "bool": _flag,
    "enum": _choice,
    "enum_list": _choices,
    "short": lambda raw, spec: _text(raw, spec, SHORT_MAX),
    "text": lambda raw, spec: _text(raw, spec, TEXT_MAX),
    "document": _document,
    "amount": _amount,
}


def is_empty(raw: Any, spec: FieldSpec) -> bool:
    """None, or text with nothing visible (spaces, zero-width marks); for a tick box an empty text is unticked."""
    return raw is None or (isinstance(raw, str) and spec.type != "bool" and visible_text(raw) is None)


def parse_field(spec: FieldSpec, raw: Any, errors: FieldErrors, key: str | None = None) -> Any:
    """The value of one answer, or None with the answer's message added to ``errors`` under ``key``."""
    try:
        if spec.empty is Empty.PARSE or not is_empty(raw, spec):
            return PARSERS[spec.type](raw, spec)
        if spec.empty is Empty.REQUIRED:
            raise Invalid(_("is required"))
        return spec.empty
    except Invalid as refused:
        errors.add(key or spec.name, refused.message)
        return None
