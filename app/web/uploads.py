"""Storing one uploaded evidence file from a page's form, and reading a too-large one without losing the form.

A file over the upload cap must come back as the same page with what was typed
and the message next to the file box. Werkzeug's ``MAX_CONTENT_LENGTH`` refuses
the whole body before any field is read, so the pages with a file box read the
body up to ``guards.OVERSIZE_FACTOR`` times the cap instead and keep only the
first cap + 1 bytes of each file part (``requests.CappedSpool``): the text fields arrive whole,
the file is known to be too large, and nothing beyond the cap touches the disk.
A body larger still is refused unread (413) and the page shows the last saved
values with the message; the browser's size check (``static/js/uploads.js``)
stops such a file before it is sent.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user

from app.models import Attachment, Decision
from app.services.errors import ValidationFailed
from app.services.evidence import FileTooLarge, store_attachment

from .forms import UploadForm


def upload_limit() -> int:
    """The cap of one evidence file in bytes (``MAX_CONTENT_LENGTH``)."""
    return current_app.config.get("MAX_CONTENT_LENGTH") or 20 * 1024 * 1024


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def chosen(form: UploadForm) -> bool:
    """Whether the form carries a file (an empty file box sends a part without a name)."""
    upload = form.file.data
    return upload is not None and bool(getattr(upload, "filename", ""))


def too_large_message(form: UploadForm) -> str | None:
    """The message for a chosen file over the cap, with its size, or None (read from the capped part)."""
    if not chosen(form):
        return None
    received = getattr(form.file.data.stream, "received", None)
    if received is None or received <= upload_limit():
        return None
    return _("%(name)s is %(size)s MB; an evidence file may be at most %(mb)d MB. Compress or split it and choose "
             "it again.", name=form.file.data.filename, size=_mb(received), mb=upload_limit() // (1024 * 1024))


def store(form: UploadForm, decision: Decision, kind: str | None = None, *, validate: bool = True) -> Attachment:
    """Store the form's file for its step (or ``kind``).

    Every refusal is a ``ValidationFailed`` naming the ``file`` field, for
    ``answer_refusals`` to put next to the file box; a permission refusal is
    not a form error and propagates (403). ``validate=False`` when the form
    was checked with the step form it is part of.
    """
    if validate and not form.validate_on_submit():
        raise ValidationFailed({})
    if not chosen(form):
        raise ValidationFailed({"file": _("Choose a file to upload.")})
    message = too_large_message(form)
    if message:
        raise ValidationFailed({"file": message})
    upload = form.file.data
    try:
        return store_attachment(current_user, decision, kind or form.step.data, upload.filename, upload.stream,
                                upload.mimetype)
    except FileTooLarge as error:
        raise ValidationFailed({"file": error.message}) from error
