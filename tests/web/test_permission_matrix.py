"""Every web route × every kind of user, against an explicit table of answers (DESIGN §4).

The table names each route (endpoint and method) and what each user gets:
anonymous, a clerk, a legal adviser and another clerk of 白甸镇 (BD) or of
城东街道 (CD), an auditor and an admin of 海安市 (HA, above BD). The seeded
decision belongs to BD, is in preparation, and waits for its legality review;
a decision of another organisation is 404, never 403. A route that is not in
the table fails ``test_every_web_route_is_in_the_table``: a new page must say
who may open it.

POSTs carry minimal data (mostly none): a refused role must be refused before
its data is even looked at, an allowed one gets the form back with its errors
(422), or the action's redirect. Uploads carry a real PDF, so that the answer
is the permission's and not the empty form's.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import sign_in

from .support import pdf_bytes

LOGIN = "login"  # 302 to the login page
ACTORS = ("anonymous", "other_clerk", "legal", "auditor", "admin", "clerk")  # clerk last: its POSTs change things


def row(anonymous, clerk, legal, auditor, admin, other_clerk) -> dict[str, Any]:
    """Expected answers in the order of DESIGN §4's columns, then the clerk of another organisation."""
    return {"anonymous": anonymous, "clerk": clerk, "legal": legal, "auditor": auditor, "admin": admin,
            "other_clerk": other_clerk}


def _pdf() -> dict:
    return {"step": "public_participation", "file": (io.BytesIO(pdf_bytes("evidence")), "evidence.pdf")}


def _legality_pdf() -> dict:
    return {**_pdf(), "step": "legality_review"}


@dataclass(frozen=True)
class Case:
    expected: dict[str, Any]
    #: Form data of a POST (a callable when it holds a file, which can be read once only).
    data: dict | Callable[[], dict] | None = None
    #: Query string added to the URL.
    query: str = ""


