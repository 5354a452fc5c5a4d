"""Domain errors; the web and API layers map each to a form error or a 4xx."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_babel import gettext as _

from app.rulebook.findings import Finding
from app.rulebook.vocabulary import YEAR_MAX, YEAR_MIN


class DomainError(Exception):
    """Base: ``code`` is stable and machine-readable, ``message`` is for people."""

    code = "error"
    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """Missing, or belonging to an organisation the user may not see (never 403)."""

    code = "not_found"
    http_status = 404


class PermissionDenied(DomainError):
    code = "forbidden"
    http_status = 403


class Conflict(DomainError):
    """Someone else changed the decision since it was read (stale ``version``)."""

    code = "conflict"
    http_status = 409


class InvalidState(DomainError):
    """The action does not fit the decision's status (e.g. publishing a draft)."""

    code = "invalid_state"
    http_status = 422


class ValidationFailed(DomainError):
    """Input that cannot be recorded; ``errors`` maps each field to its message."""

    code = "validation_failed"
    http_status = 422

    def __init__(self, errors: Mapping[str, str], message: str | None = None) -> None:
        self.errors = dict(errors)
        summary = "; ".join(f"{name}: {text}" for name, text in self.errors.items())
        super().__init__(message or summary)


class RuleBlocked(DomainError):
    """The rulebook refuses the action; ``findings`` are the blockers, with citations."""

    code = "blocked_by_rules"
    http_status = 422

    def __init__(self, findings: Sequence[Finding], message: str) -> None:
        super().__init__(message)
        self.findings = list(findings)


def check_year(year: object, field: str = "year") -> int:
    """A decision year as an ``int`` within the range the database allows, or a field error."""
    if isinstance(year, bool) or not isinstance(year, int) or not YEAR_MIN <= year <= YEAR_MAX:
        raise ValidationFailed({field: _("must be a year between %(first)d and %(last)d", first=YEAR_MIN,
                                         last=YEAR_MAX)})
    return year


#: Characters that show nothing: zero-width spaces and joiners, the BOM, bidi marks, soft hyphen, word joiner.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad\u180e\u202a\u202b"
                                     "\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def visible_text(text: str | None) -> str | None:
    """``text`` stripped, or None when it has no visible character (spaces, zero-width marks only)."""
    if text is None:
        return None
    stripped = text.strip()
    if not stripped.translate(_INVISIBLE).strip():
        return None
    return stripped
