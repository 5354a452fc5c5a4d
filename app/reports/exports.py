"""The decision ledger (台账) as headings and rows, and generic CSV and XLSX writers.

The ledger reads the stored summaries (``decisions.is_complete``,
``decision_findings``) and the steps' key dates in batches, so a year of
100,000 decisions streams in bounded memory. The writers know nothing of
decisions: they take columns and rows, and neutralise any text a spreadsheet
would run as a formula.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from typing import IO, Any
from urllib.parse import quote

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.database import rows_streamed
from app.extensions import db
from app.models import Decision, DecisionFinding, Organization, Step, User
from app.rulebook.vocabulary import Severity, StepKind
from app.services.errors import check_year
from app.services.reports import report_scope
from app.web import labels

#: The ledger is a Chinese record (台账) whatever language the page is in.
LEDGER_LOCALE = "zh_CN"
#: Decisions read per round trip; their steps and findings follow in one query each.
BATCH = 1000
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# -- generic writers ---------------------------------------------------------------------------------------------

#: A cell starting with one of these is run as a formula by Excel, WPS and LibreOffice (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Make text that a spreadsheet would run as a formula inert: an apostrophe in front keeps it text."""
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    """One column of a table export: its heading, how its values are written, its width in characters."""

    heading: str
    kind: str = "text"  # text, date or amount
    width: int = 12


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def csv_chunks(columns: Sequence[Column], rows: Iterable[Sequence[Any]], rows_per_chunk: int = 500) -> Iterator[bytes]:
    """CSV as UTF-8 with a byte-order mark and CRLF line ends, so Excel and WPS open it as Chinese text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_text(column.heading) for column in columns])
    yield "\ufeff".encode() + buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    pending = 0
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
        pending += 1
        if pending == rows_per_chunk:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue().encode("utf-8")


def write_xlsx(columns: Sequence[Column], rows: Iterable[Sequence[Any]], sheet_title: str) -> IO[bytes]:
    """An XLSX file (bold frozen header, column widths, real dates), built in openpyxl's write-only mode.

    Rows go to disk as they come, so memory stays flat; the answer is an
    anonymous temporary file, rewound, deleted when closed.
    """
    from openpyxl import Workbook  # openpyxl loads with the first spreadsheet, not in every worker
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold, wrap = Font(bold=True), Alignment(vertical="center", wrap_text=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=neutralise(column.heading))
        cell.font, cell.alignment = bold, wrap
        header.append(cell)
    sheet.append(header)
    kinds = [column.kind for column in columns]
    new_cell = partial(WriteOnlyCell, sheet)
    for row in rows:
        sheet.append([_xlsx_cell(new_cell, kind, value) for kind, value in zip(kinds, row, strict=True)])
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    workbook.save(out)
    out.seek(0)
    return out


def _xlsx_cell(new_cell: Callable[..., Any], kind: str, value: Any) -> Any:
    """A value as written: text neutralised, dates and amounts as cells of ``new_cell`` (the sheet's) with a format."""
    if value is None:
        return None
    if isinstance(value, str):
        # openpyxl stores text starting with "=" as a formula; neutralised text never starts with it.
        return neutralise(value)
    if isinstance(value, date):
        cell = new_cell(value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if kind == "amount":
        cell = new_cell(value=value)
        cell.number_format = "#,##0.00"
        return cell
    return value


def content_disposition(filename: str, ascii_fallback: str) -> str:
    """``attachment`` with an ASCII name for old clients and the UTF-8 name of RFC 5987 / 6266."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", ascii_fallback)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


# -- the ledger --------------------------------------------------------------------------------------------------

#: Per step: the date fields after its status, with their headings' msgids.
_STEP_COLUMNS: tuple[tuple[StepKind, tuple[str, ...]], ...] = (
    (StepKind.PUBLIC_PARTICIPATION, ("completed_on",)),
    (StepKind.EXPERT_REVIEW, ("completed_on",)),
    (StepKind.RISK_ASSESSMENT, ("completed_on",)),
    (StepKind.LEGALITY_REVIEW, ("submitted_on", "reviewed_on", "opinion")),
    (StepKind.COLLECTIVE_DECISION, ("meeting_date", "outcome")),
)
_STEP_FIELDS = [field for _kind, fields in _STEP_COLUMNS for field in fields]
#: The steps that may be lawfully exempted, whose reason and basis close the ledger's row.
_EXEMPTIBLE_COLUMNS = (StepKind.PUBLIC_PARTICIPATION, StepKind.EXPERT_REVIEW, StepKind.RISK_ASSESSMENT)
_SEVERITY_RANK = {severity.value: rank for rank, severity in enumerate(Severity)}


@dataclass(frozen=True)
class Ledger:
    columns: list[Column]
    rows: Iterator[list[Any]]
    #: e.g. ``台账_BD_2025``; with an ASCII twin for clients that cannot read RFC 5987 names.
    filename: str
    ascii_filename: str
    sheet_title: str


class _Words:
    """The Chinese words of the ledger, looked up once (the rows are written after the request's locale is gone)."""

    def __init__(self) -> None:
        with force_locale(LEDGER_LOCALE):
            self.category = {k: str(v) for k, v in labels.CATEGORIES.items()}
            self.status = {k: str(v) for k, v in labels.DECISION_STATUSES.items()}
            self.step_status = {k: str(v) for k, v in labels.STEP_STATUSES.items()}
            self.opinion = {k: str(v) for k, v in labels.LEGAL_OPINIONS.items()}
            self.outcome = {k: str(v) for k, v in labels.OUTCOMES.items()}
            self.severity = {k: str(v) for k, v in labels.SEVERITIES.items()}
            self.yes, self.no = _("Yes"), _("No")
            self.columns = self._columns()
            self.sheet = _("Ledger")

    @staticmethod
    def _columns() -> list[Column]:
        columns = [
            Column(str(labels.field_label("ref_no")), width=15),
            Column(str(labels.field_label("title")), width=40),
            Column(str(labels.field_label("category")), width=14),
            Column(str(labels.field_label("organization")), width=12),
            Column(str(labels.field_label("department")), width=16),
            Column(str(labels.field_label("amount_cny")), kind="amount", width=16),
            Column(str(labels.field_label("status")), width=14),
            Column(_("Complete?"), width=9),
        ]
        headings = {
            "completed_on": labels.field_label("completed_on"),
            "submitted_on": labels.field_label("submitted_on"),
            "reviewed_on": labels.field_label("reviewed_on"),
            "opinion": _("Opinion"),
            "meeting_date": labels.field_label("meeting_date"),
            "outcome": labels.field_label("outcome"),
        }
        for kind, fields in _STEP_COLUMNS:
            step = labels.STEP_KINDS[kind]
            columns.append(Column(f"{step} {labels.field_label('status')}", width=14))
            for field in fields:
                kind_of = "date" if field.endswith(("_on", "_date")) else "text"
                columns.append(Column(f"{step} {headings[field]}", kind=kind_of, width=14))
        columns.append(Column(_("Problems found"), width=40))
        #: Last, so the columns before it stay where existing spreadsheets expect them.
        columns.append(Column(_("Entered after the fact?"), width=9))
        # After it, what a 台账 import needs to bring a decision back as it was (round trip): the publication
        # date and the reasons and legal bases of lawful exemptions.
        columns.append(Column(str(labels.field_label("published_on")), kind="date", width=14))
        for kind in _EXEMPTIBLE_COLUMNS:
            step = labels.STEP_KINDS[kind]
            columns.append(Column(f"{step} {labels.field_label('exemption_reason')}", width=24))
            columns.append(Column(f"{step} {labels.field_label('exemption_basis')}", width=24))
        return columns


def ledger(user: User, year: int, organization_ids: Iterable[int] | None, label: str) -> Ledger:
    """The year's ledger of the organisations asked for (within the user's report scope); ``label`` names the file."""
    year = check_year(year)
    scope = report_scope(user, organization_ids)
    words = _Words()
    stem = f"{label}_{year}"
    return Ledger(
        columns=words.columns,
        rows=_ledger_rows(scope, year, words),
        filename=f"台账_{stem}",
        ascii_filename=f"ledger_{stem}",
        sheet_title=f"{words.sheet} {stem}",
    )


def _ledger_rows(scope: list[int], year: int, words: _Words) -> Iterator[list[Any]]:
    if not scope:
        return
    stmt = (
        select(
            Decision.id, Decision.ref_no, Decision.title, Decision.category, Organization.name,
            Decision.department, Decision.amount_cny, Decision.status, Decision.is_complete, Decision.backfilled,
            Decision.published_on,
        )
        .join(Organization, Organization.id == Decision.organization_id)
        .where(Decision.organization_id.in_(scope), Decision.year == year)
        .order_by(Organization.code, Decision.seq)
        .execution_options(yield_per=BATCH)
    )
    with rows_streamed(db.session):
        yield from _ledger_batches(db.session.execute(stmt).partitions(), words)


def _ledger_batches(batches: Iterator[Sequence[Any]], words: _Words) -> Iterator[list[Any]]:
    for batch in batches:
        ids = [row[0] for row in batch]
        steps = _steps_of(ids)
        findings = _findings_of(ids)
        for (decision_id, ref_no, title, category, org_name, department, amount, status, complete, backfilled,
             published_on) in batch:
            row: list[Any] = [
                ref_no, title, words.category.get(category, category), org_name, department, amount,
                words.status.get(status, status), words.yes if complete else words.no,
            ]
            for kind, fields in _STEP_COLUMNS:
                facts = steps.get((decision_id, kind.value))
                if facts is None:
                    row.extend([None] * (1 + len(fields)))
                    continue
                row.append(words.step_status.get(facts["status"], facts["status"]))
                for field in fields:
                    value = facts[field]
                    if field == "opinion" and value:
                        value = words.opinion.get(value, value)
                    elif field == "outcome" and value:
                        value = words.outcome.get(value, value)
                    row.append(value)
            row.append("; ".join(
                f"{rule} {words.severity.get(severity, severity)}"
                for rule, severity in findings.get(decision_id, [])
            ))
            row.append(words.yes if backfilled else words.no)
            row.append(published_on)
            for kind in _EXEMPTIBLE_COLUMNS:
                facts = steps.get((decision_id, kind.value)) or {}
                row.extend([facts.get("exemption_reason"), facts.get("exemption_basis")])
            yield row


def _steps_of(decision_ids: list[int]) -> dict[tuple[int, str], dict[str, Any]]:
    """Each decision's steps: status and the ledger's date and result fields, by (decision id, kind)."""
    fields = list(dict.fromkeys([*_STEP_FIELDS, "exemption_reason", "exemption_basis"]))
    rows = db.session.execute(
        select(Step.decision_id, Step.kind, Step.status, *(getattr(Step, field) for field in fields))
        .where(Step.decision_id.in_(decision_ids))
    ).all()
    names = ["status", *fields]
    return {(row[0], row[1]): dict(zip(names, row[2:], strict=True)) for row in rows}


def _findings_of(decision_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """Each decision's rules, worst severity first, then by id: ``[("PP-01", "violation"), …]``."""
    rows = db.session.execute(
        select(DecisionFinding.decision_id, DecisionFinding.rule, DecisionFinding.severity)
        .where(DecisionFinding.decision_id.in_(decision_ids))
    ).all()
    found: dict[int, list[tuple[str, str]]] = {}
    for decision_id, rule, severity in sorted(rows, key=lambda r: (r[0], _SEVERITY_RANK.get(r[2], 9), r[1])):
        found.setdefault(decision_id, []).append((rule, severity))
    return found
