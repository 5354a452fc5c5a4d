"""The legal adviser's signature form."""

from __future__ import annotations

from typing import Any

from wtforms import HiddenField

from app.web.forms import PayloadForm, date_field, select_field, textarea_field
from app.web.labels import LEGAL_OPINIONS, field_label


class SignForm(PayloadForm):
    """The legality opinion, its text and date; signing binds the current draft's sha256."""

    version = HiddenField()
    opinion = select_field("opinion", LEGAL_OPINIONS)
    opinion_text = textarea_field(field_label("opinion_text"), rows=6, maxlength=20000)
    reviewed_on = date_field("reviewed_on")
    legal_risk_statement = textarea_field(field_label("legal_risk_statement"), rows=3, maxlength=20000)

    FIELDS = ("opinion", "opinion_text", "reviewed_on", "legal_risk_statement")

    def payload(self) -> dict[str, Any]:
        return {**{name: self._fields[name].data for name in self.FIELDS}, "version": self.version.data}
