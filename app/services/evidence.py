"""Evidence files of the steps (程序证明材料, 713号令 art. 33): upload and download.

A file is accepted only when its content is one of the allowed kinds (checked
by its leading bytes, and for the zip-based formats by their members) and its
name's extension agrees with that content. It is stored once under the upload
folder at a path made of its sha256 (``ab/cd/<sha256>``), written to a
temporary file first and moved into place, so a reader never sees half a file
and the same content uploaded twice is stored once. The original name,
sanitised, is kept on the ``Attachment`` row for the download.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.clock import utcnow
from app.extensions import db
from app.models import Attachment, Decision, Step, User
from app.rulebook.vocabulary import StepKind

from . import permissions
from .audit import record_event
from .compliance import refresh_summary
from .decisions import mark_changed
from .errors import DomainError, InvalidState, NotFound, ValidationFailed

CHUNK = 64 * 1024
FILENAME_MAX = 200

#: Stored content type of each accepted kind of file, by its canonical extension.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "ofd": "application/ofd",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "png": "image/png",
}
ALLOWED_EXTENSIONS = (*CONTENT_TYPES, "jpeg")
_ALIASES = {"jpeg": "jpg"}

_OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")
_PNG = b"\x89PNG\r\n\x1a\n"
_ZIP = b"PK\x03\x04"
#: Characters Windows refuses in file names; replaced so that the download saves everywhere.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


class FileTooLarge(DomainError):
    """The upload is larger than ``MAX_CONTENT_LENGTH``."""

    code = "too_large"
    http_status = 413


def sanitize_filename(name: str | None) -> str:
    """A safe display and download name that keeps Chinese (and any other) letters.

    Drops directory parts (``/`` and ``\\``), control and format characters
    (including bidirectional overrides that disguise an extension), characters
    Windows forbids, leading dots and surrounding blanks; shortens a long name
    keeping its extension. Returns ``""`` when nothing usable is left.
    """
    if not isinstance(name, str):
        return ""
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(" " if unicodedata.category(ch) == "Zs" else ch for ch in name
                   if not unicodedata.category(ch).startswith(("C", "Zl", "Zp")))
    name = _FORBIDDEN.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if not name:
        return ""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    if stem.split(".")[0].upper() in _RESERVED:
        stem = "_" + stem
    if len(extension) > 10:  # not an extension: part of the name
        stem, extension, dot = name, "", ""
    room = FILENAME_MAX - len(extension) - len(dot)
    stem = stem[:room].rstrip(" .") or "file"
    return f"{stem}{dot}{extension}"


def extension_of(filename: str) -> str:
    """The canonical lower-case extension of ``filename`` (``jpeg`` → ``jpg``), or ``""``."""
    _stem, dot, extension = filename.rpartition(".")
    extension = extension.lower() if dot else ""
    return _ALIASES.get(extension, extension)


def _zip_kind(path: Path) -> set[str]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return set()
    if "OFD.xml" in names:
        return {"ofd"}
    if "[Content_Types].xml" not in names:
        return set()
    if any(n.startswith("word/") for n in names):
        return {"docx"}
    if any(n.startswith("xl/") for n in names):
        return {"xlsx"}
    return set()


def _ole_kind(path: Path) -> set[str]:
    # The directory names its streams in UTF-16: WordDocument for Word, Workbook (or Book) for Excel.
    data = path.read_bytes()
    kinds = set()
    if "WordDocument".encode("utf-16-le") in data:
        kinds.add("doc")
    if "Workbook".encode("utf-16-le") in data or "Book\x00".encode("utf-16-le") in data:
        kinds.add("xls")
    return kinds


def detect_kinds(path: Path, head: bytes) -> set[str]:
    """The allowed kinds the file's content can be; empty when it is none of them."""
    if head.startswith(b"%PDF-"):
        return {"pdf"}
    if head.startswith(b"\xff\xd8\xff"):
        return {"jpg"}
    if head.startswith(_PNG):
        return {"png"}
    if head.startswith(_OLE2):
        return _ole_kind(path)
    if head.startswith(_ZIP):
        return _zip_kind(path)
    return set()


def storage_path(sha256: str) -> Path:
    """Where the file with this content hash lives: ``<UPLOAD_FOLDER>/ab/cd/<sha256>``."""
    return Path(current_app.config["UPLOAD_FOLDER"]) / sha256[:2] / sha256[2:4] / sha256


def _chunks(data: bytes | BinaryIO) -> Iterable[bytes]:
    if isinstance(data, (bytes, bytearray, memoryview)):
        view = memoryview(data)
        for start in range(0, len(view), CHUNK):
            yield bytes(view[start : start + CHUNK])
        return
    while True:
        chunk = data.read(CHUNK)
        if not chunk:
            return
        yield chunk


@dataclass(frozen=True)
class _Spooled:
    path: Path
    sha256: str
    size: int
    head: bytes


