"""The clerk's forms: the decision and one form per procedure, for rendering and CSRF only (see app.web.forms)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from wtforms import BooleanField, FieldList, Form, FormField, HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget, NumberInput

from app.rulebook.vocabulary import EXEMPTIBLE_STEPS, YEAR_MAX, YEAR_MIN, StepKind, StepStatus
from app.services.field_types import FieldSpec
from app.services.step_fields import COMMON_FIELDS, KIND_FIELDS
from app.web.forms import (
    MAX_ROWS,
    PayloadForm,
    VersionForm,
    choices,
    count_field,
    date_field,
    is_blank,
    select_field,
    short_field,
    text_field,
    textarea_field,
)
from app.web.labels import (
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

# -- the decision ---------------------------------------------------------------------------------


class DecisionForm(PayloadForm):
    """Open a decision: its facts and the first draft."""

    title = short_field("title", maxlength=200, required=True)
    category = select_field("category", CATEGORIES)
    department = short_field("department", required=True)
    year = StringField(field_label("year"), widget=NumberInput(step=1, min=YEAR_MIN, max=YEAR_MAX))
    amount_cny = StringField(field_label("amount_cny"), widget=NumberInput(step=0.01, min=0),
                             render_kw={"inputmode": "decimal"})
    summary = textarea_field(field_label("summary"), rows=3, maxlength=20000)
    draft_text = textarea_field(field_label("draft_text"), rows=14)
    backfilled = BooleanField(field_label("backfilled"))
    backfill_reason = textarea_field(field_label("backfill_reason"), rows=2, maxlength=2000)

    FIELDS: ClassVar[tuple[str, ...]] = ("title", "category", "department", "year", "amount_cny", "summary",
                                         "draft_text", "backfilled", "backfill_reason")

    def payload(self) -> dict[str, Any]:
        data = {name: self._fields[name].data for name in self.FIELDS}
        if "backfilled" in data:
            data["backfilled"] = bool(data["backfilled"])
            data["backfill_reason"] = data["backfill_reason"] or None
        return data


class DecisionEditForm(DecisionForm):
    """Change the decision's facts or revise its draft; ``version`` guards against lost updates."""

    version = HiddenField()
    #: The reference number contains the year: shown, never sent.
    FIELDS: ClassVar[tuple[str, ...]] = ("title", "category", "department", "amount_cny", "summary",
                                         "draft_text")

    def payload(self) -> dict[str, Any]:
        return {**super().payload(), "version": self.version.data}


class PublishForm(VersionForm):
    published_on = date_field("published_on")


# -- the five steps ---------------------------------------------------------------------------------


class ExpertRow(Form):
    name = short_field("name")
    field = short_field("field")
    institution = short_field("institution", maxlength=200)
    no_conflict = BooleanField(field_label("no_conflict"), default=True)

    TEXT: ClassVar[tuple[str, ...]] = ("name", "field", "institution")


class OpinionRow(Form):
    member = short_field("member")
    position = select_field("position", POSITIONS)
    remarks = textarea_field(field_label("remarks"), rows=1)
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
    responsible = short_field("responsible")
    completed_on = date_field("completed_on")
    exemption_reason = text_field("exemption_reason", rows=2)
    exemption_basis = text_field("exemption_basis", rows=2)
    catalogue_deviation_reason = text_field("catalogue_deviation_reason", rows=2)

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

    def field_specs(self) -> list[FieldSpec]:
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
            if all(is_blank(values.get(name)) for name in self.row_form.TEXT):
                continue
            where[len(items)] = row_index
            items.append({name: (None if is_blank(value) else value) if not isinstance(value, bool) else value
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

    method = select_field("method", PARTICIPATION_METHODS)
    comment_start = date_field("comment_start")
    comment_end = date_field("comment_end")
    short_period_reason = text_field("short_period_reason", rows=2)
    hearing_date = date_field("hearing_date")
    materials_sent_on = date_field("materials_sent_on")
    comments_received = count_field("comments_received")
    comments_adopted = count_field("comments_adopted")
    feedback_summary = text_field("feedback_summary")
    feedback_published_on = date_field("feedback_published_on")


class ExpertReviewForm(StepForm):
    kind = StepKind.EXPERT_REVIEW
    list_name = "experts"
    row_form = ExpertRow

    method = select_field("method", EXPERT_REVIEW_METHODS)
    review_date = date_field("review_date")
    experts = FieldList(FormField(ExpertRow), label=field_label("experts"), max_entries=MAX_ROWS)
    opinion_text = text_field("opinion_text", rows=4)
    opinion_signed = BooleanField(field_label("opinion_signed"))
    dissent = text_field("dissent", rows=2)


class RiskAssessmentForm(StepForm):
    kind = StepKind.RISK_ASSESSMENT

    risk_types = SelectMultipleField(
        field_label("risk_types"), choices=choices(RISK_TYPES, blank=False), validate_choice=False,
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )
    risk_level = select_field("risk_level", RISK_LEVELS)
    risk_points = text_field("risk_points", rows=3)
    mitigation = text_field("mitigation", rows=3)
    contingency_plan = text_field("contingency_plan", rows=2)
    conclusion = select_field("conclusion", RISK_CONCLUSIONS)
    assessed_on = date_field("assessed_on")


class LegalitySubmissionForm(PayloadForm):
    """The clerk records only when the materials went to review (送审); the opinion is the adviser's."""

    kind = StepKind.LEGALITY_REVIEW
    list_name = None

    version = HiddenField()
    submitted_on = date_field("submitted_on")
    responsible = short_field("responsible")

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

    meeting_type = select_field("meeting_type", MEETING_TYPES)
    meeting_date = date_field("meeting_date")
    members_total = count_field("members_total", minimum=1)
    members_present = count_field("members_present")
    opinions = FieldList(FormField(OpinionRow), label=field_label("opinions"), max_entries=MAX_ROWS)
    outcome = select_field("outcome", OUTCOMES)
    principal_reason = text_field("principal_reason", rows=2)
    minutes_ref = short_field("minutes_ref")
    # A meeting is never exempted: no exemption fields.
    exemption_reason = None
    exemption_basis = None
    catalogue_deviation_reason = None


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
        all(is_blank(entry.form._fields[name].data) for name in form.row_form.TEXT)
        for entry in form._fields[form.list_name].entries
    )


