"""Storing one uploaded evidence file from a page's form."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user

from app.models import Attachment, Decision
from app.services.errors import ValidationFailed
from app.services.evidence import FileTooLarge, store_attachment

from .forms import UploadForm


def store(form: UploadForm, decision: Decision, kind: str | None = None) -> Attachment:
    """Store the form's file for its step (or ``kind``).

    Every refusal is a ``ValidationFailed`` naming the ``file`` field, for
    ``answer_refusals`` to put next to the file box; a permission refusal is
    not a form error and propagates (403).
    """
    if not form.validate_on_submit():
        raise ValidationFailed({})
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        raise ValidationFailed({"file": _("Choose a file to upload.")})
    try:
        return store_attachment(current_user, decision, kind or form.step.data, upload.filename, upload.stream,
                                upload.mimetype)
    except FileTooLarge as error:
        raise ValidationFailed({"file": error.message}) from error
