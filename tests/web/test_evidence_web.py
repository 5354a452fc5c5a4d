"""Evidence files from the pages: upload per step, refusals as form errors, 413, listing, download."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from urllib.parse import quote

import pytest

from .support import EXE_BYTES, db_state, pdf_bytes, text_of


def _upload(client, decision, kind, content, name, origin="detail", url=None):
    data = {"step": kind, "origin": origin, "file": (io.BytesIO(content), name)}
    return client.post(url or f"/decisions/{decision.id}/attachments", data=data, content_type="multipart/form-data")


def _stored_files(app) -> list[Path]:
    return [p for p in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file()]


def test_upload_on_the_decision_page_lists_the_file(db, login, clerk, make_decision, page_text):
    decision = make_decision()
    client = login(clerk)
    content = pdf_bytes("征求意见公告")
    response = _upload(client, decision, "public_participation", content, "征求意见公告.pdf")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/decisions/{decision.id}#evidence-public_participation")
    body = page_text(client.get(response.headers["Location"]))
    card = body[body.index('id="step-public_participation"'):body.index('id="step-expert_review"')]
    assert "征求意见公告.pdf" in card
    assert hashlib.sha256(content).hexdigest() in card
    assert "clerk_bd" in card  # the uploader
    assert 'evidence-count">1<' in card
    assert "已上传文件 征求意见公告.pdf" in text_of(body)
    from app.models import AuditEvent

    db.session.rollback()
    assert db.session.query(AuditEvent).filter_by(action="attachment.upload").count() == 1


def test_upload_on_the_step_page_returns_there(login, clerk, make_decision, page_text):
    decision = make_decision()
    client = login(clerk)
    response = _upload(client, decision, "expert_review", pdf_bytes(), "专家意见.pdf", origin="step")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/decisions/{decision.id}/steps/expert_review#evidence")
    body = page_text(client.get(response.headers["Location"]))
    assert "专家意见.pdf" in body[body.index('id="evidence"'):]


@pytest.mark.parametrize("origin", ["detail", "step"])
def test_forbidden_type_is_a_form_error_and_writes_nothing(app, login, clerk, make_decision, page_text, origin):
    decision = make_decision()
    client = login(clerk)
    before, files = db_state(decision), _stored_files(app)
    body = page_text(_upload(client, decision, "risk_assessment", EXE_BYTES, "报告.pdf", origin=origin), 422)
    assert db_state(decision) == before and _stored_files(app) == files
    error = text_of(body[body.index("upload-error") - 200:])
    assert "文件内容不属于以下类型" in error
    assert "is-invalid" in body[body.index('id="file-risk_assessment"') - 200: body.index('id="file-risk_assessment"')]


def test_wrong_extension_is_refused(login, clerk, make_decision, page_text):
    decision = make_decision()
    client = login(clerk)
    before = db_state(decision)
    body = page_text(_upload(client, decision, "risk_assessment", b"MZ" + b"\0" * 50, "setup.exe"), 422)
    assert db_state(decision) == before
    assert "只接受以下类型的文件" in text_of(body)


def test_no_file_chosen(login, clerk, make_decision, page_text):
    decision = make_decision()
    client = login(clerk)
    before = db_state(decision)
    body = page_text(client.post(f"/decisions/{decision.id}/attachments", data={"step": "expert_review"},
                                 content_type="multipart/form-data"), 422)
    assert db_state(decision) == before
    assert "请选择要上传的文件" in text_of(body)


def test_file_over_the_cap_is_a_form_error(app, login, clerk, make_decision, monkeypatch, page_text):
    """A file over the cap is read capped and refused next to the file box, with its size and the limit."""
    decision = make_decision()
    client = login(clerk)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    before, files = db_state(decision), _stored_files(app)
    content = pdf_bytes() + b"\n%" + b"x" * (1024 * 1024)
    body = page_text(_upload(client, decision, "public_participation", content, "大文件.pdf"), 422)
    assert db_state(decision) == before and _stored_files(app) == files
    assert "大文件.pdf 为 1.0 MB，证明材料文件不得超过 1 MB" in text_of(body)


def test_file_several_times_over_the_cap_is_still_a_form_error(app, login, clerk, make_decision, monkeypatch,
                                                               page_text):
    """Up to guards.OVERSIZE_FACTOR times the cap the body is read (the file part capped), so the page answers."""
    decision = make_decision()
    client = login(clerk)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    before, files = db_state(decision), _stored_files(app)
    body = page_text(_upload(client, decision, "public_participation", b"%PDF-" + b"x" * (3 * 1024 * 1024),
                             "巨大.pdf"), 422)
    assert db_state(decision) == before and _stored_files(app) == files
    error = text_of(body[body.index("upload-error") - 200:])
    assert "巨大.pdf 为 3.0 MB" in error


def test_request_far_over_the_cap_gets_the_friendly_413(app, login, clerk, make_decision, monkeypatch, page_text):
    from app.web.guards import OVERSIZE_FACTOR

    decision = make_decision()
    client = login(clerk)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    before = db_state(decision)
    body = page_text(_upload(client, decision, "public_participation",
                             b"%PDF-" + b"x" * ((OVERSIZE_FACTOR + 1) * 1024 * 1024), "巨大.pdf"), 413)
    assert db_state(decision) == before
    assert "文件过大" in body and "不得超过 1 MB" in text_of(body)


def test_download_sends_the_original_name(login, clerk, make_decision, page_text):
    from app.extensions import db
    from app.models import Attachment

    decision = make_decision()
    client = login(clerk)
    content = pdf_bytes("会议纪要")
    _upload(client, decision, "expert_review", content, "专家 论证意见（签章）.pdf")
    db.session.rollback()
    attachment = db.session.query(Attachment).one()
    response = client.get(f"/attachments/{attachment.id}")
    assert response.status_code == 200
    assert response.data == content
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('专家 论证意见（签章）.pdf')}" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_download_is_404_for_another_organisation_and_open_to_the_parent_auditor(
    login, clerk, auditor, make_user, make_decision, client, page_text
):
    from app.extensions import db
    from app.models import Attachment

    decision = make_decision()
    _upload(login(clerk), decision, "expert_review", pdf_bytes(), "意见.pdf")
    db.session.rollback()
    attachment_id = db.session.query(Attachment.id).scalar()
    client.post("/logout")
    assert login(auditor).get(f"/attachments/{attachment_id}").status_code == 200
    client.post("/logout")
    outsider = make_user("clerk", "CD", username="clerk_cd")
    body = page_text(login(outsider).get(f"/attachments/{attachment_id}"), 404)
    assert "意见.pdf" not in body
    page_text(client.get("/attachments/999999"), 404)
    client.post("/logout")
    assert client.get(f"/attachments/{attachment_id}").status_code == 302  # to the login page


def test_legal_adviser_uploads_only_to_the_legality_review(login, legal, make_decision, page_text):
    decision = make_decision()
    client = login(legal)
    before = db_state(decision)
    page_text(_upload(client, decision, "public_participation", pdf_bytes(), "x.pdf"), 403)
    assert db_state(decision) == before
    body = page_text(client.get(f"/decisions/{decision.id}"))
    assert body.count('enctype="multipart/form-data"') == 1  # the legality review's card only
    assert 'id="file-legality_review"' in body
    response = _upload(client, decision, "legality_review", pdf_bytes(), "审查意见书.pdf")
    assert response.status_code == 302


def test_auditor_sees_files_but_no_upload_form(login, clerk, auditor, make_decision, client, page_text):
    decision = make_decision()
    _upload(login(clerk), decision, "expert_review", pdf_bytes(), "意见.pdf")
    client.post("/logout")
    watcher = login(auditor)
    body = page_text(watcher.get(f"/decisions/{decision.id}"))
    assert "意见.pdf" in body and 'enctype="multipart/form-data"' not in body
    before = db_state(decision)
    page_text(_upload(watcher, decision, "expert_review", pdf_bytes(), "y.pdf"), 403)
    assert db_state(decision) == before


def test_upload_form_renders_the_csrf_token(app, login, clerk, make_decision, monkeypatch, page_text):
    decision = make_decision()
    client = login(clerk)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    body = page_text(client.get(f"/decisions/{decision.id}"))
    form = body[body.index('enctype="multipart/form-data"'):]
    assert 'name="csrf_token"' in form[:600]
    # Without the token the upload is refused, although the view checks it itself (after raising the limits).
    before = db_state(decision)
    page_text(_upload(client, decision, "expert_review", pdf_bytes(), "x.pdf"), 400)
    assert db_state(decision) == before


def test_read_only_role_is_refused_before_the_form(login, auditor, make_decision, page_text):
    decision = make_decision()
    page_text(login(auditor).post(f"/decisions/{decision.id}/attachments", data={}), 403)
