"""How fresh a service's record is: when it was last checked, its review interval, when its next
review falls due, and whether it is withheld from the chat (`x_service_review`).

The ORUK `assured_date` and `assurer_email` stay on the service (HSDS fields); the curated data's
`x_service_profile.last_verified` counts too, whichever is later. What HSDS has no field for (the
interval and withholding) lives in the `x_service_review` extension, one row per service, which is
never exported to Open Referral. The behaviour (checking, withholding, the digest) lives in the
`staff` package; the directory only knows the dates and leaves withheld services out of the search
index (`services_directory.search.rows`).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from services_directory.accounts import UTCDateTime
from services_directory.models import ID, Base, TimestampMixin
from services_directory.schedules import london_now

DEFAULT_INTERVAL_MONTHS = 12
CRISIS_INTERVAL_MONTHS = 1  # a crisis line's number must never be stale for long
DUE_WITHIN_DAYS = 30  # "due soon": the next review falls within this many days


class ServiceReview(TimestampMixin, Base):
    """A service's review interval and whether it is withheld from the chat (one-to-one with a
    service; a service without a row has the default interval and is not withheld)."""

    __tablename__ = "x_service_review"

    service_id: Mapped[str] = mapped_column(
        ID, ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    # None: the default (monthly for crisis lines, else yearly).
    review_interval_months: Mapped[int | None] = mapped_column(Integer)
    withheld_from_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    withheld_reason: Mapped[str | None] = mapped_column(Text)
    # Who withheld it: the account (kept if it is later deactivated) and its e-mail then.
    withheld_by_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    withheld_by: Mapped[str | None] = mapped_column(Text)
    withheld_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ReviewState(StrEnum):
    """Where a service stands against its next review."""

    CURRENT = "current"
    DUE = "due"  # within DUE_WITHIN_DAYS
    OVERDUE = "overdue"


def london_today(now: dt.datetime | None = None) -> dt.date:
    """Today's date in Europe/London (the directory's dates are London dates)."""
    return london_now(now).date()


def last_checked(assured_date: dt.date | None, last_verified: dt.date | None) -> dt.date | None:
    """When the record was last confirmed: the later of `assured_date` and `last_verified`."""
    known = [day for day in (assured_date, last_verified) if day is not None]
    return max(known) if known else None


def interval_months(review_interval_months: int | None, crisis: bool) -> int:
    """The review interval: the one set for the service, else monthly for crisis lines and
    yearly for the rest."""
    if review_interval_months:
        return review_interval_months
    return CRISIS_INTERVAL_MONTHS if crisis else DEFAULT_INTERVAL_MONTHS


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved on by whole calendar months (31 January + 1 month: 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Freshness:
    """One service's review dates."""

    last_checked: dt.date | None
    interval_months: int

    @property
    def next_review(self) -> dt.date | None:
        """When the next check is due (None: never checked, so due now)."""
        if self.last_checked is None:
            return None
        return add_months(self.last_checked, self.interval_months)

    def days_overdue(self, today: dt.date) -> int | None:
        """Days past the next review (0 or less: not overdue; None: never checked)."""
        if self.next_review is None:
            return None
        return (today - self.next_review).days

    def state(self, today: dt.date) -> ReviewState:
        """Overdue, due within `DUE_WITHIN_DAYS`, or current."""
        overdue = self.days_overdue(today)
        if overdue is None or overdue > 0:
            return ReviewState.OVERDUE
        if -overdue <= DUE_WITHIN_DAYS:
            return ReviewState.DUE
        return ReviewState.CURRENT

    def past_limit(self, today: dt.date, limit_days: int) -> bool:
        """Overdue by more than `limit_days` (a service never checked always is)."""
        overdue = self.days_overdue(today)
        return overdue is None or overdue > limit_days


def freshness_of(
    assured_date: dt.date | None,
    last_verified: dt.date | None,
    crisis: bool,
    review_interval_months: int | None = None,
) -> Freshness:
    """A service's review dates from its columns."""
    return Freshness(
        last_checked(assured_date, last_verified),
        interval_months(review_interval_months, crisis),
    )
