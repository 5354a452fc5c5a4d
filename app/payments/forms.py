"""Forms of the money-trail pages; the services check everything again."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

ACCEPT = ".csv,.xlsx,.txt"


class PaymentUploadForm(FlaskForm):
    """A finance ledger (CSV or XLSX) of one organisation."""

    file = FileField(_l("Finance ledger (CSV or XLSX)"), render_kw={"accept": ACCEPT})
    org = SelectField(_l("Organisation"))


class LedgerUploadForm(FlaskForm):
    """An existing 台账 and why its decisions are entered after the fact."""

    file = FileField(_l("Ledger (XLSX or CSV)"), render_kw={"accept": ACCEPT})
    year = StringField(_l("Year"), render_kw={"inputmode": "numeric", "maxlength": 4})
    backfill_reason = TextAreaField(_l("Why the decisions are entered after the fact"),
                                    validators=[Length(max=2000)], render_kw={"rows": 2})


class ConfirmImportForm(FlaskForm):
    """The confirmation of a previewed upload, by its token."""

    token = HiddenField()


class LinkForm(FlaskForm):
    """The decision (by 编号) a payment belongs to; empty unlinks it."""

    decision_ref = StringField(_l("Decision number"), validators=[Length(max=40)],
                               render_kw={"maxlength": 40, "placeholder": "BD-2024-001"})
    back = HiddenField()
