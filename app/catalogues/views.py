"""The catalogue pages: list and create, one catalogue with its items, approval, publication, change log, XLSX.

Thin views: each parses its form, calls one service of ``app.services.catalogues``
and redirects; a refusal re-renders the catalogue page after the rollback.
"""

from __future__ import annotations

import io
from datetime import datetime
from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from app.extensions import db
from app.models import Decision
from app.rulebook.vocabulary import CatalogueChange, CatalogueStatus
from app.services import catalogues as service
from app.services.errors import NotFound, ValidationFailed
from app.web.refusals import answer_refusals

from .forms import ApproveForm, CreateForm, ImportForm, ItemForm, LinkForm, PublishForm, RemoveForm

blueprint = Blueprint("catalogues", __name__, url_prefix="/catalogues")

STATUSES = {
    CatalogueStatus.DRAFT: _l("Draft"),
    CatalogueStatus.APPROVED: _l("Agreed by the party committee"),
    CatalogueStatus.PUBLISHED: _l("Published"),
}
CHANGES = {CatalogueChange.ADDED: _l("Added"), CatalogueChange.CHANGED: _l("Changed"),
           CatalogueChange.REMOVED: _l("Removed")}


@blueprint.context_processor
def _labels() -> dict:
    return {"catalogue_status": lambda value: STATUSES[CatalogueStatus(value)],
            "change_label": lambda value: CHANGES[CatalogueChange(value)]}

#: The most rows an imported sheet may have (a town lists tens of matters).
IMPORT_ROWS_MAX = 2000


def _load(catalogue_id: int):
    try:
        return service.load_catalogue(current_user, catalogue_id)
    except NotFound:
        abort(404)


def _editable(catalogue_id: int):
    """The catalogue for a write: someone who may read it but not edit it is refused before the form is read."""
    catalogue = _load(catalogue_id)
    if not service.can_edit_catalogue(current_user, catalogue):
        abort(403)
    return catalogue


@blueprint.route("/", methods=["GET", "POST"])
@login_required
def index():
    """The catalogues the user may see; a clerk opens the organisation's catalogue of a year."""
    form = CreateForm()
    if request.method == "POST" and form.validate_on_submit():
        with answer_refusals(partial(_index_page, form), form=form):
            catalogue = service.create_catalogue(current_user, {"year": form.year.data})
        flash(_("Catalogue %(year)d opened: list its matters next.", year=catalogue.year), "success")
        return redirect(url_for("catalogues.detail", catalogue_id=catalogue.id))
    return _index_page(form, 200 if request.method == "GET" else 400)


def _index_page(form: CreateForm, status: int = 200, alert: str | None = None, **_refusal: object):
    catalogues = service.list_catalogues(current_user)
    return render_template("catalogues/index.html", catalogues=catalogues, form=form, alert=alert,
                           can_create=service.permissions.can_create(current_user)), status


def _detail_page(catalogue_id: int, status: int = 200, *, alert: str | None = None, item_form=None,
                 approve_form=None, publish_form=None, import_form=None, refused_rows=None, **_refusal: object):
    catalogue = _load(catalogue_id)
    editable = service.can_edit_catalogue(current_user, catalogue)
    candidates = []
    if editable:
        linked = {item.decision.id for item in catalogue.items if item.decision is not None}
        candidates = [d for d in db.session.execute(
            select(Decision).where(Decision.organization_id == catalogue.organization_id,
                                   Decision.year == catalogue.year, Decision.catalogue_item_id.is_(None))
            .order_by(Decision.seq)
        ).scalars() if d.id not in linked]
    return render_template(
        "catalogues/detail.html",
        catalogue=catalogue,
        findings=service.catalogue_findings(catalogue),
        editable=editable,
        item_form=item_form or ItemForm(formdata=None),
        approve_form=approve_form or ApproveForm(formdata=None),
        publish_form=publish_form or PublishForm(formdata=None),
        import_form=import_form or ImportForm(formdata=None),
        remove_form=RemoveForm(formdata=None),
        link_form=LinkForm(formdata=None),
        candidates=candidates,
        refused_rows=refused_rows or [],
        procedures_zh=service.procedures_zh,
        alert=alert,
    ), status


