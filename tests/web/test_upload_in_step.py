"""The evidence file chosen inside a step form: saved with it, and no refusal ever loses what was typed."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest

from tests.conftest import COMPLETE_STEPS

from .support import EXE_BYTES, db_state, flatten, input_value, pdf_bytes, text_of

KIND = "public_participation"
#: What the clerk typed: distinctive values to find on the page again.
TYPED = {**COMPLETE_STEPS[KIND], "responsible": "王晓燕", "feedback_summary": "共采纳意见五条，详见反馈说明。"}


def _post(client, decision, data, file=None, *, kind=KIND):
    from app.extensions import db
    from app.models import Step

    db.session.rollback()
    version = db.session.query(Step.version).filter_by(decision_id=decision.id, kind=kind).scalar()
    body = {**flatten(data), "version": str(version), "save": "1"}
    if file is not None:
        body["file"] = (io.BytesIO(file[0]), file[1])
    return client.post(f"/decisions/{decision.id}/steps/{kind}", data=body, content_type="multipart/form-data")


def _stored_files(app) -> list[Path]:
    return [p for p in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file()]


def _file_box(body: str) -> str:
    start = body.index('id="field-file"')
    return text_of(body[start:body.index("</fieldset>", start)])


def _kept_typed_values(body: str) -> None:
    assert input_value(body, "responsible") == "王晓燕"
    assert "共采纳意见五条，详见反馈说明。" in body
    assert input_value(body, "comment_start") == "2025-03-01"


def test_the_step_page_has_the_file_box_in_its_form(login, clerk, make_decision, page_text):
    decision = make_decision()
    body = page_text(login(clerk).get(f"/decisions/{decision.id}/steps/{KIND}"))
    form = body[body.index('class="step-form"') - 300:body.index("</form>", body.index('class="step-form"'))]
    assert 'enctype="multipart/form-data"' in form
    assert 'type="file"' in form and f'id="file-{KIND}"' in form
    assert f'data-max-bytes="{20 * 1024 * 1024}"' in form
    assert "{name} 为 {size} MB，证明材料文件不得超过 20 MB" in form  # the browser's message, same words
    # No second upload form beside it, and the size check is loaded from static/.
    assert body.count('type="file"') == 1
    assert '<script src="/static/js/uploads.js" defer></script>' in body


def test_step_and_file_are_saved_together(app, db, login, clerk, make_decision, page_text):
    from app.models import Attachment, AuditEvent, Step

    decision = make_decision()
    client = login(clerk)
    content = pdf_bytes("征求意见公告")
    response = _post(client, decision, TYPED, (content, "征求意见公告.pdf"))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.rollback()
    step = db.session.query(Step).filter_by(decision_id=decision.id, kind=KIND).one()
    assert step.status == "completed" and step.responsible == "王晓燕"
    attachment = db.session.query(Attachment).one()
    assert attachment.step_id == step.id and attachment.sha256 == hashlib.sha256(content).hexdigest()
    actions = [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions[-2:] == [f"step.{KIND}.record", "attachment.upload"]
    body = page_text(client.get(response.headers["Location"]))
    assert "已登记公众参与，并上传文件 征求意见公告.pdf" in text_of(body)


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ((EXE_BYTES, "公告.pdf"), "文件内容不属于以下类型"),
        ((b"MZ" + b"\0" * 50, "setup.exe"), "只接受以下类型的文件"),
        ((b"", "空.pdf"), "文件为空"),
    ],
)
def test_a_refused_file_keeps_the_typed_text_and_saves_nothing(app, login, clerk, make_decision, page_text, file,
                                                               message):
    decision = make_decision()
    client = login(clerk)
    before, files = db_state(decision), _stored_files(app)
    response = _post(client, decision, TYPED, file)
    body = page_text(response, 422)
    assert db_state(decision) == before and _stored_files(app) == files
    _kept_typed_values(body)
    assert message in _file_box(body)
    assert 'aria-invalid="true"' in body[body.index(f'id="file-{KIND}"') - 400:body.index(f'id="file-{KIND}"') + 400]


def test_a_too_large_file_is_an_error_next_to_the_file_box(app, login, clerk, make_decision, monkeypatch,
                                                           page_text):
    """Over the cap (and under the oversize allowance): the same page, the typed text, the message, 413."""
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    decision = make_decision()
    client = login(clerk)
    before, files = db_state(decision), _stored_files(app)
    body = page_text(_post(client, decision, TYPED, (b"%PDF-" + b"x" * (3 * 1024 * 1024), "扫描件.pdf")), 413)
    assert db_state(decision) == before and _stored_files(app) == files
    _kept_typed_values(body)
    assert "扫描件.pdf 为 3.0 MB，证明材料文件不得超过 1 MB" in _file_box(body)
    assert "文件过大" not in text_of(body[:body.index("<main")])  # not the bare error page
    assert "<h1" in body and "公众参与" in body


def test_a_body_beyond_the_allowance_shows_the_saved_record_and_says_why(app, db, login, clerk, make_decision,
                                                                         monkeypatch, page_text):
    """Refused unread: the step page with the last saved values, the message next to the file box."""
    from app.services.steps import record_step
    from app.web.guards import LARGE_FORM, OVERSIZE_FACTOR

    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    decision = make_decision()
    record_step(clerk, decision, KIND, {"status": "in_progress", "responsible": "李四"})
    db.session.commit()
    client = login(clerk)
    before = db_state(decision)
    # Beyond what the step page reads: the file allowance plus the room of a long draft-sized form.
    huge = b"%PDF-" + b"x" * ((OVERSIZE_FACTOR + 1) * 1024 * 1024 + LARGE_FORM)
    body = page_text(_post(client, decision, TYPED, (huge, "巨大.pdf")), 413)
    assert db_state(decision) == before
    assert input_value(body, "responsible") == "李四"
    assert "文件远超 1 MB，表单无法读取，未保存" in _file_box(body)


def test_a_form_error_says_the_chosen_file_must_be_chosen_again(app, login, clerk, make_decision, page_text):
    decision = make_decision()
    client = login(clerk)
    before, files = db_state(decision), _stored_files(app)
    body = page_text(_post(client, decision, {**TYPED, "comment_end": "2025-02-01"}, (pdf_bytes(), "公告.pdf")),
                     422)
    assert db_state(decision) == before and _stored_files(app) == files
    assert input_value(body, "responsible") == "王晓燕"
    assert "表单未保存，因此 公告.pdf 未上传。请重新选择该文件。" in _file_box(body)


def test_a_rule_refusal_names_the_file_not_stored_too(db, app, login, clerk, make_decision, page_text):
    """GEN-02: a step cannot be recorded as exempted without its basis; the file box says the file is not in."""
    decision = make_decision()
    body = page_text(_post(login(clerk), decision, {"status": "exempted", "exemption_reason": "涉密",
                                                    "exemption_basis": ""}, (pdf_bytes(), "公告.pdf")), 422)
    assert "公告.pdf 未上传" in _file_box(body)


def test_without_a_file_the_step_saves_as_before(db, login, clerk, make_decision):
    from app.models import Attachment

    decision = make_decision()
    response = _post(login(clerk), decision, TYPED)
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.query(Attachment).count() == 0


def test_a_read_only_viewer_keeps_the_separate_upload_form(db, login, clerk, make_decision, walk, page_text):
    """A step that can no longer be recorded, but still takes evidence: its own form, posting with ?step=."""
    decision = walk(make_decision(), "submitted")
    body = page_text(login(clerk).get(f"/decisions/{decision.id}/steps/{KIND}"))
    assert 'class="step-form"' not in body
    assert f'action="/decisions/{decision.id}/attachments?step={KIND}"' in body


def test_reloading_a_refused_upload_goes_back_to_its_page(login, clerk, make_decision):
    decision = make_decision()
    client = login(clerk)
    response = client.get(f"/decisions/{decision.id}/attachments?step={KIND}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/decisions/{decision.id}/steps/{KIND}#evidence")
    response = client.get(f"/decisions/{decision.id}/attachments")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/decisions/{decision.id}#evidence")


def test_the_decision_page_checks_sizes_in_the_browser_too(login, clerk, make_decision, page_text):
    decision = make_decision()
    body = page_text(login(clerk).get(f"/decisions/{decision.id}"))
    boxes = re.findall(r'<input[^>]*type="file"[^>]*>', body)
    assert boxes and all("data-max-bytes=" in box and "data-too-large=" in box for box in boxes)
    assert '<script src="/static/js/uploads.js" defer></script>' in body
