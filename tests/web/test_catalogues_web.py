"""The catalogue pages: a clerk builds, approves, publishes, adjusts, links; XLSX out and in."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from app.models import Catalogue, CatalogueItem

ITEM = {"title": "白甸镇农桥建设工程", "category": "major_project", "sponsor_unit": "白甸镇建设局",
        "decision_body": "白甸镇人民政府", "legal_basis": "《公路法》", "planned_completion": "2025-06-30",
        "public_participation": "y", "risk_assessment": "y", "hearing": "y"}


def login(client, username: str) -> None:
    response = client.post("/login", data={"username": username, "password": "password123"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture
def clerk_client(client, clerk):
    login(client, clerk.username)
    return client


def _catalogue(db) -> Catalogue:
    db.session.rollback()
    return db.session.query(Catalogue).one()


def test_build_approve_publish_adjust(clerk_client, db, page_text, make_decision):
    client = clerk_client
    assert "白甸镇" in page_text(client.get("/catalogues/"))
    response = client.post("/catalogues/", data={"year": "2025"})
    assert response.status_code == 302
    catalogue = _catalogue(db)
    db.session.rollback()
    detail = f"/catalogues/{catalogue.id}"
    assert client.post(f"{detail}/items", data=ITEM).status_code == 302
    db.session.rollback()
    item = db.session.query(CatalogueItem).one()
    item_id = item.id
    assert (item.public_participation, item.expert_review, item.risk_assessment, item.hearing) == (
        True, False, True, True)  # an unticked box is "not required"
    db.session.rollback()
    body = page_text(client.get(detail))
    assert "公众参与、风险评估、听证、合法性审查、集体讨论决定" in body
    refused = client.post(f"{detail}/publish", data={"published_on": "2025-03-13"})
    assert refused.status_code == 422 and "只有经同级党委同意的目录可以公布" in refused.get_data(as_text=True)
    missing = client.post(f"{detail}/approve", data={"approved_on": "", "approval_ref": ""})
    assert missing.status_code == 422 and "为必填项" in missing.get_data(as_text=True)
    assert client.post(f"{detail}/approve", data={"approved_on": "2025-03-01",
                                                  "approval_ref": "白委〔2025〕3号"}).status_code == 302
    assert client.post(f"{detail}/publish", data={"published_on": "2025-03-13"}).status_code == 302
    body = page_text(client.get(detail))
    assert "已公布" in body and "/public/catalogues/BD/2025" in body
    # After publication: a change without a reason is refused, with it listed in the change log.
    item_url = f"{detail}/items/{item_id}"
    refused = client.post(item_url, data={**ITEM, "title": "农桥建设（调整）"})
    assert refused.status_code == 422 and "目录公布后调整须填写理由" in refused.get_data(as_text=True)
    assert client.post(item_url, data={**ITEM, "title": "农桥建设（调整）",
                                       "adjustment_reason": "建设规模调整"}).status_code == 302
    body = page_text(client.get(detail))
    assert "建设规模调整" in body and "变更" in body
    # Link a decision of the year.
    db.session.rollback()
    decision = make_decision()
    decision_id, ref_no = decision.id, decision.ref_no
    db.session.rollback()
    assert client.post(f"{item_url}/link", data={"decision_id": str(decision_id)}).status_code == 302
    db.session.rollback()
    assert db.session.get(CatalogueItem, item_id).decision.id == decision_id
    db.session.rollback()
    assert ref_no in page_text(client.get(detail))


def test_other_organisation_is_404_and_readers_cannot_edit(client, db, clerk, auditor, make_user, page_text):
    from app.services import catalogues

    other_clerk = make_user("clerk", "CD")
    catalogue = catalogues.create_catalogue(clerk, {"year": 2025})
    db.session.commit()
    db.session.rollback()
    login(client, other_clerk.username)
    assert client.get(f"/catalogues/{catalogue.id}").status_code == 404
    client.post("/logout")
    login(client, auditor.username)
    body = page_text(client.get(f"/catalogues/{catalogue.id}"))
    assert 'id="add-item"' not in body
    assert client.post(f"/catalogues/{catalogue.id}/items", data=ITEM).status_code == 403


def test_xlsx_round_trip(clerk_client, db, clerk):
    from app.services import catalogues

    db.session.rollback()
    source = catalogues.create_catalogue(clerk, {"year": 2025})
    catalogues.add_item(clerk, source, {"title": "农桥建设", "category": "major_project", "sponsor_unit": "建设局",
                                        "planned_completion": "2025-06-30",
                                        "procedures": {"expert_review": False, "hearing": True}})
    catalogues.add_item(clerk, source, {"title": "=HYPERLINK(1)", "category": "major_matter",
                                        "sponsor_unit": "办公室"})
    target = catalogues.create_catalogue(clerk, {"year": 2026})
    db.session.commit()
    source_id, target_id = source.id, target.id
    db.session.rollback()
    response = clerk_client.get(f"/catalogues/{source_id}/catalogue.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("序号", "事项名称", "决策主体", "承办单位", "法律政策依据", "履行程序要求", "计划完成时间",
                       "类别")
    assert rows[1][5] == "公众参与、风险评估、听证、合法性审查、集体讨论决定"
    assert rows[1][6].date().isoformat() == "2025-06-30" and rows[1][7] == "重大项目"
    assert rows[2][1] == "'=HYPERLINK(1)"  # written as text, not a formula

    upload = {"file": (io.BytesIO(response.data), "catalogue.xlsx")}
    assert clerk_client.post(f"/catalogues/{target_id}/import", data=upload,
                             content_type="multipart/form-data").status_code == 302
    db.session.rollback()
    items = db.session.query(CatalogueItem).filter_by(catalogue_id=target_id).order_by(CatalogueItem.seq).all()
    assert [(i.seq, i.title, i.category, i.expert_review, i.hearing) for i in items] == [
        (1, "农桥建设", "major_project", False, True), (2, "'=HYPERLINK(1)", "major_matter", True, False)]
    assert items[0].planned_completion.isoformat() == "2025-06-30"


def test_import_refuses_bad_rows_and_writes_nothing(clerk_client, db, clerk):
    from app.services import catalogues

    db.session.rollback()
    target = catalogues.create_catalogue(clerk, {"year": 2026})
    db.session.commit()
    target_id = target.id
    db.session.rollback()
    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "事项名称", "决策主体", "承办单位", "法律政策依据", "履行程序要求", "计划完成时间", "类别"])
    sheet.append([1, "好的一行", "", "建设局", "", "公众参与、合法性审查", "2026-06-30", "重大项目"])
    sheet.append([2, "", "", "", "", "", "not a date", "无此类别"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    response = clerk_client.post(f"/catalogues/{target_id}/import", data={"file": (buffer, "c.xlsx")},
                                 content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="refused-rows"' in body and "planned_completion" in body
    db.session.rollback()
    assert db.session.query(CatalogueItem).count() == 0