#: Every web route. (endpoint, method) → expected answer per user.
EXPECTED: dict[tuple[str, str], Case] = {
    # -- log in, log out, language ---------------------------------------------------------------------------
    ("auth.login", "GET"): Case(row(200, 302, 302, 302, 302, 302)),
    ("auth.login", "POST"): Case(row(200, 302, 302, 302, 302, 302)),  # empty form: errors; logged in: away
    ("auth.logout", "POST"): Case(row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN)),
    ("auth.set_language", "POST"): Case(row(302, 302, 302, 302, 302, 302), data={"next": "/"}),
    ("auth.change_password", "GET"): Case(row(LOGIN, 200, 200, 200, 200, 200)),
    ("auth.change_password", "POST"): Case(row(LOGIN, 422, 422, 422, 422, 422)),  # empty form: errors
    # -- home pages and to-dos (auditors and admins have no to-dos: their home is the dashboard, the users) ----
    ("tasks.home", "GET"): Case(row(LOGIN, 200, 200, 200, 200, 200)),
    ("tasks.due", "GET"): Case(row(LOGIN, 200, 200, 403, 403, 200)),
    # -- decisions: read ----------------------------------------------------------------------------------------
    ("decisions.index", "GET"): Case(row(LOGIN, 200, 200, 200, 200, 200)),
    ("decisions.detail", "GET"): Case(row(LOGIN, 200, 200, 200, 404, 404)),
    ("decisions.draft_diff", "GET"): Case(row(LOGIN, 200, 200, 200, 404, 404)),
    ("decisions.download", "GET"): Case(row(LOGIN, 200, 200, 200, 404, 404)),
    # -- the dossier (决策档案) of a decision and a year's archive (the seeded BD year has nothing decided: 422) ----
    ("archive.dossier", "GET"): Case(row(LOGIN, 200, 200, 200, 404, 404)),
    ("archive.year_archive", "GET"): Case(row(LOGIN, 422, 403, 422, 404, 404)),
    # -- decisions: the clerk's writes --------------------------------------------------------------------------
    ("decisions.create", "GET"): Case(row(LOGIN, 200, 403, 403, 403, 200)),
    ("decisions.create", "POST"): Case(row(LOGIN, 422, 403, 403, 403, 422)),
    ("decisions.edit", "GET"): Case(row(LOGIN, 200, 403, 403, 404, 404)),
    ("decisions.edit", "POST"): Case(row(LOGIN, 422, 403, 403, 404, 404)),
    ("decisions.step", "GET"): Case(row(LOGIN, 200, 403, 403, 404, 404)),
    ("decisions.step", "POST"): Case(row(LOGIN, 422, 403, 403, 404, 404)),
    ("decisions.upload", "POST"): Case(row(LOGIN, 302, 403, 403, 404, 404), data=_pdf),
    # Reloading the address of a refused upload leads back to the decision's page (which then checks).
    ("decisions.upload", "GET"): Case(row(LOGIN, 302, 302, 302, 404, 404)),
    # Submitting is refused by the rulebook (no legality opinion yet): GEN-01 → 422.
    ("decisions.submit", "POST"): Case(row(LOGIN, 422, 403, 403, 404, 404)),
    # Publishing and archiving fit a decided decision only: in preparation, nobody may.
    ("decisions.publish", "POST"): Case(row(LOGIN, 403, 403, 403, 404, 404)),
    ("decisions.archive", "POST"): Case(row(LOGIN, 403, 403, 403, 404, 404)),
    ("decisions.archive", "GET"): Case(row(LOGIN, 403, 403, 403, 404, 404)),  # the confirmation page
    # -- legality review ----------------------------------------------------------------------------------------
    ("review.queue", "GET"): Case(row(LOGIN, 403, 200, 403, 403, 403)),
    ("review.detail", "GET"): Case(row(LOGIN, 403, 200, 403, 404, 404)),
    ("review.detail", "POST"): Case(row(LOGIN, 403, 422, 403, 404, 404)),
    ("review.upload", "POST"): Case(row(LOGIN, 403, 302, 403, 404, 404), data=_legality_pdf),
    # -- reports (clerk: own organisation; auditor: with descendants; admin: own) -------------------------------
    ("reports.dashboard", "GET"): Case(row(LOGIN, 200, 403, 200, 200, 200), query="year=2025"),
    ("reports.export_csv", "GET"): Case(row(LOGIN, 200, 403, 200, 200, 200), query="year=2025"),
    ("reports.export_xlsx", "GET"): Case(row(LOGIN, 200, 403, 200, 200, 200), query="year=2025"),
    ("reports.annual", "GET"): Case(row(LOGIN, 200, 403, 200, 200, 200), query="year=2025"),
    ("reports.annual_docx", "GET"): Case(row(LOGIN, 200, 403, 200, 200, 200), query="year=2025"),
    ("reports.annual_xlsx", "GET"): Case(row(LOGIN, 200, 403, 200, 200, 200), query="year=2025"),
    # -- audit trail --------------------------------------------------------------------------------------------
    ("audit.events", "GET"): Case(row(LOGIN, 403, 403, 200, 200, 403)),
    ("audit.verify", "GET"): Case(row(LOGIN, 403, 403, 200, 200, 403)),
    ("audit.verify", "POST"): Case(row(LOGIN, 403, 403, 200, 200, 403)),
    ("audit.download_checkpoint", "GET"): Case(row(LOGIN, 403, 403, 200, 200, 403)),
    # -- administration -----------------------------------------------------------------------------------------
    ("admin.index", "GET"): Case(row(LOGIN, 403, 403, 403, 200, 403)),
    ("admin.create_user", "GET"): Case(row(LOGIN, 403, 403, 403, 200, 403)),
    ("admin.create_user", "POST"): Case(row(LOGIN, 403, 403, 403, 422, 403)),  # empty form: errors
    ("admin.edit_user", "GET"): Case(row(LOGIN, 403, 403, 403, 200, 403)),
    ("admin.edit_user", "POST"): Case(row(LOGIN, 403, 403, 403, 422, 403)),
    ("admin.reset_password", "POST"): Case(row(LOGIN, 403, 403, 403, 422, 403)),
    ("admin.deactivate_user", "POST"): Case(row(LOGIN, 403, 403, 403, 302, 403)),
    ("admin.deactivate_user", "GET"): Case(row(LOGIN, 403, 403, 403, 200, 403)),  # the confirmation page
    ("admin.reactivate_user", "POST"): Case(row(LOGIN, 403, 403, 403, 302, 403)),
    ("admin.organizations", "GET"): Case(row(LOGIN, 403, 403, 403, 200, 403)),
    ("admin.organizations", "POST"): Case(row(LOGIN, 403, 403, 403, 422, 403)),
    ("admin.thresholds", "GET"): Case(row(LOGIN, 403, 403, 403, 200, 403)),
    ("admin.thresholds", "POST"): Case(row(LOGIN, 403, 403, 403, 422, 403)),
    # -- the money trail (issue 13): finance ledger (clerk: own organisation; auditor: those it sees), the
    # cross-check (auditor, admin, and a clerk for the own organisation), the 台账 import (clerks) -------------
    ("payments.index", "GET"): Case(row(LOGIN, 200, 403, 200, 200, 200), query="year=2025"),
    ("payments.findings_csv", "GET"): Case(row(LOGIN, 200, 403, 200, 200, 200), query="year=2025"),
    ("payments.findings_xlsx", "GET"): Case(row(LOGIN, 200, 403, 200, 200, 200), query="year=2025"),
    ("payments.upload", "GET"): Case(row(LOGIN, 200, 403, 200, 403, 200)),
    ("payments.upload", "POST"): Case(row(LOGIN, 422, 403, 422, 403, 422)),
    ("payments.confirm_upload", "POST"): Case(row(LOGIN, 302, 403, 302, 403, 302)),  # no token: upload again
    # The seeded payment is BD's: the admin of HA sees only HA's, the clerk of CD none.
    ("payments.link", "POST"): Case(row(LOGIN, 302, 403, 302, 404, 404)),
    ("payments.ledger_upload", "GET"): Case(row(LOGIN, 200, 403, 403, 403, 200)),
    ("payments.ledger_upload", "POST"): Case(row(LOGIN, 422, 403, 403, 403, 422)),
    ("payments.ledger_confirm", "POST"): Case(row(LOGIN, 302, 403, 403, 403, 302)),
    ("payments.ledger_template", "GET"): Case(row(LOGIN, 200, 403, 403, 403, 200)),
    # -- decision catalogues (a BD draft catalogue with one item; the admin of HA sees only HA's) --------------
    ("catalogues.index", "GET"): Case(row(LOGIN, 200, 200, 200, 200, 200)),
    ("catalogues.index", "POST"): Case(row(LOGIN, 422, 403, 403, 403, 422)),  # empty year: errors
    ("catalogues.detail", "GET"): Case(row(LOGIN, 200, 200, 200, 404, 404)),
    ("catalogues.export_xlsx", "GET"): Case(row(LOGIN, 200, 200, 200, 404, 404)),
    ("catalogues.add_item", "POST"): Case(row(LOGIN, 422, 403, 403, 404, 404)),
    ("catalogues.edit_item", "GET"): Case(row(LOGIN, 200, 200, 200, 404, 404)),
    ("catalogues.edit_item", "POST"): Case(row(LOGIN, 422, 403, 403, 404, 404)),
    ("catalogues.remove_item", "POST"): Case(row(LOGIN, 302, 403, 403, 404, 404)),  # a draft's item: deleted
    ("catalogues.link", "POST"): Case(row(LOGIN, 302, 403, 403, 404, 404)),  # no decision: stays unlinked
    ("catalogues.approve", "POST"): Case(row(LOGIN, 422, 403, 403, 404, 404)),
    ("catalogues.publish", "POST"): Case(row(LOGIN, 422, 403, 403, 404, 404)),  # not approved
    ("catalogues.import_xlsx", "POST"): Case(row(LOGIN, 422, 403, 403, 404, 404)),  # no file
    # -- the public page: nobody sees an unpublished catalogue ---------------------------------------------------
    ("public.catalogue", "GET"): Case(row(404, 404, 404, 404, 404, 404)),
}

