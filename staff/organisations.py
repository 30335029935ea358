"""Changing an organisation's own details (name, description, website, e-mail): council admins
and the organisation's managers. Published at once, not reviewed: nothing here reaches a young
person's card but the name, and the change is logged in the public change log (by the back
office, never a person) and in the audit log with the fields that changed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services_directory.accounts import StaffUser
from services_directory.io.writer import BACK_OFFICE_AUTHOR, ChangeLog, WriteReport, upsert
from services_directory.models import Organization
from staff import audit
from staff.drafts import allowed, reason_of
from staff.errors import InvalidChange
from staff.policy import Permission

FIELDS = ("name", "description", "website", "email")


def change_organisation(
    db: Session,
    user: StaffUser,
    organisation: Organization,
    values: dict[str, str | None],
    reason: str,
    now: dt.datetime,
) -> list[str]:
    """Write the organisation's new details; returns the fields that changed (none: refused)."""
    allowed(user, Permission.ORGANISATIONS_EDIT, organisation.id)
    reason = reason_of(reason)
    changed = [f for f in FIELDS if (getattr(organisation, f) or None) != (values.get(f) or None)]
    if not changed:
        raise InvalidChange("reason", "Nothing has changed: change a field first")
    log, report = ChangeLog(BACK_OFFICE_AUTHOR), WriteReport()
    row = {"id": organisation.id, **{f: values.get(f) or None for f in FIELDS}}
    with db.begin_nested():
        upsert(db, "organization", {organisation.id: row}, log, report)
        log.flush(db)
    db.expire(organisation)
    audit.record(
        db,
        user,
        "organisation.changed",
        now,
        record_type="organisation",
        record_id=organisation.id,
        detail=f"{', '.join(changed)}: {reason}",
    )
    return changed
