"""Outgoing mail through SMTP (a local sink in development and tests)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import anyio
import structlog

from nastavnik.platform.settings import Settings

log = structlog.get_logger(__name__)


def _send(settings: Settings, message: EmailMessage) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        smtp.send_message(message)


async def send_mail(settings: Settings, *, to: str, subject: str, body: str) -> bool:
    """Send a plain-text letter; a mail failure is logged and reported, never raised."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        await anyio.to_thread.run_sync(_send, settings, message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("mail_failed", subject=subject, error=str(exc))
        return False
    return True
