"""Storing one uploaded evidence file from a page's form, the service's refusals put on the form."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user

from app.models import Attachment, Decision
from app.services.errors import ValidationFailed
from app.services.evidence import FileTooLarge, store_attachment

from .forms import UploadForm


def store(form: UploadForm, decision: Decision, kind: str | None = None) -> Attachment | None:
    """Store the form's file for its step (or ``kind``); None, with the message on the form, when refused.

    The caller commits on success and rolls back otherwise. A permission
    refusal is not a form error: it propagates (403).
    """
    if not form.validate_on_submit():
        return None
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        form.file.errors = [*form.file.errors, _("Choose a file to upload.")]
        return None
    try:
        return store_attachment(current_user, decision, kind or form.step.data, upload.filename, upload.stream,
                                upload.mimetype)
    except FileTooLarge as error:
        form.file.errors = [*form.file.errors, error.message]
    except ValidationFailed as error:
        form.apply_errors(error.errors)
    return None
