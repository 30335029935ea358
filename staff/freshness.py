"""Freshness as staff work with it: the services due for review or overdue within a person's
reach, "checked, still correct" in one action, and withholding a long-overdue service from the
chat (and releasing it). No web imports.

A check changes the ORUK `assured_date` and `assurer_email` (and the curated `last_verified`)
through the directory's change log, so the Open Referral `metadata` shows it and the chat's search
index is refreshed; every action leaves an entry in the audit log. Withholding is not an HSDS
change: it lives in `x_service_review`, which the search index reads
(`services_directory.search.rows`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, false, select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffUser
from services_directory.freshness import (
    Freshness,
    ReviewState,
    ServiceReview,
    freshness_of,
    london_today,
)
from services_directory.io.writer import BACK_OFFICE_AUTHOR, ChangeLog, WriteReport, upsert
from services_directory.models import Organization, Service, ServiceProfile
from staff import audit
from staff.errors import InvalidChange
from staff.policy import Actor

CHANGE_LOG_BY = BACK_OFFICE_AUTHOR  # public (Open Referral): never a member of staff
REASON_MAX = 500

# What the dashboard can be narrowed to.
SHOW_ALL, SHOW_OVERDUE, SHOW_DUE, SHOW_FLAGGED, SHOW_WITHHELD = (
    "",
    "overdue",
    "due",
    "flagged",
    "withheld",
)


@dataclass(frozen=True)
class ReviewRow:
    """One service against its next review."""

    service_id: str
    name: str
    organisation_id: str
    organisation_name: str
    crisis: bool
    freshness: Freshness
    state: ReviewState
    past_limit: bool  # overdue by more than the withholding limit
    withheld: bool
    withheld_reason: str | None

    @property
    def flagged(self) -> bool:
        """Overdue past the limit and still in the chat: for a council admin to look at."""
        return self.past_limit and not self.withheld

    @property
    def needs_review(self) -> bool:
        """Due, overdue or withheld: what the dashboard and the digest list."""
        return self.state != ReviewState.CURRENT or self.withheld


def _columns() -> tuple[Any, ...]:
    return (
        Service.id,
        Service.name,
        Service.organization_id,
        Organization.name.label("organisation_name"),
        Service.assured_date,
        ServiceProfile.last_verified,
        ServiceProfile.crisis,
        ServiceReview.review_interval_months,
        ServiceReview.withheld_from_bot,
        ServiceReview.withheld_reason,
    )


def _row(found: Row, today: dt.date, limit_days: int) -> ReviewRow:
    fresh = freshness_of(
        found.assured_date, found.last_verified, bool(found.crisis), found.review_interval_months
    )
    return ReviewRow(
        service_id=found.id,
        name=found.name,
        organisation_id=found.organization_id,
        organisation_name=found.organisation_name,
        crisis=bool(found.crisis),
        freshness=fresh,
        state=fresh.state(today),
        past_limit=fresh.past_limit(today, limit_days),
        withheld=bool(found.withheld_from_bot),
        withheld_reason=found.withheld_reason,
    )


def review_rows(
    db: Session,
    actor: Actor | None,
    today: dt.date,
    limit_days: int,
    service_id: str | None = None,
) -> list[ReviewRow]:
    """Every active service within `actor`'s reach (None: all, for the digest) that is due,
    overdue or withheld (with `service_id`: that one service, whatever its state and status);
    never checked first, then by next review and name. One query: the dates are worked out in
    Python (10,000 services take a few tens of milliseconds)."""
    statement = (
        select(*_columns())
        .join(Organization, Organization.id == Service.organization_id)
        .outerjoin(ServiceProfile, ServiceProfile.service_id == Service.id)
        .outerjoin(ServiceReview, ServiceReview.service_id == Service.id)
    )
    if actor is not None and actor.is_organisation_scoped:
        if actor.organisation_id is None:
            statement = statement.where(false())
        else:
            statement = statement.where(Service.organization_id == actor.organisation_id)
    if service_id is None:
        statement = statement.where(Service.status == "active")
    else:
        statement = statement.where(Service.id == service_id)
    rows = [_row(found, today, limit_days) for found in db.execute(statement)]
    listed = [r for r in rows if r.needs_review or service_id is not None]
    listed.sort(
        key=lambda r: (
            r.freshness.next_review is not None,
            r.freshness.next_review or today,
            r.name.lower(),
            r.service_id,
        )
    )
    return listed


def narrowed(rows: list[ReviewRow], show: str) -> list[ReviewRow]:
    """The rows that one of the dashboard's filters keeps."""
    keep = {
        SHOW_OVERDUE: lambda r: r.state == ReviewState.OVERDUE,
        SHOW_DUE: lambda r: r.state == ReviewState.DUE,
        SHOW_FLAGGED: lambda r: r.flagged,
        SHOW_WITHHELD: lambda r: r.withheld,
    }.get(show)
    return [r for r in rows if keep(r)] if keep else rows


