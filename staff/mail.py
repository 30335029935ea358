"""E-mail to staff: through an SMTP server when `SMTP_HOST` is set, else into a local outbox
folder (`var/outbox/` by default), so that development never sends anything off the machine."""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol

from settings.app import Settings


class Mailer(Protocol):
    """Something that delivers a message."""

    def send(self, message: EmailMessage) -> None:
        """Deliver `message` (raises when it cannot)."""
        ...


@dataclass(frozen=True)
class SmtpMailer:
    """Delivers through an SMTP server: STARTTLS (port 587), implicit TLS (465), or plain for a
    relay on the same machine or a test server."""

    host: str
    port: int
    security: str = "starttls"
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0

    def send(self, message: EmailMessage) -> None:
        """Deliver `message`, checking the server's certificate when TLS is used."""
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.security == "tls":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.security == "starttls":
                smtp.starttls(context=context)
            if self.username and self.password:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


@dataclass(frozen=True)
class OutboxMailer:
    """Writes each message as an .eml file into a folder (readable by any mail program)."""

    folder: Path

    def send(self, message: EmailMessage) -> None:
        """Write `message` to the outbox folder."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        path = self.folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(message.as_bytes())
        path.chmod(0o600)  # it holds a set-up link


def make_mailer(settings: Settings) -> Mailer:
    """The mailer the settings ask for: SMTP when `SMTP_HOST` is set, else the outbox."""
    if not settings.smtp_host:
        return OutboxMailer(settings.mail_outbox_dir)
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpMailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        security=settings.smtp_security,
        username=settings.smtp_username,
        password=password,
        timeout=settings.smtp_timeout_seconds,
    )


def invitation_message(
    settings: Settings, to: str, link: str, role_label: str, expires_at: dt.datetime
) -> EmailMessage:
    """The invitation e-mail: who it is for, the set-up link and when it stops working."""
    message = EmailMessage()
    message["From"] = settings.mail_sender
    message["To"] = to
    message["Subject"] = "Set up your account for the youth support directory"
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    message["Message-ID"] = make_msgid(domain="youth-support-directory")
    until = expires_at.astimezone(dt.UTC).strftime("%-d %B %Y at %H:%M UTC")
    message.set_content(
        f"You have been invited to help keep the youth support directory up to date, as "
        f"{role_label.lower()}.\n\n"
        f"Set up your account (choose a password) with this link:\n\n{link}\n\n"
        f"The link works once, until {until}. If it has expired, ask the person who invited "
        f"you to send a new one.\n\n"
        f"If you did not expect this email, you can ignore it: nothing happens unless the "
        f"link is used.\n"
    )
    return message
