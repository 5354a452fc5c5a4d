"""Evidence files: the service's checks by content, storage by hash, and the upload endpoint."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.models import Attachment, AuditEvent
from app.services import evidence
from app.services.errors import NotFound, PermissionDenied, ValidationFailed


def PDF(text: bytes = b"evidence") -> io.BytesIO:
    return io.BytesIO(b"%PDF-1.4\n%" + text + b"\n%%EOF\n")


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


OLE = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504
SAMPLES = {
    "pdf": b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n",
    "png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
    "jpg": b"\xff\xd8\xff\xe0" + b"\x00" * 32,
    "docx": _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
    "xlsx": _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}),
    "ofd": _zip({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<ofd:Document/>"}),
    "doc": OLE + "WordDocument".encode("utf-16-le") + b"\x00" * 64,
    "xls": OLE + "Workbook".encode("utf-16-le") + b"\x00" * 64,
}


@pytest.mark.parametrize("extension", sorted(SAMPLES))
def test_each_allowed_kind_is_accepted_by_content(db, clerk, make_decision, extension):
    decision = make_decision()
    attachment = evidence.store_attachment(clerk, decision, "expert_review", f"专家意见.{extension}",
                                           SAMPLES[extension], "application/octet-stream")
    db.session.commit()
    assert attachment.content_type == evidence.CONTENT_TYPES[extension]
    assert attachment.filename == f"专家意见.{extension}"
    path = evidence.storage_path(attachment.sha256)
    assert path.read_bytes() == SAMPLES[extension]
    assert path.parent.name == attachment.sha256[2:4] and path.parent.parent.name == attachment.sha256[:2]


def test_jpeg_extension_is_a_jpg(db, clerk, make_decision):
    attachment = evidence.store_attachment(clerk, make_decision(), "risk_assessment", "现场.JPEG", SAMPLES["jpg"])
    assert attachment.content_type == "image/jpeg" and attachment.filename == "现场.JPEG"


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("报告.pdf", SAMPLES["png"]),  # the extension lies about the content
        ("报告.docx", SAMPLES["xlsx"]),
        ("报告.xls", SAMPLES["doc"]),
        ("报告.exe", b"MZ\x90\x00"),
        ("报告.pdf", b"<html>not a pdf</html>"),
        ("报告.docx", b"PK\x03\x04 truncated zip"),
        ("报告.docx", _zip({"word/document.xml": b"x"})),  # no [Content_Types].xml
        ("报告.doc", OLE),  # an OLE file with neither Word nor Excel stream
        ("报告", SAMPLES["pdf"]),  # no extension
        ("报告.pdf", b""),  # empty
        ("../../", SAMPLES["pdf"]),  # nothing left of the name
    ],
)
def test_content_and_name_must_agree(db, clerk, make_decision, filename, content):
    decision = make_decision()
    with pytest.raises(ValidationFailed) as error:
        evidence.store_attachment(clerk, decision, "expert_review", filename, content)
    assert "file" in error.value.errors
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(Attachment)).scalar_one() == 0


def test_too_large_is_refused_before_anything_is_stored(app, db, clerk, make_decision):
    decision = make_decision()
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1000
    try:
        with pytest.raises(evidence.FileTooLarge):
            evidence.store_attachment(clerk, decision, "expert_review", "大.pdf", io.BytesIO(b"%PDF-" + b"0" * 5000))
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    leftovers = [p for p in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file() and p.name.startswith(".")]
    assert leftovers == []


def test_same_content_is_stored_once(app, db, clerk, make_decision):
    decision = make_decision()
    first = evidence.store_attachment(clerk, decision, "expert_review", "a.pdf", SAMPLES["pdf"])
    second = evidence.store_attachment(clerk, decision, "risk_assessment", "b.pdf", io.BytesIO(SAMPLES["pdf"]))
    db.session.commit()
    assert first.sha256 == second.sha256 and first.id != second.id
    stored = list(Path(app.config["UPLOAD_FOLDER"]).rglob(first.sha256))
    assert len(stored) == 1


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("会议纪要.pdf", "会议纪要.pdf"),
        ("C:\\Users\\张三\\桌面\\会议纪要.pdf", "会议纪要.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("报告\x00\x1f\x7f.pdf", "报告.pdf"),
        ("evil\u202efdp.exe", "evilfdp.exe"),  # a right-to-left override disguising the extension
        ("  .hidden 文件 .pdf ", "hidden 文件.pdf"),
        ("a<b>c:d\"e|f?g*h.pdf", "a_b_c_d_e_f_g_h.pdf"),
        ("第一\u3000稿.pdf", "第一 稿.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ("长" * 300 + ".pdf", "长" * 196 + ".pdf"),
        ("", ""),
        ("/", ""),
        (None, ""),
    ],
)
def test_sanitize_filename_keeps_chinese(raw, clean):
    assert evidence.sanitize_filename(raw) == clean


def test_upload_permissions(db, clerk, legal, auditor, make_user, make_decision):
    decision = make_decision()
    evidence.store_attachment(legal, decision, "legality_review", "审查意见.pdf", SAMPLES["pdf"])
    with pytest.raises(PermissionDenied):
        evidence.store_attachment(legal, decision, "expert_review", "x.pdf", SAMPLES["pdf"])
    with pytest.raises(PermissionDenied):
        evidence.store_attachment(auditor, decision, "expert_review", "x.pdf", SAMPLES["pdf"])
    with pytest.raises(NotFound):
        evidence.store_attachment(make_user("clerk", "CD"), decision, "expert_review", "x.pdf", SAMPLES["pdf"])
    with pytest.raises(ValidationFailed):
        evidence.store_attachment(clerk, decision, "no_such_step", "x.pdf", SAMPLES["pdf"])


def test_download_helper_checks_read_permission(db, clerk, auditor, make_user, make_decision):
    decision = make_decision()
    attachment = evidence.store_attachment(clerk, decision, "expert_review", "意见.pdf", SAMPLES["pdf"])
    db.session.commit()
    download = evidence.attachment_for_download(auditor, attachment.id)
    assert download.filename == "意见.pdf" and download.path.read_bytes() == SAMPLES["pdf"]
    assert download.content_type == "application/pdf"
    with pytest.raises(NotFound):
        evidence.attachment_for_download(make_user("clerk", "CD"), attachment.id)
    with pytest.raises(NotFound):
        evidence.attachment_for_download(clerk, attachment.id + 1000)
    assert [a.id for a in evidence.attachments_by_kind(decision.id)["expert_review"]] == [attachment.id]


def test_upload_refreshes_findings_and_is_audited(api, db, clerk, make_decision, walk):
    decision = walk(make_decision(), "preparatory")
    before = api.get(f"/decisions/{decision.id}", as_=clerk).json
    assert any(f["rule"] == "EVD-01" and f["step"] == "expert_review" for f in before["compliance"]["findings"])
    answer = api.post(f"/decisions/{decision.id}/attachments", as_=clerk,
                      data={"step": "expert_review", "file": (io.BytesIO(SAMPLES["docx"]), "专家论证意见.docx")})
    assert answer.status == 201, answer.json
    assert set(answer.json) == {"id", "filename", "size", "sha256"}
    assert answer.json["size"] == len(SAMPLES["docx"])
    after = api.get(f"/decisions/{decision.id}", as_=clerk).json
    assert not any(f["rule"] == "EVD-01" and f["step"] == "expert_review" for f in after["compliance"]["findings"])
    # Evidence is not one of the decision's own fields: its version stays, so no open form goes stale.
    assert after["version"] == before["version"]
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "attachment.upload")).scalar_one()
    assert event.after_data["filename"] == "专家论证意见.docx" and event.after_data["step"] == "expert_review"


def test_upload_errors(app, api, clerk, legal, auditor, other_clerk, make_decision):
    decision = make_decision()
    url = f"/decisions/{decision.id}/attachments"

    def send(user, step="expert_review", file=None, **kwargs):
        data = {"step": step, "file": file or (PDF(), "a.pdf")}
        return api.post(url, as_=user, data=data, **kwargs)

    assert send(None).status == 401
    assert send(auditor).status == 403
    assert send(legal).status == 403
    assert send(legal, step="legality_review").status == 201
    assert send(other_clerk).status == 404
    wrong = send(clerk, file=(io.BytesIO(SAMPLES["png"]), "a.pdf"))
    assert wrong.status == 422 and set(wrong.error["fields"]) == {"file"}
    unknown_step = send(clerk, step="nope")
    assert unknown_step.status == 422 and set(unknown_step.error["fields"]) == {"step"}
    multipart = "multipart/form-data"
    missing = api.post(url, as_=clerk, data={"step": "expert_review"}, content_type=multipart)
    assert missing.status == 422 and set(missing.error["fields"]) == {"file"}
    not_a_file = api.post(url, as_=clerk, data={"step": "expert_review", "file": "text"}, content_type=multipart)
    assert not_a_file.status == 422 and set(not_a_file.error["fields"]) == {"file"}
    form = api.post(url, as_=clerk, data={"step": "expert_review"})
    assert form.status == 400 and form.error["code"] == "bad_content_type"
    as_json = api.post(url, as_=clerk, json={"step": "expert_review"})
    assert as_json.status == 400 and as_json.error["code"] == "bad_content_type"

    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 2000
    try:
        too_large = send(clerk, file=(io.BytesIO(b"%PDF-" + b"0" * 5000), "大.pdf"))
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert too_large.status == 413 and too_large.error["code"] == "too_large"