def review_of(db: Session, service: Service, today: dt.date, limit_days: int) -> ReviewRow:
    """One service's review dates and state, whether or not it is due."""
    (row,) = review_rows(db, None, today, limit_days, service_id=service.id)
    return row


# --- actions ---------------------------------------------------------------------------------


def mark_checked(db: Session, user: StaffUser, service: Service, now: dt.datetime) -> dt.date:
    """Mark a service "checked, still correct": its `assured_date` becomes today (London) and its
    `assurer_email` this person's address, `last_verified` too when it has a profile, through the
    change log; and an audit entry. Returns the date recorded. The caller commits."""
    today = london_today(now)
    log, report = ChangeLog(CHANGE_LOG_BY), WriteReport()
    log.today = today
    sid = service.id
    values = {"id": sid, "assured_date": today, "assurer_email": user.email}
    upsert(db, "service", {sid: values}, log, report)
    if db.get(ServiceProfile, sid) is not None:
        upsert(
            db, "x_service_profile", {sid: {"service_id": sid, "last_verified": today}}, log, report
        )
    log.flush(db)
    db.expire_all()  # the bulk updates went round the objects already loaded
    audit.record(
        db,
        user,
        "service.checked",
        now,
        record_type="service",
        record_id=sid,
        detail=f"checked, still correct, on {today.isoformat()}",
    )
    return today


def withhold(
    db: Session,
    user: StaffUser,
    service: Service,
    reason: str,
    now: dt.datetime,
    limit_days: int,
) -> ServiceReview:
    """Withhold a service overdue past the limit from the chat, with a reason (`InvalidChange`
    when there is none or the service is not that overdue). The caller commits."""
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidChange("reason", "Enter why the service is withheld from the chat")
    if len(reason) > REASON_MAX:
        raise InvalidChange("reason", f"The reason must be {REASON_MAX} characters or fewer")
    profile = db.get(ServiceProfile, service.id)
    if profile is not None and profile.crisis:
        # The crisis response must always carry every crisis line (hazard H3): an overdue one is
        # checked or corrected, never taken out of the chat.
        raise InvalidChange(
            "reason",
            "A crisis line is never withheld from the chat: check its numbers now, or change them",
        )
    row = review_of(db, service, london_today(now), limit_days)
    if row.withheld:
        raise InvalidChange("reason", "The service is already withheld from the chat")
    if not row.past_limit:
        raise InvalidChange(
            "reason",
            f"Only a service overdue for its review by more than {limit_days} days can be "
            "withheld from the chat",
        )
    review = db.get(ServiceReview, service.id) or ServiceReview(service_id=service.id)
    review.withheld_from_bot = True
    review.withheld_reason = reason
    review.withheld_by_id = user.id
    review.withheld_by = user.email
    review.withheld_at = now
    db.add(review)
    db.flush()
    audit.record(
        db,
        user,
        "service.withheld",
        now,
        record_type="service",
        record_id=service.id,
        detail=reason,
    )
    return review


def release(db: Session, user: StaffUser, service: Service, now: dt.datetime) -> None:
    """Offer a withheld service in the chat again (the audit log keeps why it was withheld).
    The caller commits."""
    review = db.get(ServiceReview, service.id)
    if review is None or not review.withheld_from_bot:
        raise InvalidChange("release", "The service is not withheld from the chat")
    detail = f"released; it was withheld because: {review.withheld_reason or ''}"
    review.withheld_from_bot = False
    review.withheld_reason = None
    review.withheld_by_id = None
    review.withheld_by = None
    review.withheld_at = None
    db.flush()
    audit.record(
        db,
        user,
        "service.released",
        now,
        record_type="service",
        record_id=service.id,
        detail=detail,
    )
