"""Forms of the catalogue pages; the services check everything again."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField
from wtforms.widgets import DateInput

from app.rulebook.vocabulary import ITEM_PROCEDURES
from app.web.forms import choices, textarea_field
from app.web.labels import CATEGORIES


def _date(label) -> StringField:
    return StringField(label, widget=DateInput())


def _short(label, maxlength: int = 100) -> StringField:
    return StringField(label, render_kw={"maxlength": maxlength})


class ErrorsMixin:
    """Puts the service's messages under the fields they name, the rest above the form."""

    def apply_errors(self, errors: dict[str, str]) -> None:
        for key, message in errors.items():
            field = getattr(self, key.removeprefix("procedures."), None)
            if field is not None and hasattr(field, "errors"):
                field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
            else:
                self.form_errors.append(message)


class CreateForm(ErrorsMixin, FlaskForm):
    year = StringField(_l("Year"), render_kw={"inputmode": "numeric", "maxlength": 4})


class ItemForm(ErrorsMixin, FlaskForm):
    """One matter; the procedures it must go through are the tick boxes (履行程序要求)."""

    seq = StringField(_l("No."), render_kw={"inputmode": "numeric"})
    title = _short(_l("Matter"), 200)
    category = SelectField(_l("Category"), choices=choices(CATEGORIES), validate_choice=False)
    decision_body = _short(_l("Decision body"))
    sponsor_unit = _short(_l("Sponsor unit"))
    legal_basis = textarea_field(_l("Legal and policy basis"), rows=2)
    planned_completion = _date(_l("Planned completion"))
    public_participation = BooleanField(_l("Public participation"), default=True)
    expert_review = BooleanField(_l("Expert review"), default=True)
    risk_assessment = BooleanField(_l("Risk assessment"), default=True)
    hearing = BooleanField(_l("Hearing"))
    fair_competition_review = BooleanField(_l("Fair competition review"))
    adjustment_reason = textarea_field(_l("Reason for the adjustment"), rows=2)

    def payload(self) -> dict[str, Any]:
        """The item as the service takes it: every procedure flag explicit (an unticked box is false)."""
        data: dict[str, Any] = {name: getattr(self, name).data for name in
                                ("title", "category", "decision_body", "sponsor_unit", "legal_basis",
                                 "planned_completion", "adjustment_reason")}
        data["seq"] = self.seq.data or None
        data["procedures"] = {name: bool(getattr(self, name).data) for name in ITEM_PROCEDURES}
        return data


class ApproveForm(ErrorsMixin, FlaskForm):
    approved_on = _date(_l("Agreed by the party committee on"))
    approval_ref = _short(_l("Document of the agreement"))


class PublishForm(ErrorsMixin, FlaskForm):
    published_on = _date(_l("Published on"))


class RemoveForm(ErrorsMixin, FlaskForm):
    adjustment_reason = textarea_field(_l("Reason for the adjustment"), rows=2)


class LinkForm(ErrorsMixin, FlaskForm):
    decision_id = StringField(_l("Decision"))


class ImportForm(ErrorsMixin, FlaskForm):
    file = FileField(_l("Catalogue sheet (XLSX)"))


