"""Importing a finance ledger (财务明细账) as payments, with a preview of each row's cross-check findings.

The columns are those finance software exports, in Chinese with their usual variants, or DESIGN's field names.
Every row is read before anything is written: any refused row (its row number, column and reason) means nothing
is written, and the answer lists all of them. A row already imported (same date, voucher, payee and amount) is
not written twice. A dry run answers the same and writes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from flask_babel import gettext as _
from sqlalchemy import insert, select, tuple_

from app.clock import utcnow
from app.extensions import db
from app.models import Decision, Organization, Payment, User
from app.rulebook.rules.payments import PaymentFacts, PaymentFinding

from . import permissions
from .audit import record_event
from .errors import NotFound, ValidationFailed
from .payments import context_payments, cross_check, facts_of
from .tabular import CellError, Refusal, Table, read_amount, read_date, read_table, read_text

#: Each column and the headings finance software gives it (compared without spaces, brackets either width).
PAYMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "paid_on": ("日期", "支付日期", "付款日期", "记账日期", "凭证日期", "业务日期", "date"),
    "voucher_no": ("凭证号", "凭证编号", "凭证字号", "凭证号码", "voucher"),
    "payee": ("收款单位", "对方单位", "收款人", "收款方", "往来单位", "供应商", "payee"),
    "amount_cny": ("金额", "支付金额", "付款金额", "金额(元)", "借方金额", "借方", "amount"),
    "summary": ("摘要", "用途", "事由", "说明", "summary"),
    "decision_ref": ("决策编号", "决策文号", "关联决策", "decision_ref_no", "ref_no"),
}
REQUIRED_COLUMNS = ("paid_on", "voucher_no", "payee", "amount_cny")
VOUCHER_MAX, PAYEE_MAX, SUMMARY_MAX, REF_MAX = 40, 200, 2000, 40


@dataclass
class PaymentRow:
    """One readable row: the payment it would be and, in the preview, its findings."""

    row: int
    paid_on: Any
    voucher_no: str
    payee: str
    amount_cny: Decimal
    summary: str
    decision_ref: str | None
    decision_id: int | None = None
    #: Already in the ledger (same natural key): not written again.
    duplicate: bool = False
    findings: list[PaymentFinding] = field(default_factory=list)

    @property
    def key(self) -> tuple:
        return (self.paid_on, self.voucher_no, self.payee, self.amount_cny)

    def to_dict(self, locale: str = "zh_CN") -> dict[str, Any]:
        return {
            "row": self.row, "paid_on": self.paid_on.isoformat(), "voucher_no": self.voucher_no,
            "payee": self.payee, "amount_cny": f"{self.amount_cny:.2f}", "summary": self.summary,
            "decision_ref": self.decision_ref, "already_imported": self.duplicate,
            "findings": [{"rule": f.rule, "severity": f.severity.value, "step": None,  # DESIGN's finding shape
                          "message": f.message(locale), "citation": f.citation} for f in self.findings],
        }


@dataclass
class PaymentImport:
    """The outcome: how many were written (or would be, in a dry run), what was refused, every row."""

    organization: Organization
    dry_run: bool
    rows: list[PaymentRow]
    refused: list[Refusal]
    imported: int = 0

    @property
    def skipped(self) -> int:
        return sum(1 for row in self.rows if row.duplicate)

    def to_dict(self, locale: str = "zh_CN", *, with_rows: bool = False) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "imported": self.imported, "already_imported": self.skipped, "dry_run": self.dry_run,
            "refused": [r.to_dict() for r in self.refused],
        }
        if with_rows:
            answer["rows"] = [row.to_dict(locale) for row in self.rows]
        return answer


def _heading(table: Table, name: str) -> str:
    index = table.columns.get(name)
    return table.headings[index] if index is not None and index < len(table.headings) else name


def _read_rows(table: Table) -> tuple[list[PaymentRow], list[Refusal]]:
    rows: list[PaymentRow] = []
    refused: list[Refusal] = []
    seen: dict[tuple, int] = {}
    for number, raw in table.rows:
        values: dict[str, Any] = {}
        bad = False
        for name, read in (
            ("paid_on", read_date),
            ("voucher_no", lambda v: read_text(v, VOUCHER_MAX)),
            ("payee", lambda v: read_text(v, PAYEE_MAX)),
            ("amount_cny", lambda v: read_amount(v, positive=True)),
            ("summary", lambda v: read_text(v, SUMMARY_MAX)),
            ("decision_ref", lambda v: read_text(v, REF_MAX)),
        ):
            cell = table.cell(raw, name)
            if cell is None:
                if name in REQUIRED_COLUMNS:
                    refused.append(Refusal(number, _heading(table, name), _("is required")))
                    bad = True
                continue
            try:
                values[name] = read(cell)
            except CellError as error:
                refused.append(Refusal(number, _heading(table, name), error.message))
                bad = True
        if bad:
            continue
        row = PaymentRow(number, values["paid_on"], values["voucher_no"], values["payee"], values["amount_cny"],
                         values.get("summary", ""), values.get("decision_ref") or None)
        if row.key in seen:
            refused.append(Refusal(number, _heading(table, "voucher_no"),
                                   _("repeats row %(row)d (same date, voucher, payee and amount)", row=seen[row.key])))
            continue
        seen[row.key] = number
        rows.append(row)
    return rows, refused


def _resolve_decisions(organization: Organization, rows: list[PaymentRow], table: Table) -> list[Refusal]:
    """决策编号 → the organisation's decision, in one query; an unknown number refuses its row."""
    refs = sorted({row.decision_ref for row in rows if row.decision_ref})
    found: dict[str, int] = {}
    for start in range(0, len(refs), 500):
        chunk = refs[start:start + 500]
        found.update((ref, decision_id) for ref, decision_id in db.session.execute(
            select(Decision.ref_no, Decision.id)
            .where(Decision.organization_id == organization.id, Decision.ref_no.in_(chunk))
        ))
    refused = []
    for row in rows:
        if row.decision_ref:
            row.decision_id = found.get(row.decision_ref)
            if row.decision_id is None:
                refused.append(Refusal(row.row, _heading(table, "decision_ref"),
                                       _("no decision of the organisation has this number")))
    return refused


