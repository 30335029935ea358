"""Young people's feedback on service cards: "Did this help?" (counted, never a row) and
"Something wrong with this service?" (a report for the service's organisation to triage).

A report row holds the service, the reason, the optional words (already screened and redacted by
the caller: this package never sees the safety screen) and the day it came, nothing more: no
conversation id, no address, no browser, no time finer than the day. Staff work on reports in
`staff.feedback`.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from services_directory.accounts import UTCDateTime
from services_directory.insights import (
    HELPED_NO,
    HELPED_YES,
    REPORT_PREFIX,
    CounterKey,
    increment,
    week_start,
)
from services_directory.models import ID, Base, Service
from services_directory.schedules import london_now

# What can be wrong with a service, as a young person picks it.
REASONS = ("number_wrong", "closed_or_moved", "not_for_my_age", "something_else")
TEXT_MAX = 300
OPEN, FIXED, NOT_A_PROBLEM = "open", "fixed", "not_a_problem"
STATUSES = (OPEN, FIXED, NOT_A_PROBLEM)


class FeedbackReport(Base):
    """One "something wrong with this service" report, waiting for (or given) an outcome."""

    __tablename__ = "x_service_feedback"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    service_id: Mapped[str] = mapped_column(
        ID, ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(32))
    # Redacted before it gets here; None when they wrote nothing.
    text: Mapped[str | None] = mapped_column(Text)
    # The London day it came: never a finer time.
    received_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=OPEN, index=True)
    # The member of staff who gave the outcome (their own actions are theirs to be seen).
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    resolved_by: Mapped[str | None] = mapped_column(Text)


def service_exists(session: Session, service_id: str) -> bool:
    """Whether the directory has a service with this id."""
    return session.scalar(select(Service.id).where(Service.id == service_id)) is not None


def count_helped(
    session: Session, service_id: str, helped: bool, now: dt.datetime | None = None
) -> None:
    """Add a "Did this help?" answer to the service's counter for the week (not a row)."""
    metric = HELPED_YES if helped else HELPED_NO
    increment(session, [CounterKey(week_start(now), metric, service_id=service_id)])


def file_report(
    session: Session,
    service_id: str,
    reason: str,
    text: str | None,
    now: dt.datetime | None = None,
) -> FeedbackReport:
    """Keep a report for the service's organisation and count it for the insights. `text` must
    already be screened and redacted; blank words are kept as none."""
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    words = (text or "").strip()[:TEXT_MAX] or None
    report = FeedbackReport(
        id=str(uuid.uuid4()),
        service_id=service_id,
        reason=reason,
        text=words,
        received_on=london_now(now).date(),
        status=OPEN,
    )
    session.add(report)
    increment(session, [CounterKey(week_start(now), REPORT_PREFIX + reason, service_id=service_id)])
    session.flush()
    return report