def _spool(data: bytes | BinaryIO, limit: int, folder: Path) -> _Spooled:
    """Copy the upload to a temporary file in ``folder``, hashing it and enforcing the size cap."""
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    handle, name = tempfile.mkstemp(prefix=".upload-", suffix=".tmp", dir=folder)
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in _chunks(data):
                size += len(chunk)
                if size > limit:
                    raise FileTooLarge(
                        _("The file is larger than %(mb)d MB.", mb=max(1, limit // (1024 * 1024)))
                    )
                if len(head) < 16:
                    head += chunk[: 16 - len(head)]
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return _Spooled(path, digest.hexdigest(), size, head)


def _place(spooled: _Spooled) -> Path:
    """Move the temporary file to its content-hash path; an identical stored file is kept as it is."""
    target = storage_path(spooled.sha256)
    if target.exists():
        spooled.path.unlink(missing_ok=True)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(spooled.path, target)
    return target


def store_attachment(
    user: User,
    decision: Decision,
    kind: StepKind | str,
    filename: str | None,
    data: bytes | BinaryIO,
    content_type: str | None = None,
) -> Attachment:
    """Check, store and record one evidence file of a step; the decision's findings are refreshed (EVD-01).

    ``content_type`` is what the client declared; it is recorded in the audit
    event but never trusted: the stored type comes from the content.
    """
    permissions.readable_decision(user, decision)
    try:
        kind = StepKind(kind)
    except ValueError:
        raise ValidationFailed(
            {"step": _("must be one of: %(values)s", values=", ".join(k.value for k in StepKind))}
        ) from None
    permissions.ensure(
        permissions.may_attach(user, decision, kind),
        _("Only a clerk of the organisation, or its legal adviser for the legality review, may upload evidence."),
    )
    if permissions.is_frozen(decision):
        raise InvalidState(_("An archived decision is closed: no more evidence can be added."))
    name = sanitize_filename(filename)
    extension = extension_of(name)
    if not name:
        raise ValidationFailed({"file": _("the file has no usable name")})
    if extension not in CONTENT_TYPES:
        raise ValidationFailed(
            {"file": _("only these kinds of file are accepted: %(kinds)s", kinds=", ".join(ALLOWED_EXTENSIONS))}
        )
    limit = current_app.config["MAX_CONTENT_LENGTH"] or 20 * 1024 * 1024
    upload_folder = Path(current_app.config["UPLOAD_FOLDER"])
    spooled = _spool(data, limit, upload_folder)
    try:
        if spooled.size == 0:
            raise ValidationFailed({"file": _("the file is empty")})
        kinds = detect_kinds(spooled.path, spooled.head)
        if not kinds:
            raise ValidationFailed(
                {"file": _("the content is not one of: %(kinds)s", kinds=", ".join(ALLOWED_EXTENSIONS))}
            )
        if extension not in kinds:
            raise ValidationFailed(
                {"file": _("the name ends in .%(ext)s but the content is %(kinds)s",
                           ext=extension, kinds=", ".join(sorted(kinds)))}
            )
        _place(spooled)
    finally:
        spooled.path.unlink(missing_ok=True)
    step = decision.step(kind)
    attachment = Attachment(
        step=step,
        filename=name,
        content_type=CONTENT_TYPES[extension],
        size=spooled.size,
        sha256=spooled.sha256,
        uploaded_by=user,
        uploaded_at=utcnow(),
    )
    db.session.add(attachment)
    db.session.flush()
    mark_changed(decision)
    refresh_summary(decision)
    db.session.flush()
    record_event(
        user, "attachment.upload", "attachment", attachment.id, decision_id=decision.id,
        after={"step": kind.value, "filename": name, "content_type": attachment.content_type,
               "declared_content_type": (content_type or "")[:100] or None,
               "size": spooled.size, "sha256": spooled.sha256},
    )
    return attachment


@dataclass(frozen=True)
class Download:
    """What a download view needs: where the file is and how to name it."""

    path: Path
    filename: str
    content_type: str
    size: int
    attachment: Attachment


def attachment_for_download(user: User, attachment_id: int) -> Download:
    """The stored file of an attachment the user may read; ``NotFound`` otherwise (other organisations too)."""
    row = db.session.execute(
        select(Attachment, Decision)
        .join(Step, Step.id == Attachment.step_id)
        .join(Decision, Decision.id == Step.decision_id)
        .where(Attachment.id == attachment_id)
    ).first()
    if row is None:
        raise NotFound(_("attachment not found"))
    attachment, decision = row
    permissions.readable_decision(user, decision)
    path = storage_path(attachment.sha256)
    if not path.is_file():
        raise NotFound(_("the stored file is missing"))
    return Download(path, attachment.filename, attachment.content_type, attachment.size, attachment)


def attachments_by_kind(decision_id: int) -> dict[str, list[Attachment]]:
    """The decision's evidence files by step kind, oldest first, their uploaders loaded: one query."""
    rows = db.session.execute(
        select(Attachment, Step.kind)
        .join(Step, Step.id == Attachment.step_id)
        .where(Step.decision_id == decision_id)
        .options(joinedload(Attachment.uploaded_by))
        .order_by(Attachment.id)
    ).all()
    result: dict[str, list[Attachment]] = {kind.value: [] for kind in StepKind}
    for attachment, kind in rows:
        result[kind].append(attachment)
    return result