#: Not pages: files served as they are, and the JSON API (its own permission tests in tests/api).
SKIPPED_ENDPOINTS = {"static", "bootstrap.static"}


def web_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED_ENDPOINTS or rule.rule.startswith("/api/") or rule.endpoint.startswith("api"):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((rule.endpoint, method))
    return routes


def test_every_web_route_is_in_the_table(app):
    routes = web_routes(app)
    missing = sorted(routes - set(EXPECTED))
    stale = sorted(set(EXPECTED) - routes)
    assert not missing, f"routes without expected answers (add them to EXPECTED): {missing}"
    assert not stale, f"EXPECTED names routes that no longer exist: {stale}"


@pytest.fixture
def world(db, clerk, legal, auditor, make_user, make_decision, walk, signing_key):
    """The users, a BD decision waiting for its legality review, one evidence file, a user to administer
    and an audit checkpoint."""
    from app.services.checkpoints import create_checkpoint
    from app.services.evidence import store_attachment

    users = {
        "clerk": clerk,
        "legal": legal,
        "auditor": auditor,
        "admin": make_user("admin", "HA"),
        "other_clerk": make_user("clerk", "CD"),
    }
    target = make_user("clerk", "BD", username="target_bd")
    decision = walk(make_decision(user=users["clerk"]), "submitted_for_review")
    attachment = store_attachment(users["clerk"], decision, "public_participation", "notice.pdf",
                                  pdf_bytes("notice"), "application/pdf")
    from datetime import date
    from decimal import Decimal

    from app.models import Payment

    payment = Payment(organization_id=decision.organization_id, paid_on=date(2025, 3, 1), voucher_no="记-1",
                      payee="某公司", amount_cny=Decimal("120000.00"), summary="")
    db.session.add(payment)
    from app.services import catalogues

    catalogue = catalogues.create_catalogue(users["clerk"], {"year": 2025})
    item = catalogues.add_item(users["clerk"], catalogue, {"title": "农桥建设", "category": "major_project",
                                                            "sponsor_unit": "建设局"})
    create_checkpoint()
    db.session.commit()
    values = {
        "payment_id": payment.id,
        "catalogue_id": catalogue.id,
        "item_id": item.id,
        "org_code": "BD",
        "year": 2025,
        "decision_id": decision.id,
        "attachment_id": attachment.id,
        "user_id": target.id,
        "kind": "public_participation",
        "code": "en",
    }
    return users, values