def _mark_duplicates(organization: Organization, rows: list[PaymentRow]) -> None:
    """Rows whose natural key is already stored: one range query, compared in memory."""
    if not rows:
        return
    first, last = min(r.paid_on for r in rows), max(r.paid_on for r in rows)
    stored = {tuple(key) for key in db.session.execute(
        select(Payment.paid_on, Payment.voucher_no, Payment.payee, Payment.amount_cny)
        .where(Payment.organization_id == organization.id, Payment.paid_on.between(first, last))
    )}
    for row in rows:
        row.duplicate = row.key in stored


def _preview(organization: Organization, rows: list[PaymentRow]) -> None:
    """Each new row's findings as they would stand once imported, among the stored payments around it."""
    new = [row for row in rows if not row.duplicate]
    if not new:
        return
    first, last = min(r.paid_on for r in new), max(r.paid_on for r in new)
    stored = context_payments(organization.id, first, last, (r.decision_id for r in new))
    facts = [facts_of(p) for p in stored]
    facts += [PaymentFacts(key=("row", r.row), paid_on=r.paid_on, voucher_no=r.voucher_no, payee=r.payee,
                           amount_cny=r.amount_cny, decision=r.decision_id) for r in new]
    by_row = {("row", r.row): r for r in new}
    for finding in cross_check(organization.id, facts):
        row = by_row.get(finding.payment)
        if row is not None:
            row.findings.append(finding)


def import_organization(user: User, org_code: str | None) -> Organization:
    """The organisation a finance ledger is imported into: the user's own unless another one it may import for."""
    if not org_code:
        organization = db.session.get(Organization, user.organization_id)
    else:
        organization = db.session.execute(
            select(Organization).where(Organization.code == org_code)
        ).scalar_one_or_none()
        if organization is None or organization.id not in permissions.visible_organization_ids(user):
            raise NotFound(_("There is no such organisation, or you cannot see it."))
    permissions.ensure(permissions.can_import_payments(user, organization.id),
                       _("Only a clerk of the organisation or an auditor may import its finance ledger."))
    return organization


def import_payments(user: User, organization: Organization, stream: IO[bytes], filename: str,
                    *, dry_run: bool = False) -> PaymentImport:
    """Read, check and (unless ``dry_run`` or any row is refused) write a finance ledger, with one audit event."""
    permissions.ensure(permissions.can_import_payments(user, organization.id),
                       _("Only a clerk of the organisation or an auditor may import its finance ledger."))
    data = stream.read()
    try:
        table = read_table(_Bytes(data), filename or "", PAYMENT_COLUMNS, REQUIRED_COLUMNS)
    except ValidationFailed as error:
        return PaymentImport(organization, dry_run, [], [Refusal(1, name, message)
                                                         for name, message in error.errors.items()])
    rows, refused = _read_rows(table)
    refused += _resolve_decisions(organization, rows, table)
    refused.sort(key=lambda r: r.row)
    result = PaymentImport(organization, dry_run, rows, refused)
    if refused:
        return result
    _mark_duplicates(organization, rows)
    _preview(organization, rows)
    new = [row for row in rows if not row.duplicate]
    result.imported = len(new)
    if dry_run or not new:
        return result
    _write(user, organization, new, data, filename)
    return result


def _write(user: User, organization: Organization, rows: list[PaymentRow], data: bytes, filename: str) -> None:
    now = utcnow()
    db.session.execute(insert(Payment), [
        {"organization_id": organization.id, "paid_on": r.paid_on, "voucher_no": r.voucher_no, "payee": r.payee,
         "amount_cny": r.amount_cny, "summary": r.summary, "decision_id": r.decision_id,
         "imported_by_id": user.id, "imported_at": now}
        for r in rows
    ])
    keys = [(r.paid_on, r.voucher_no, r.payee, r.amount_cny) for r in rows]
    ids: list[int] = []
    for start in range(0, len(keys), 500):
        ids += db.session.execute(
            select(Payment.id).where(
                Payment.organization_id == organization.id,
                tuple_(Payment.paid_on, Payment.voucher_no, Payment.payee, Payment.amount_cny).in_(
                    keys[start:start + 500]),
            )
        ).scalars().all()
    total = sum((r.amount_cny for r in rows), Decimal(0))
    record_event(user, "payments.import", "organization", organization.id, chain=organization.id, after={
        "file": filename, "file_sha256": hashlib.sha256(data).hexdigest(), "payments": len(rows),
        "total_cny": total, "first_paid_on": min(r.paid_on for r in rows), "last_paid_on": max(r.paid_on for r in rows),
        "payment_ids": sorted(ids),
    })


class _Bytes:
    """The upload, read once (its hash goes into the audit event), handed to the table reader."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def read(self) -> bytes:
        return self._data