@blueprint.route("/<id:catalogue_id>")
@login_required
def detail(catalogue_id: int):
    """One catalogue: its items with their decisions, findings, approval, publication and change log."""
    return _detail_page(catalogue_id)


@blueprint.route("/<id:catalogue_id>/items", methods=["POST"])
@login_required
def add_item(catalogue_id: int):
    catalogue = _editable(catalogue_id)
    form = ItemForm()
    if not form.validate_on_submit():
        return _detail_page(catalogue_id, 400, item_form=form)
    with answer_refusals(partial(_detail_page, catalogue_id, item_form=form), form=form):
        item = service.add_item(current_user, catalogue, form.payload())
    flash(_("Item %(seq)d listed.", seq=item.seq), "success")
    return redirect(url_for("catalogues.detail", catalogue_id=catalogue_id))


@blueprint.route("/<id:catalogue_id>/items/<id:item_id>", methods=["GET", "POST"])
@login_required
def edit_item(catalogue_id: int, item_id: int):
    """Change an item (after publication with the reason of the adjustment)."""
    catalogue = _load(catalogue_id)
    try:
        item = service.load_item(catalogue, item_id)
    except NotFound:
        abort(404)
    if request.method == "GET":
        form = ItemForm(formdata=None, obj=item)
        return _item_page(catalogue_id, item_id, form)
    if not service.can_edit_catalogue(current_user, catalogue):
        abort(403)
    form = ItemForm()
    if not form.validate_on_submit():
        return _item_page(catalogue_id, item_id, form, 400)
    with answer_refusals(partial(_item_page, catalogue_id, item_id, form), form=form):
        service.update_item(current_user, catalogue, item, form.payload())
    flash(_("Item %(seq)d saved.", seq=item.seq), "success")
    return redirect(url_for("catalogues.detail", catalogue_id=catalogue_id))


def _item_page(catalogue_id: int, item_id: int, form: ItemForm, status: int = 200, alert: str | None = None,
               **_refusal: object):
    catalogue = _load(catalogue_id)
    try:
        item = service.load_item(catalogue, item_id)
    except NotFound:
        abort(404)
    return render_template("catalogues/item.html", catalogue=catalogue, item=item, form=form, alert=alert,
                           editable=service.can_edit_catalogue(current_user, catalogue)), status


@blueprint.route("/<id:catalogue_id>/items/<id:item_id>/remove", methods=["POST"])
@login_required
def remove_item(catalogue_id: int, item_id: int):
    catalogue = _editable(catalogue_id)
    try:
        item = service.load_item(catalogue, item_id)
    except NotFound:
        abort(404)
    form = RemoveForm()
    if not form.validate_on_submit():
        abort(400)
    with answer_refusals(partial(_detail_page, catalogue_id)):
        service.remove_item(current_user, catalogue, item, {"adjustment_reason": form.adjustment_reason.data})
    flash(_("Item %(seq)d removed.", seq=item.seq), "success")
    return redirect(url_for("catalogues.detail", catalogue_id=catalogue_id))


@blueprint.route("/<id:catalogue_id>/items/<id:item_id>/link", methods=["POST"])
@login_required
def link(catalogue_id: int, item_id: int):
    """Link a decision of the organisation's year to the item, or unlink it (empty choice)."""
    catalogue = _editable(catalogue_id)
    try:
        item = service.load_item(catalogue, item_id)
    except NotFound:
        abort(404)
    form = LinkForm()
    if not form.validate_on_submit():
        abort(400)
    raw = (form.decision_id.data or "").strip()
    decision_id = int(raw) if raw.isascii() and raw.isdigit() else (None if raw == "" else raw)
    with answer_refusals(partial(_detail_page, catalogue_id)):
        if isinstance(decision_id, str):
            raise ValidationFailed({"decision_id": _("must be a whole number")})
        service.link_decision(current_user, catalogue, item, decision_id)
    flash(_("Item %(seq)d: link saved.", seq=item.seq), "success")
    return redirect(url_for("catalogues.detail", catalogue_id=catalogue_id))


