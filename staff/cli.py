"""Command line of the staff accounts.

    python -m staff.cli admin EMAIL [--database-url URL]

`admin` invites EMAIL as a council admin (or re-invites an existing one, whose password and
two-factor are then set up again) and prints the one-time set-up link. `make admin EMAIL=...`
runs it after migrating the database. The link is printed, not e-mailed: whoever runs this
command hands it over.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence

from email_validator import EmailNotValidError, validate_email

from services_directory.db import make_engine, make_session_factory
from services_directory.models import utcnow
from settings.app import get_settings
from staff.errors import InvalidChange
from staff.invitations import invite, set_up_path
from staff.policy import Role

EMAIL_SHAPE = "an email address like name@council.example.gov.uk"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m staff.cli", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    admin = sub.add_parser("admin", help="invite a council admin and print the set-up link")
    admin.add_argument("email")
    admin.add_argument("--database-url", default=None, help="default: DATABASE_URL, else var/")
    return parser


def create_admin_invitation(database_url: str, email: str, now: dt.datetime) -> str:
    """Invite `email` as a council admin; returns the set-up link."""
    settings = get_settings()
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as db, db.begin():
            made = invite(
                db,
                None,
                email,
                Role.COUNCIL_ADMIN,
                None,
                now,
                dt.timedelta(hours=settings.staff_invitation_hours),
                reset_existing=True,
            )
            expires = made.invitation.expires_at
    finally:
        engine.dispose()
    link = settings.public_base_url + set_up_path(made.token)
    return f"{link}\n(works once, until {expires:%Y-%m-%d %H:%M} UTC)"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; exit status 0 on success, 2 on a bad argument."""
    args = _parser().parse_args(argv)
    try:
        email = validate_email(args.email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        print(f"error: EMAIL must be {EMAIL_SHAPE} ({error})", file=sys.stderr)
        return 2
    url = args.database_url or get_settings().database_url
    try:
        link = create_admin_invitation(url, email, utcnow())
    except InvalidChange as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    print(f"Council admin invited: {email.lower()}")
    print("Send them this one-time set-up link (do not share it anywhere else):")
    print(link)
    return 0


if __name__ == "__main__":
    sys.exit(main())
