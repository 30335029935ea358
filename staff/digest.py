"""The weekly reminder digest: to each organisation's contacts (its active managers and editors,
and the organisation's own e-mail address), the list of its services due for review or overdue.

    python -m staff.digest [--database-url URL] [--force]

For cron (`make digest`) and for the scheduler process of the Procfile (`staff.scheduler`). It is
safe to run twice: an organisation already sent its digest in the last 6 days is skipped unless
`--force`. One audit entry per organisation sent, and one for the run. Each message goes to one
address, so nobody sees who else received it; it names services only, never anyone who used them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffUser
from services_directory.db import make_engine, make_session_factory
from services_directory.freshness import ReviewState, london_today
from services_directory.models import Organization, utcnow
from settings.app import Settings, get_settings
from staff import audit
from staff.freshness import ReviewRow, review_rows
from staff.mail import Mailer, make_mailer
from staff.policy import ORGANISATION_ROLES

logger = logging.getLogger(__name__)

ACTOR_LABEL = "reminder digest"
SENT, RUN = "freshness.digest_sent", "freshness.digest_run"
RESEND_AFTER = dt.timedelta(days=6)  # weekly: a second run in the same week sends nothing


@dataclass(frozen=True)
class Digest:
    """One organisation's digest: who it goes to and the services it lists."""

    organisation: Organization
    recipients: list[str]
    rows: list[ReviewRow]


@dataclass
class DigestReport:
    """What a run did."""

    organisations: int = 0  # sent to
    messages: int = 0
    services: int = 0
    without_contacts: list[str] = field(default_factory=list)  # organisation ids
    already_sent: int = 0
    failed: int = 0

    def summary(self) -> str:
        """One line for the audit log and the command's output."""
        return (
            f"{_count(self.organisations, 'organisation')} sent "
            f"{_count(self.messages, 'message')} listing {_count(self.services, 'service')}; "
            f"{len(self.without_contacts)} without contacts; "
            f"{self.already_sent} already sent this week; {self.failed} failed"
        )


def _count(number: int, word: str) -> str:
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


def _contacts(db: Session, organisation: Organization) -> list[str]:
    """The organisation's active managers and editors, and its own address (once each)."""
    roles = [role.value for role in ORGANISATION_ROLES]
    emails = db.scalars(
        select(StaffUser.email).where(
            StaffUser.organisation_id == organisation.id,
            StaffUser.active.is_(True),
            StaffUser.role.in_(roles),
        )
    )
    found = {email.strip().lower() for email in emails if email}
    if organisation.email and "@" in organisation.email:
        found.add(organisation.email.strip().lower())
    return sorted(found)


def digests(db: Session, today: dt.date, limit_days: int) -> list[Digest]:
    """Each organisation with services due or overdue, by name, with its contacts."""
    by_organisation: dict[str, list[ReviewRow]] = defaultdict(list)
    for row in review_rows(db, None, today, limit_days):
        if row.state != ReviewState.CURRENT:
            by_organisation[row.organisation_id].append(row)
    organisations = db.scalars(
        select(Organization)
        .where(Organization.id.in_(list(by_organisation)))
        .order_by(Organization.name, Organization.id)
    )
    return [
        Digest(organisation, _contacts(db, organisation), by_organisation[organisation.id])
        for organisation in organisations
    ]


def _line(row: ReviewRow, base_url: str) -> str:
    fresh = row.freshness
    checked = f"last checked {fresh.last_checked:%-d %B %Y}" if fresh.last_checked else "never"
    due = f", review due {fresh.next_review:%-d %B %Y}" if fresh.next_review else ""
    crisis = " (crisis line: checked every month)" if row.crisis else ""
    withheld = (
        "\n  Withheld from the chat: once it is checked, the council's directory team can offer"
        " it again."
        if row.withheld
        else ""
    )
    link = f"{base_url}/staff/services/{row.service_id}"
    return f"- {row.name}{crisis}: {checked}{due}\n  {link}{withheld}"


def digest_message(settings: Settings, digest: Digest, to: str, now: dt.datetime) -> EmailMessage:
    """The reminder to one contact of an organisation."""
    base = settings.public_base_url
    overdue = [r for r in digest.rows if r.state == ReviewState.OVERDUE]
    due = [r for r in digest.rows if r.state == ReviewState.DUE]
    parts = [
        f"These services of {digest.organisation.name} in the youth support directory need "
        "checking. Young people rely on their numbers, opening hours and details being right.\n\n"
        'Open each one, and if everything is still correct press "Checked, still correct". If '
        "something has changed, change it there.\n"
    ]
    if overdue:
        parts.append("\nOverdue:\n" + "\n".join(_line(r, base) for r in overdue) + "\n")
    if due:
        parts.append("\nDue in the next 30 days:\n" + "\n".join(_line(r, base) for r in due) + "\n")
    parts.append(
        f"\nAll of them: {base}/staff/freshness\n\n"
        "You receive this weekly reminder because you help keep this organisation's services "
        "up to date in the directory.\n"
    )
    message = EmailMessage()
    message["From"] = settings.mail_sender
    message["To"] = to
    count = len(digest.rows)
    message["Subject"] = (
        f"{count} service{'s' if count != 1 else ''} to check: {digest.organisation.name}"
    )
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain="youth-support-directory")
    message.set_content("".join(parts))
    return message


def send_digests(
    db: Session, settings: Settings, mailer: Mailer, now: dt.datetime, *, force: bool = False
) -> DigestReport:
    """Send every organisation's digest, committing after each one (so that a run stopped half
    way, run again, does not send the organisations already done again), and record the run in
    the audit log. An organisation whose messages could not all be sent is tried again next run."""
    report = DigestReport()
    today = london_today(now)
    for digest in digests(db, today, settings.staff_overdue_withhold_days):
        organisation_id = digest.organisation.id
        if not digest.recipients:
            report.without_contacts.append(organisation_id)
            continue
        if not force and audit.recorded_since(db, SENT, organisation_id, now - RESEND_AFTER):
            report.already_sent += 1
            continue
        try:
            for to in digest.recipients:
                mailer.send(digest_message(settings, digest, to, now))
        except Exception:  # one organisation's failure must not stop the others
            logger.exception("reminder digest to organisation %s not sent", organisation_id)
            report.failed += 1
            continue
        report.organisations += 1
        report.messages += len(digest.recipients)
        report.services += len(digest.rows)
        audit.record(
            db,
            None,
            SENT,
            now,
            record_type="organization",
            record_id=organisation_id,
            detail=f"{len(digest.rows)} services to {len(digest.recipients)} contacts",
            actor_label=ACTOR_LABEL,
        )
        db.commit()
    audit.record(db, None, RUN, now, detail=report.summary(), actor_label=ACTOR_LABEL)
    db.commit()
    return report


def run(
    settings: Settings, database_url: str | None = None, *, force: bool = False
) -> DigestReport:
    """One run against the database of the settings (or `database_url`)."""
    engine = make_engine(database_url or settings.database_url)
    try:
        with make_session_factory(engine)() as db:
            return send_digests(db, settings, make_mailer(settings), utcnow(), force=force)
    finally:
        engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    """Send the digest now; exit status 1 when any organisation's could not be sent."""
    parser = argparse.ArgumentParser(prog="python -m staff.digest", description=__doc__)
    parser.add_argument("--database-url", default=None, help="default: DATABASE_URL, else var/")
    parser.add_argument("--force", action="store_true", help="send even if sent this week")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    report = run(get_settings(), args.database_url, force=args.force)
    print(f"Reminder digest: {report.summary()}")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
