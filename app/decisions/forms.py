"""The forms of the clerk's pages: one per screen, for rendering and CSRF only.

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
from dataclasses import dataclass
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, DateInput, ListWidget, NumberInput

from app.labels import (
    CATEGORIES,
    EXPERT_REVIEW_METHODS,
    MEETING_TYPES,
    OUTCOMES,
    PARTICIPATION_METHODS,
    POSITIONS,
    RISK_CONCLUSIONS,
    RISK_LEVELS,
    RISK_TYPES,
    STEP_KINDS,
    STEP_STATUSES,
    field_label,
)
from app.rulebook.vocabulary import EXEMPTIBLE_STEPS, StepKind, StepStatus
from app.services.step_fields import COMMON_FIELDS, KIND_FIELDS, StepField

#: Most rows a list field takes (the service refuses more).
MAX_ROWS = 200
#: ``experts[3].name`` or ``opinions[0]``: an error of one row of a list field.
_ROW_KEY = re.compile(r"^(?P<list>\w+)\[(?P<index>\d+)\](?:\.(?P<field>\w+))?$")


def _choices(mapping: Mapping[str, object], blank: bool = True) -> list[SelectChoice]:
    options = [SelectChoice(str(value), text) for value, text in mapping.items()]
    return [SelectChoice("", _l("— choose —")), *options] if blank else options


def _date(name: str, **kwargs: Any) -> StringField:
    """A date box (the browser's date picker); the service checks the value."""
    return StringField(field_label(name), widget=DateInput(), **kwargs)


def _count(name: str, minimum: int = 0) -> StringField:
    """A whole number box, never negative."""
    return StringField(field_label(name), widget=NumberInput(step=1, min=minimum),
                       render_kw={"inputmode": "numeric"})


def _short(name: str, maxlength: int = 100, required: bool = False) -> StringField:
    render_kw: dict[str, Any] = {"maxlength": maxlength}
    if required:
        render_kw["required"] = True
    return StringField(field_label(name), render_kw=render_kw)


def _text(name: str, rows: int = 3) -> TextAreaField:
    return _textarea(field_label(name), rows=rows)


def _select(name: str, mapping: Mapping[str, object], blank: bool = True) -> SelectField:
    # The service says what is allowed; a tampered value gets its message, not WTForms'.
    return SelectField(field_label(name), choices=_choices(mapping, blank), validate_choice=False)


def unix_newlines(value: Any) -> Any:
    """Browsers send a textarea's line breaks as CRLF; the stored texts (and their sha256) use LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def _textarea(label: object, **render_kw: Any) -> TextAreaField:
    return TextAreaField(label, filters=[unix_newlines], render_kw=render_kw)


def _blank(value: Any) -> bool:
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
                self.form_errors.append(f"{field_label(key.split('[')[0])}{_colon()}{message}")

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


def _colon() -> str:
    from app.templating import colon

    return colon()


# -- the decision ---------------------------------------------------------------------------------


class DecisionForm(PayloadForm):
    """Open a decision: its facts and the first draft."""

    title = _short("title", maxlength=200, required=True)
    category = _select("category", CATEGORIES)
    department = _short("department", required=True)
    year = StringField(field_label("year"), widget=NumberInput(step=1, min=2000, max=2100))
    amount_cny = StringField(field_label("amount_cny"), widget=NumberInput(step=0.01, min=0),
                             render_kw={"inputmode": "decimal"})
    summary = _textarea(field_label("summary"), rows=3, maxlength=20000)
    draft_text = _textarea(field_label("draft_text"), rows=14)

    FIELDS: ClassVar[tuple[str, ...]] = ("title", "category", "department", "year", "amount_cny", "summary",
                                         "draft_text")

    def payload(self) -> dict[str, Any]:
        return {name: self._fields[name].data for name in self.FIELDS}


class DecisionEditForm(DecisionForm):
    """Change the decision's facts or revise its draft; ``version`` guards against lost updates."""

    version = HiddenField()
    #: The reference number contains the year: shown, never sent.
    FIELDS: ClassVar[tuple[str, ...]] = ("title", "category", "department", "amount_cny", "summary",
                                         "draft_text")

    def payload(self) -> dict[str, Any]:
        return {**super().payload(), "version": self.version.data}


class VersionForm(PayloadForm):
    """A button that acts on the decision as the user saw it (submit, archive)."""

    version = HiddenField()


class PublishForm(VersionForm):
    published_on = _date("published_on")


class UploadForm(PayloadForm):
    """One evidence file of one step."""

    step = HiddenField()
    file = FileField(_l("Evidence file"),
                     render_kw={"accept": ".pdf,.ofd,.doc,.docx,.xls,.xlsx,.jpg,.jpeg,.png"})


# -- the five steps ---------------------------------------------------------------------------------


class ExpertRow(Form):
    name = _short("name")
    field = _short("field")
    institution = _short("institution", maxlength=200)
    no_conflict = BooleanField(field_label("no_conflict"), default=True)

    TEXT: ClassVar[tuple[str, ...]] = ("name", "field", "institution")


class OpinionRow(Form):
    member = _short("member")
    position = _select("position", POSITIONS)
    remarks = _textarea(field_label("remarks"), rows=1)
    is_principal = BooleanField(field_label("is_principal"))
    recused = BooleanField(field_label("recused"))

    TEXT: ClassVar[tuple[str, ...]] = ("member", "position", "remarks")


@dataclass(frozen=True)
class RowAction:
    """A no-JavaScript edit of a list field: add a row, remove one, move one up or down."""

    list_name: str
    op: str
    index: int = -1

    @classmethod
    def parse(cls, raw: str | None, lists: tuple[str, ...]) -> RowAction | None:
        """``experts:add``, ``opinions:3:up``; anything else is ignored."""
        parts = (raw or "").split(":")
        if len(parts) == 2 and parts[0] in lists and parts[1] == "add":
            return cls(parts[0], "add")
        if len(parts) == 3 and parts[0] in lists and parts[1].isdigit() and parts[2] in ("up", "down", "remove"):
            return cls(parts[0], parts[2], int(parts[1]))
        return None

    def apply(self, rows: list[dict[str, Any]], blank: dict[str, Any]) -> list[dict[str, Any]]:
        rows = list(rows)
        i = self.index
        if self.op == "add" and len(rows) < MAX_ROWS:
            rows.append(dict(blank))
        elif self.op == "remove" and 0 <= i < len(rows):
            del rows[i]
        elif self.op == "up" and 0 < i < len(rows):
            rows[i - 1], rows[i] = rows[i], rows[i - 1]
        elif self.op == "down" and 0 <= i < len(rows) - 1:
            rows[i], rows[i + 1] = rows[i + 1], rows[i]
        return rows


class StepForm(PayloadForm):
    """What every step records: status, responsible person, completion date, exemption."""

    kind: ClassVar[StepKind]
    #: The list field of the kind (experts, opinions), if it has one.
    list_name: ClassVar[str | None] = None
    row_form: ClassVar[type[Form] | None] = None

    version = HiddenField()
    status = SelectField(field_label("status"), validate_choice=False)
    responsible = _short("responsible")
    completed_on = _date("completed_on")
    exemption_reason = _text("exemption_reason", rows=2)
    exemption_basis = _text("exemption_basis", rows=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = [SelectChoice(status.value, STEP_STATUSES[status]) for status in self.statuses()]

    @classmethod
    def statuses(cls) -> list[StepStatus]:
        """Exemption is offered only where the law allows it (713号令 arts. 14, 19, 22)."""
        allowed = [StepStatus.IN_PROGRESS, StepStatus.COMPLETED]
        if cls.kind in EXEMPTIBLE_STEPS:
            allowed.append(StepStatus.EXEMPTED)
        return allowed

    @property
    def exemptible(self) -> bool:
        return self.kind in EXEMPTIBLE_STEPS

    @property
    def title(self) -> object:
        return STEP_KINDS[self.kind]

    def field_specs(self) -> list[StepField]:
        """The API fields this form sends."""
        specs = [*COMMON_FIELDS, *KIND_FIELDS[self.kind]]
        return [spec for spec in specs if spec.name in self._fields]

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {"status": self.status.data, "version": self.version.data}
        for spec in self.field_specs():
            value = self._fields[spec.name].data
            if spec.type == "enum_list":
                value = [item for item in (value or []) if item]
            data[spec.name] = value
        if self.list_name:
            data[self.list_name] = self.rows_payload()
        return data

    def rows_payload(self) -> list[dict[str, Any]]:
        """The filled rows of the list field; an empty row is left out (emptying a row removes it)."""
        field: FieldList = self._fields[self.list_name]
        items, where = [], {}
        for row_index, entry in enumerate(field.entries):
            values = {name: sub.data for name, sub in entry.form._fields.items()}
            if all(_blank(values.get(name)) for name in self.row_form.TEXT):
                continue
            where[len(items)] = row_index
            items.append({name: (None if _blank(value) else value) if not isinstance(value, bool) else value
                          for name, value in values.items()})
        self.row_map[self.list_name] = where
        return items

    def blank_row(self) -> dict[str, Any]:
        return {name: field.default for name, field in self.row_form()._fields.items()}

    def row_template(self):
        """An empty row whose names carry ``__index__``, cloned by the page's script."""
        return self.row_form(prefix=f"{self.list_name}-__index__-")

    def values(self) -> dict[str, Any]:
        """What the form holds now, in the shape its ``data=`` takes (for a no-JavaScript row edit)."""
        data = {name: field.data for name, field in self._fields.items() if name != "csrf_token"}
        if self.list_name:
            data[self.list_name] = [dict(entry.form.data) for entry in self._fields[self.list_name].entries]
        return data


def _step_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """A step as ``step_to_dict`` gives it, in the form's terms (numbers as text, no None)."""
    result = {}
    for name, value in data.items():
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is not None:
            result[name] = value
    return result


class PublicParticipationForm(StepForm):
    kind = StepKind.PUBLIC_PARTICIPATION

    method = _select("method", PARTICIPATION_METHODS)
    comment_start = _date("comment_start")
    comment_end = _date("comment_end")
    short_period_reason = _text("short_period_reason", rows=2)
    hearing_date = _date("hearing_date")
    materials_sent_on = _date("materials_sent_on")
    comments_received = _count("comments_received")
    comments_adopted = _count("comments_adopted")
    feedback_summary = _text("feedback_summary")
    feedback_published_on = _date("feedback_published_on")


class ExpertReviewForm(StepForm):
    kind = StepKind.EXPERT_REVIEW
    list_name = "experts"
    row_form = ExpertRow

    method = _select("method", EXPERT_REVIEW_METHODS)
    review_date = _date("review_date")
    experts = FieldList(FormField(ExpertRow), label=field_label("experts"), max_entries=MAX_ROWS)
    opinion_text = _text("opinion_text", rows=4)
    opinion_signed = BooleanField(field_label("opinion_signed"))
    dissent = _text("dissent", rows=2)


class RiskAssessmentForm(StepForm):
    kind = StepKind.RISK_ASSESSMENT

    risk_types = SelectMultipleField(
        field_label("risk_types"), choices=_choices(RISK_TYPES, blank=False), validate_choice=False,
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )
    risk_level = _select("risk_level", RISK_LEVELS)
    risk_points = _text("risk_points", rows=3)
    mitigation = _text("mitigation", rows=3)
    contingency_plan = _text("contingency_plan", rows=2)
    conclusion = _select("conclusion", RISK_CONCLUSIONS)
    assessed_on = _date("assessed_on")


class LegalitySubmissionForm(PayloadForm):
    """The clerk records only when the materials went to review (送审); the opinion is the adviser's."""

    kind = StepKind.LEGALITY_REVIEW
    list_name = None

    version = HiddenField()
    submitted_on = _date("submitted_on")
    responsible = _short("responsible")

    @property
    def title(self) -> object:
        return STEP_KINDS[self.kind]

    def payload(self) -> dict[str, Any]:
        return {"status": StepStatus.IN_PROGRESS.value, "version": self.version.data,
                "submitted_on": self.submitted_on.data, "responsible": self.responsible.data}

    def values(self) -> dict[str, Any]:
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}


class CollectiveDecisionForm(StepForm):
    kind = StepKind.COLLECTIVE_DECISION
    list_name = "opinions"
    row_form = OpinionRow

    meeting_type = _select("meeting_type", MEETING_TYPES)
    meeting_date = _date("meeting_date")
    members_total = _count("members_total", minimum=1)
    members_present = _count("members_present")
    opinions = FieldList(FormField(OpinionRow), label=field_label("opinions"), max_entries=MAX_ROWS)
    outcome = _select("outcome", OUTCOMES)
    principal_reason = _text("principal_reason", rows=2)
    minutes_ref = _short("minutes_ref")
    # A meeting is never exempted: no exemption fields.
    exemption_reason = None
    exemption_basis = None


STEP_FORMS: dict[StepKind, type[PayloadForm]] = {
    StepKind.PUBLIC_PARTICIPATION: PublicParticipationForm,
    StepKind.EXPERT_REVIEW: ExpertReviewForm,
    StepKind.RISK_ASSESSMENT: RiskAssessmentForm,
    StepKind.LEGALITY_REVIEW: LegalitySubmissionForm,
    StepKind.COLLECTIVE_DECISION: CollectiveDecisionForm,
}


def step_form(kind: StepKind, stored: Mapping[str, Any], version: int) -> PayloadForm:
    """The kind's form filled with the stored step, plus one empty row for a list field."""
    data = _step_data(stored)
    if data.get("status") == StepStatus.NOT_STARTED:
        data["status"] = StepStatus.IN_PROGRESS.value
    form = STEP_FORMS[kind](formdata=None, data={**data, "version": str(version)})
    if isinstance(form, StepForm) and form.list_name and not _has_blank_row(form):
        # Without JavaScript the page still offers one empty row to fill in.
        form._fields[form.list_name].append_entry()
    return form


def _has_blank_row(form: StepForm) -> bool:
    return any(
        all(_blank(entry.form._fields[name].data) for name in form.row_form.TEXT)
        for entry in form._fields[form.list_name].entries
    )


def error_summary(form: FlaskForm) -> list[str]:
    """Every message of the form as "label: message", rows named by their number, for the box at the top."""
    colon = _colon()
    lines = list(getattr(form, "form_errors", []))
    for name, field in form._fields.items():
        if name == "csrf_token":
            continue
        if isinstance(field, FieldList):
            for message in getattr(form, "list_errors", {}).get(name, []):
                lines.append(f"{field.label.text}{colon}{message}")
            for number, entry in enumerate(field.entries, start=1):
                row = _l("%(list)s, row %(n)d", list=field.label.text, n=number)
                for message in entry.form.form_errors:
                    lines.append(f"{row}{colon}{message}")
                for sub in entry.form:
                    for message in sub.errors:
                        lines.append(f"{row} · {sub.label.text}{colon}{message}")
            continue
        for message in field.errors:
            lines.append(f"{field.label.text}{colon}{message}")
    return lines
