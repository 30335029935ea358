"""The world of the crosswalk and bot-ready page tests: the curated directory and a council's
feed imported as the CLI imports it, with people of each role."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffAuditEvent, StaffUser
from services_directory.curated import load_curated
from services_directory.io import import_document
from services_directory.models import Organization
from staff.policy import Role
from tests.services_directory.crosswalk_feed import ORGANISATION, council_feed
from tests.staff.helpers import make_organisation, make_user


def build(db: Session) -> Organization:
    """The curated directory and the council's feed; the council's organisation."""
    load_curated(db)
    import_document(db, council_feed(), source="council feed")
    council = db.scalars(
        select(Organization).where(Organization.name == ORGANISATION["name"])
    ).one()
    db.flush()
    return council


def person(db: Session, role: Role, organisation: Organization | None = None) -> StaffUser:
    """Someone of `role`; the organisation roles at `organisation` (else one of their own)."""
    if role.value.startswith("organisation") and organisation is None:
        organisation = make_organisation(db, "Another charity")
    return make_user(db, f"{role.value}@example.org", role, organisation)


def audit(db: Session, action: str) -> list[StaffAuditEvent]:
    return list(db.scalars(select(StaffAuditEvent).where(StaffAuditEvent.action == action)))


def text_of(html: str) -> str:
    """The page's words, tags taken out, for assertions that read as a person reads."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
