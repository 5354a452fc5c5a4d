"""The OpenAPI document and the documentation page served from this server."""

from __future__ import annotations

import re

from tests.conftest import DECISION_DATA

CONTRACT = {
    ("post", "/api/v1/tokens"),
    ("get", "/api/v1/decisions"),
    ("post", "/api/v1/decisions"),
    ("get", "/api/v1/decisions/{decision_id}"),
    ("patch", "/api/v1/decisions/{decision_id}"),
    *{("put", f"/api/v1/decisions/{{decision_id}}/steps/{kind}") for kind in (
        "public_participation", "expert_review", "risk_assessment", "legality_review", "collective_decision")},
    ("post", "/api/v1/decisions/{decision_id}/steps/legality_review/sign"),
    ("post", "/api/v1/decisions/{decision_id}/submit"),
    ("post", "/api/v1/decisions/{decision_id}/publish"),
    ("post", "/api/v1/decisions/{decision_id}/archive"),
    ("post", "/api/v1/decisions/{decision_id}/attachments"),
    ("get", "/api/v1/decisions/{decision_id}/history"),
    ("get", "/api/v1/reports/completeness"),
    ("get", "/api/v1/audit/verify"),
    ("delete", "/api/v1/tokens/current"),
    ("get", "/api/v1/audit/events"),
    ("get", "/api/v1/decisions/{decision_id}/dossier"),
    ("post", "/api/v1/payments/import"),
    ("get", "/api/v1/reports/payments"),
    ("post", "/api/v1/imports/ledger"),
    ("get", "/api/v1/catalogues"),
    ("post", "/api/v1/catalogues"),
    ("get", "/api/v1/catalogues/{catalogue_id}"),
    ("post", "/api/v1/catalogues/{catalogue_id}/items"),
    ("patch", "/api/v1/catalogues/{catalogue_id}/items/{item_id}"),
    ("delete", "/api/v1/catalogues/{catalogue_id}/items/{item_id}"),
    ("post", "/api/v1/catalogues/{catalogue_id}/approve"),
    ("post", "/api/v1/catalogues/{catalogue_id}/publish"),
    ("get", "/api/v1/public/catalogues/{org_code}/{year}"),
    ("get", "/api/v1/reports/annual"),
    ("get", "/api/v1/due"),
}
#: Paths anyone may call without a token.
PUBLIC = {"/api/v1/tokens", "/api/v1/public/catalogues/{org_code}/{year}"}


def test_document_lists_the_contract(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    operations = {(method, path) for path, item in spec["paths"].items() for method in item if method != "parameters"}
    assert operations == CONTRACT
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "A token from POST /api/v1/tokens."}
    assert spec["security"] == [{"bearerAuth": []}]
    assert spec["paths"]["/api/v1/tokens"]["post"]["security"] == []


def test_document_comes_from_the_request_schemas(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    create = schemas["DecisionCreate"]
    assert set(create["required"]) == {"title", "category", "department", "year", "draft_text"}
    assert create["properties"]["category"]["enum"] == ["major_matter", "cadre_appointment", "major_project",
                                                         "large_fund"]
    meeting = spec["paths"]["/api/v1/decisions/{decision_id}/steps/collective_decision"]["put"]
    ref = meeting["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schemas[ref.rsplit("/", 1)[1]]
    assert {"meeting_type", "members_total", "opinions", "status"} <= set(body["properties"])
    assert "hearing_date" not in body["properties"]
    upload = spec["paths"]["/api/v1/decisions/{decision_id}/attachments"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    error = schemas["ErrorBody"]
    assert set(error["required"]) == {"code", "message", "findings"}
    assert "fields" in error["properties"]


def test_every_operation_documents_its_error_answers(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            codes = set(operation["responses"])
            assert "default" not in codes
            if path not in PUBLIC:
                assert "401" in codes, (method, path)
            else:
                assert operation["security"] == [], path
            if "{decision_id}" in path or "{catalogue_id}" in path:
                assert "404" in codes, (method, path)
            if method in ("post", "put", "patch"):
                assert {"400", "422"} <= codes, (method, path)


def test_swagger_ui_is_served_locally(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/v1/openapi.json" in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    # Swagger UI's own files, and its starter script among ours (no inline script: the CSP forbids it).
    assert assets and all(asset.startswith(("/api/v1/docs/static/", "/static/js/")) for asset in assets)
    assert "<script>" not in html
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert len(response.data) > (1000 if asset.startswith("/api/v1/docs/static/") else 100)
        response.close()


def test_api_writes_need_no_csrf_token(app, api, clerk):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        answer = api.post("/decisions", as_=clerk, json=DECISION_DATA)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert answer.status == 201
