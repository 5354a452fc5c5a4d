"""Sending e-mail through the SMTP server of the config (standard library ``smtplib``, no extension).

``MAIL_SERVER``, ``MAIL_PORT``, ``MAIL_USE_TLS`` (STARTTLS), ``MAIL_USE_SSL``
(SMTPS), ``MAIL_USERNAME``, ``MAIL_PASSWORD``, ``MAIL_FROM``, ``MAIL_TIMEOUT``.
A message the server refuses raises ``MailError``: the caller then does not
record it as sent.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app


class MailError(Exception):
    """The SMTP server could not be reached or refused the message."""


def message(to: str, subject: str, body: str, *, to_name: str | None = None) -> EmailMessage:
    """A plain-text UTF-8 message from ``MAIL_FROM``."""
    mail = EmailMessage()
    mail["From"] = current_app.config["MAIL_FROM"]
    mail["To"] = formataddr((to_name, to)) if to_name else to
    mail["Subject"] = subject
    mail["Message-ID"] = make_msgid(domain=current_app.config["MAIL_FROM"].rpartition("@")[2].strip("> ") or None)
    mail.set_content(body, charset="utf-8")
    return mail


@contextmanager
def connection() -> Iterator[smtplib.SMTP]:
    """One SMTP session for a batch of messages, as the config says."""
    config = current_app.config
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    try:
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout) if config["MAIL_USE_SSL"] else (
            smtplib.SMTP(host, port, timeout=timeout))
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"cannot reach the SMTP server {host}:{port}: {error}") from error
    try:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        yield smtp
    except smtplib.SMTPException as error:
        raise MailError(str(error)) from error
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def send(smtp: smtplib.SMTP, mail: EmailMessage) -> None:
    """Hand one message to the server; any refusal (even of one recipient) is a ``MailError``."""
    try:
        refused = smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(str(error)) from error
    if refused:
        raise MailError(f"recipients refused: {', '.join(refused)}")
