"""The result objects of the rulebook."""

from __future__ import annotations

from dataclasses import dataclass

from .vocabulary import Severity, StepKind


@dataclass(frozen=True)
class Finding:
    """One thing missing or done wrong, with the article it comes from."""

    rule: str
    severity: Severity
    step: StepKind | None
    message_zh: str
    message_en: str
    citation: str

    def message(self, locale: str = "zh_CN") -> str:
        return self.message_en if locale.startswith("en") else self.message_zh

    def to_dict(self, locale: str = "zh_CN") -> dict[str, str | None]:
        """The finding in the shape of the JSON API contract."""
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "step": self.step.value if self.step else None,
            "message": self.message(locale),
            "citation": self.citation,
        }
