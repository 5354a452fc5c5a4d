"""The annual report page: the paragraph whose numbers link to exactly the decisions they count."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
from docx import Document

from app.services.annual_report import clear_annual_cache
from app.services.steps import record_step
from tests.conftest import sign_in

EXEMPT_EXPERTS = {"status": "exempted", "exemption_reason": "不涉及专业技术问题",
                  "exemption_basis": "《重大行政决策程序暂行条例》第十九条"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_annual_cache()
    yield
    clear_annual_cache()


@pytest.fixture
def ledger(db, clerk, make_decision, walk):
    walk(make_decision(), "decided")
    exempted = make_decision()
    record_step(clerk, exempted, "expert_review", EXEMPT_EXPERTS)
    db.session.commit()
    walk(make_decision(), "preparatory")
    db.session.rollback()


def _links(body: str) -> list[tuple[str, str]]:
    text = body.split('id="annual-text"', 1)[1].split("</div>", 1)[0]
    return [(unescape(href), number) for href, number in
            re.findall(r'<a href="([^"]+)" class="annual-number">([^<]+)</a>', text)]


def test_every_linked_number_counts_the_decisions_of_its_link(app, client, auditor, ledger, page_text):
    sign_in(client, auditor)
    body = page_text(client.get("/reports/annual?year=2025&org=BD"))
    assert "白甸镇" in body and "均落实" not in body
    links = _links(body)
    assert len(links) >= 8
    for href, number in links:
        listed = page_text(client.get(href))
        shown = re.search(r'<span class="text-body-secondary">共 (\d+) 项', listed)
        assert shown is not None, href
        assert shown.group(1) == number, (href, number)


def test_downloads(app, client, auditor, ledger):
    sign_in(client, auditor)
    docx = client.get("/reports/annual.docx?year=2025&org=BD")
    assert docx.status_code == 200
    text = Document(io.BytesIO(docx.data)).paragraphs[1].text
    assert text.startswith("2025年，白甸镇") and "经认定依法不适用专家论证1项" in text
    xlsx = client.get("/reports/annual.xlsx?year=2025&org=BD")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert client.get("/reports/annual.docx?year=abc").status_code == 400


def test_legal_adviser_has_no_annual_report(client, legal):
    sign_in(client, legal)
    assert client.get("/reports/annual?year=2025").status_code == 403


def test_dashboard_has_the_catalogue_section(client, clerk, page_text, db):
    from app.services import catalogues

    catalogue = catalogues.create_catalogue(clerk, {"year": 2025})
    catalogues.add_item(clerk, catalogue, {"title": "一", "category": "major_project", "sponsor_unit": "局",
                                           "planned_completion": "2025-01-31"})
    catalogues.approve_catalogue(clerk, catalogue, {"approved_on": "2025-01-02", "approval_ref": "白委〔2025〕1号"})
    catalogues.publish_catalogue(clerk, catalogue, {"published_on": "2025-01-03"})
    db.session.commit()
    sign_in(client, clerk)
    body = page_text(client.get("/reports/dashboard?year=2025"))
    section = body.split('id="catalogue-section"', 1)[1]
    assert 'data-figure="items">1<' in section and 'data-figure="overdue">1<' in section
    assert 'data-figure="linked">0<' in section