def _url(app, endpoint: str, method: str, values: dict[str, Any], query: str) -> str:
    rule = next(r for r in app.url_map.iter_rules(endpoint) if method in r.methods)
    unknown = rule.arguments - set(values)
    assert not unknown, f"{endpoint}: give the matrix a value for {sorted(unknown)}"
    adapter = app.url_map.bind("localhost")
    url = adapter.build(endpoint, {name: values[name] for name in rule.arguments}, method=method)
    return f"{url}?{query}" if query else url


def _client_for(app, user):
    client = app.test_client()
    if user is not None:
        sign_in(client, user)
    return client


def _matches(response, expected) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and response.headers["Location"].startswith("/login")
    if expected == 302:
        return response.status_code == 302 and not response.headers["Location"].startswith("/login")
    return response.status_code == expected


@pytest.mark.parametrize("route", sorted(EXPECTED), ids=lambda route: f"{route[0]}-{route[1]}")
def test_route_answers_every_user_as_expected(app, client, world, route):
    endpoint, method = route
    case = EXPECTED[route]
    users, values = world
    if route not in web_routes(app):
        pytest.skip("route not registered (test_every_web_route_is_in_the_table reports it)")
    url = _url(app, endpoint, method, values, case.query)
    wrong = []
    for actor in ACTORS:
        user = users.get(actor)
        browser = _client_for(app, user)
        if method == "GET":
            response = browser.get(url, buffered=True)
        else:
            data = case.data() if callable(case.data) else (case.data or {})
            response = browser.post(url, data=data, buffered=True)
        expected = case.expected[actor]
        if not _matches(response, expected):
            where = response.headers.get("Location", "")
            wrong.append(f"{actor}: expected {expected}, got {response.status_code} {where}".rstrip())
        response.close()
    assert not wrong, f"{method} {url}\n" + "\n".join(wrong)


def test_read_only_roles_are_refused_before_the_form_is_read(app, client, world):
    """An auditor's empty upload is refused for the role (403), not answered with the form's errors (422)."""
    users, values = world
    browser = _client_for(app, users["auditor"])
    response = browser.post(f"/decisions/{values['decision_id']}/attachments", data={}, buffered=True)
    assert response.status_code == 403
