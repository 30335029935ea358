"""E-mail: through a real SMTP server when one is set, else into the local outbox folder."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from pathlib import Path

from settings.app import Settings
from staff.mail import OutboxMailer, SmtpMailer, invitation_message, make_mailer
from tests.staff.conftest import Inbox

LINK = "https://directory.example.org/staff/set-up/abc"


def _message(settings: Settings) -> object:
    expires = dt.datetime(2027, 3, 4, 9, 30, tzinfo=dt.UTC)
    return invitation_message(settings, "new@council.example", LINK, "Reviewer", expires)


def test_without_smtp_host_mail_goes_to_the_outbox(tmp_path: Path) -> None:
    settings = Settings(mail_outbox_dir=tmp_path / "outbox")
    mailer = make_mailer(settings)
    assert isinstance(mailer, OutboxMailer)
    mailer.send(_message(settings))  # type: ignore[arg-type]
    (path,) = (tmp_path / "outbox").glob("*.eml")
    assert path.stat().st_mode & 0o777 == 0o600
    message = message_from_bytes(path.read_bytes())
    assert message["To"] == "new@council.example"
    assert LINK in message.get_payload(decode=True).decode()  # type: ignore[union-attr]


def test_with_smtp_host_mail_reaches_the_server(smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    settings = Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_security="none")
    mailer = make_mailer(settings)
    assert isinstance(mailer, SmtpMailer)
    mailer.send(_message(settings))  # type: ignore[arg-type]
    (received,) = inbox.messages
    assert received["Subject"] == "Set up your account for the youth support directory"
    body = received.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert LINK in body and "4 March 2027 at 09:30 UTC" in body and "as reviewer" in body
