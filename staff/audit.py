"""The append-only audit log of staff actions: who did what to which record, when, and a short
detail. Never a password, a code, a link or a cookie: callers pass only ids and plain facts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffAuditEvent, StaffUser

COMMAND_LINE = "command line"
NOT_SIGNED_IN = "not signed in"
DETAIL_MAX = 500
PAGE_SIZE = 50


def record(
    db: Session,
    actor: StaffUser | None,
    action: str,
    now: dt.datetime,
    *,
    record_type: str | None = None,
    record_id: str | None = None,
    detail: str = "",
    actor_label: str | None = None,
) -> StaffAuditEvent:
    """Append one entry (flushed with the change it records, so both commit or neither does).

    `actor` None: the command line, or someone not signed in (then say who in `actor_label`)."""
    entry = StaffAuditEvent(
        occurred_at=now,
        actor_id=actor.id if actor else None,
        actor_label=actor_label or (actor.email if actor else COMMAND_LINE),
        action=action,
        record_type=record_type,
        record_id=record_id,
        detail=detail[:DETAIL_MAX],
    )
    db.add(entry)
    db.flush()
    return entry


def recorded_since(db: Session, action: str, record_id: str, since: dt.datetime) -> bool:
    """Whether `action` was logged for `record_id` at or after `since` (to log a repeated
    event once a window, not once a request)."""
    found = db.scalar(
        select(StaffAuditEvent.id)
        .where(
            StaffAuditEvent.action == action,
            StaffAuditEvent.record_id == record_id,
            StaffAuditEvent.occurred_at >= since,
        )
        .limit(1)
    )
    return found is not None


def page_of_entries(db: Session, page: int = 1) -> tuple[list[StaffAuditEvent], int]:
    """One page of the log, newest first, and the number of pages."""
    total = int(db.scalar(select(func.count()).select_from(StaffAuditEvent)) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    entries = db.scalars(
        select(StaffAuditEvent)
        .order_by(StaffAuditEvent.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return list(entries), pages
