"""The legal adviser's signature form."""

from __future__ import annotations

from typing import Any

from wtforms import HiddenField

from app.decisions.forms import PayloadForm, _date, _select, _textarea
from app.labels import LEGAL_OPINIONS, field_label


class SignForm(PayloadForm):
    """The legality opinion, its text and date; signing binds the current draft's sha256."""

    version = HiddenField()
    opinion = _select("opinion", LEGAL_OPINIONS)
    opinion_text = _textarea(field_label("opinion_text"), rows=6, maxlength=20000)
    reviewed_on = _date("reviewed_on")
    legal_risk_statement = _textarea(field_label("legal_risk_statement"), rows=3, maxlength=20000)

    FIELDS = ("opinion", "opinion_text", "reviewed_on", "legal_risk_statement")

    def payload(self) -> dict[str, Any]:
        return {**{name: self._fields[name].data for name in self.FIELDS}, "version": self.version.data}