@blueprint.route("/<id:catalogue_id>/approve", methods=["POST"])
@login_required
def approve(catalogue_id: int):
    """同级党委同意: the day and the document."""
    catalogue = _editable(catalogue_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        return _detail_page(catalogue_id, 400, approve_form=form)
    with answer_refusals(partial(_detail_page, catalogue_id, approve_form=form), form=form):
        service.approve_catalogue(current_user, catalogue, {"approved_on": form.approved_on.data,
                                                            "approval_ref": form.approval_ref.data})
    flash(_("The party committee's agreement is recorded."), "success")
    return redirect(url_for("catalogues.detail", catalogue_id=catalogue_id))


@blueprint.route("/<id:catalogue_id>/publish", methods=["POST"])
@login_required
def publish(catalogue_id: int):
    catalogue = _editable(catalogue_id)
    form = PublishForm()
    if not form.validate_on_submit():
        return _detail_page(catalogue_id, 400, publish_form=form)
    with answer_refusals(partial(_detail_page, catalogue_id, publish_form=form), form=form):
        service.publish_catalogue(current_user, catalogue, {"published_on": form.published_on.data})
    flash(_("The catalogue is published; its public page is open to anyone."), "success")
    return redirect(url_for("catalogues.detail", catalogue_id=catalogue_id))


@blueprint.route("/<id:catalogue_id>/catalogue.xlsx")
@login_required
def export_xlsx(catalogue_id: int):
    """The listed items in the columns towns publish (序号 · 事项名称 · … · 计划完成时间), then 类别."""
    from openpyxl import Workbook  # openpyxl loads with the first spreadsheet, not in every worker

    catalogue = _load(catalogue_id)
    book = Workbook()
    sheet = book.active
    sheet.title = str(catalogue.year)
    sheet.append(list(service.SHEET_COLUMNS))
    for row in service.sheet_rows(catalogue):
        # A cell starting with = + - @ would be a formula in a spreadsheet: written as text.
        sheet.append([f"'{v}" if isinstance(v, str) and v[:1] in "=+-@" else v for v in row])
    for cell in sheet["G"][1:]:
        cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    name = f"{catalogue.organization.code}-{catalogue.year}-catalogue.xlsx"
    return send_file(buffer, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     as_attachment=True, download_name=name)


def _sheet_rows(upload) -> list[dict]:
    from openpyxl import load_workbook  # openpyxl loads with the first spreadsheet, not in every worker

    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except Exception:
        raise ValidationFailed({"file": _("is not an XLSX workbook")}) from None
    rows = book.active.iter_rows(values_only=True)
    header = [str(cell).strip() if cell is not None else "" for cell in next(rows, ())]
    if header[:2] != list(service.SHEET_COLUMNS[:2]):
        raise ValidationFailed({"file": _("the first row must be the catalogue's columns: %(columns)s",
                                          columns=" · ".join(service.SHEET_COLUMNS))})
    result = []
    for row in rows:
        if all(cell in (None, "") for cell in row):
            continue
        if len(result) >= IMPORT_ROWS_MAX:
            raise ValidationFailed({"file": _("has more than %(n)d rows", n=IMPORT_ROWS_MAX)})
        values = {}
        for name, cell in zip(header, row, strict=False):
            if isinstance(cell, datetime):
                cell = cell.date()
            values[name] = cell.strip() if isinstance(cell, str) else cell
        result.append(values)
    return result


@blueprint.route("/<id:catalogue_id>/import", methods=["POST"])
@login_required
def import_xlsx(catalogue_id: int):
    """Add the rows of a catalogue sheet to a draft catalogue; any refused row → nothing written."""
    catalogue = _editable(catalogue_id)
    form = ImportForm()
    if not form.validate_on_submit() or not form.file.data:
        form.file.errors = [_("Choose a file to upload.")]
        return _detail_page(catalogue_id, 422, import_form=form)
    with answer_refusals(partial(_detail_page, catalogue_id, import_form=form), form=form):
        result = service.import_items(current_user, catalogue, _sheet_rows(form.file.data))
    if result.refused:
        form.file.errors = [_("%(n)d rows were refused; nothing was imported.", n=len(result.refused))]
        return _detail_page(catalogue_id, 422, import_form=form, refused_rows=result.refused)
    flash(_("%(n)d items imported.", n=result.created), "success")
    return redirect(url_for("catalogues.detail", catalogue_id=catalogue_id))
