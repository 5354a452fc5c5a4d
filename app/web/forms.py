"""The form machinery every page shares: the payload form, its field builders, the upload and version forms.

The forms do not judge the facts. They collect what was typed in the shape of
the JSON API (``payload()``: API field names, text as typed, lists of dicts),
the services check it, and ``apply_errors`` puts each of the services' messages
back next to its field (``experts[0].name`` → the name box of the first expert
row). Dates are HTML5 date boxes and counts number boxes with ``min=0``; a bad
value that still reaches the server is answered by the service's message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import FieldList, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import DateInput, NumberInput

from .labels import field_label
from .templating import colon

#: Most rows a list field takes (the service refuses more).
MAX_ROWS = 200
#: ``experts[3].name`` or ``opinions[0]``: an error of one row of a list field.
_ROW_KEY = re.compile(r"^(?P<list>\w+)\[(?P<index>\d+)\](?:\.(?P<field>\w+))?$")


def choices(mapping: Mapping[str, object], blank: bool = True) -> list[SelectChoice]:
    options = [SelectChoice(str(value), text) for value, text in mapping.items()]
    return [SelectChoice("", _l("— choose —")), *options] if blank else options


def date_field(name: str, **kwargs: Any) -> StringField:
    """A date box (the browser's date picker); the service checks the value."""
    return StringField(field_label(name), widget=DateInput(), **kwargs)


def count_field(name: str, minimum: int = 0) -> StringField:
    """A whole number box, never negative."""
    return StringField(field_label(name), widget=NumberInput(step=1, min=minimum),
                       render_kw={"inputmode": "numeric"})


def short_field(name: str, maxlength: int = 100, required: bool = False) -> StringField:
    render_kw: dict[str, Any] = {"maxlength": maxlength}
    if required:
        render_kw["required"] = True
    return StringField(field_label(name), render_kw=render_kw)


def text_field(name: str, rows: int = 3) -> TextAreaField:
    return textarea_field(field_label(name), rows=rows)


def select_field(name: str, mapping: Mapping[str, object], blank: bool = True) -> SelectField:
    # The service says what is allowed; a tampered value gets its message, not WTForms'.
    return SelectField(field_label(name), choices=choices(mapping, blank), validate_choice=False)


def unix_newlines(value: Any) -> Any:
    """Browsers send a textarea's line breaks as CRLF; the stored texts (and their sha256) use LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def textarea_field(label: object, **render_kw: Any) -> TextAreaField:
    return TextAreaField(label, filters=[unix_newlines], render_kw=render_kw)


def is_blank(value: Any) -> bool:
    """Nothing typed: None or only white space."""
    return value is None or (isinstance(value, str) and not value.strip())


class PayloadForm(FlaskForm):
    """A form whose data goes to a service as a plain dict, and whose errors come back from it."""

    #: Where each item of a list field came from: list name → {item index → row index}.
    row_map: dict[str, dict[int, int]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.row_map = {}
        self.list_errors: dict[str, list[str]] = {}

    def apply_errors(self, errors: Mapping[str, str]) -> None:
        """Put the service's messages on the fields; the rest go to ``form_errors`` with their label."""
        for key, message in errors.items():
            if not self._place_error(key, message):
                self.form_errors.append(f"{field_label(key.split('[')[0])}{colon()}{message}")

    def _place_error(self, key: str, message: str) -> bool:
        match = _ROW_KEY.match(key)
        if match:
            name = match["list"]
            row = self.row_map.get(name, {}).get(int(match["index"]))
            field = self._fields.get(name)
            if row is None or not isinstance(field, FieldList) or row >= len(field.entries):
                return False
            subform = field.entries[row].form
            target = subform._fields.get(match["field"] or "")
            if target is None:
                subform.form_errors.append(message)
            else:
                target.errors = [*target.errors, message]
            return True
        field = self._fields.get(key)
        if field is None or key == "csrf_token":
            return False
        if isinstance(field, FieldList):
            self.list_errors.setdefault(key, []).append(message)
        else:
            field.errors = [*field.errors, message]
        return True

    def error_summary(self) -> list[str]:
        return error_summary(self)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.form_errors or self.list_errors or any(
            entry.form.errors or entry.form.form_errors
            for field in self._fields.values() if isinstance(field, FieldList) for entry in field.entries
        ))


class VersionForm(PayloadForm):
    """A button that acts on the decision as the user saw it (submit, archive)."""

    version = HiddenField()


class UploadForm(PayloadForm):
    """One evidence file of one step."""

    step = HiddenField()
    file = FileField(_l("Evidence file"),
                     render_kw={"accept": ".pdf,.ofd,.doc,.docx,.xls,.xlsx,.jpg,.jpeg,.png"})


class SummaryLine(str):
    """One line of the error summary; ``target`` is the id of the field it links to (``None``: the whole form)."""

    target: str | None

    def __new__(cls, text: str, target: str | None = None) -> SummaryLine:
        line = super().__new__(cls, text)
        line.target = target
        return line


def error_summary(form: FlaskForm) -> list[SummaryLine]:
    """Every message of the form as "label: message", rows named by their number, for the box at the top.

    Each line knows the id of its field, so the box links every message to the field it is about.
    """
    sep = colon()
    lines = [SummaryLine(str(message)) for message in getattr(form, "form_errors", [])]
    for name, field in form._fields.items():
        if name == "csrf_token":
            continue
        if isinstance(field, FieldList):
            for message in getattr(form, "list_errors", {}).get(name, []):
                lines.append(SummaryLine(f"{field.label.text}{sep}{message}", f"field-{name}"))
            for number, entry in enumerate(field.entries, start=1):
                row = _l("%(list)s, row %(n)d", list=field.label.text, n=number)
                for message in entry.form.form_errors:
                    lines.append(SummaryLine(f"{row}{sep}{message}", f"field-{name}"))
                for sub in entry.form:
                    for message in sub.errors:
                        lines.append(SummaryLine(f"{row} · {sub.label.text}{sep}{message}", sub.id))
            continue
        for message in field.errors:
            lines.append(SummaryLine(f"{field.label.text}{sep}{message}", field.id))
    return lines
