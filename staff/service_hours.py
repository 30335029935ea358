"""A service's weekly opening hours in its document: the simple weekly schedule rows (days, opens,
closes), read and written back; rows of any other shape (an import's dated or monthly rules) are
left as they are. Open 24 hours is one row for every day, as the curated data has it."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.io.writer import ChangeLog
from services_directory.models import Schedule, utcnow
from services_directory.schedules import DAYS, parse_time

Hours = list[dict[str, Any]]
DAY_NAMES = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
ALWAYS: dict[str, Any] = {"days": list(DAYS), "opens_at": "00:00", "closes_at": "24:00"}
ALWAYS_DESCRIPTION = "Open 24 hours, every day"
OTHER_RULES = (
    "valid_from",
    "valid_to",
    "dtstart",
    "until",
    "count",
    "interval",
    "byweekno",
    "bymonthday",
    "byyearday",
    "location_id",
    "service_at_location_id",
)


def hhmm(text: str | None) -> str | None:
    """ "9:00", "09:00:00" or "09:00Z" as "09:00" (None when it is not a time of day)."""
    minutes = parse_time(text)
    if minutes is None:
        return None
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _simple(row: Schedule) -> bool:
    return (
        (row.freq or "").upper() == "WEEKLY"
        and bool(row.byday)
        and hhmm(row.opens_at) is not None
        and hhmm(row.closes_at) is not None
        and all(getattr(row, column) in (None, "") for column in OTHER_RULES)
        and all(day.strip() in DAYS for day in (row.byday or "").split(","))
    )


def _key(days: list[str], opens_at: str, closes_at: str) -> tuple[str, str, str]:
    return ",".join(d for d in DAYS if d in days), opens_at, closes_at


def _rows(db: Session, sid: str) -> list[Schedule]:
    found = db.scalars(select(Schedule).where(Schedule.service_id == sid).order_by(Schedule.id))
    return [row for row in found if _simple(row)]


def read_hours(db: Session, sid: str, open_24_7: bool) -> Hours:
    """The weekly hours, in the order of their first day (none for a 24-hour service)."""
    if open_24_7:
        return []
    hours = [
        {
            "days": [d for d in DAYS if d in (row.byday or "").split(",")],
            "opens_at": hhmm(row.opens_at),
            "closes_at": hhmm(row.closes_at),
        }
        for row in _rows(db, sid)
    ]
    return sorted(hours, key=lambda h: (DAYS.index(h["days"][0]), h["opens_at"]))


def write_hours(db: Session, sid: str, hours: Hours, open_24_7: bool, log: ChangeLog) -> None:
    """Make the simple weekly rows say `hours` (or every day, all day), keeping unchanged rows."""
    wanted = [ALWAYS] if open_24_7 else hours
    keys = {_key(h["days"], h["opens_at"], h["closes_at"]) for h in wanted}
    have = {}
    for row in _rows(db, sid):
        key = _key(
            row.byday.split(",") if row.byday else [],
            hhmm(row.opens_at) or "",
            hhmm(row.closes_at) or "",
        )
        if key in keys and key not in have:
            have[key] = row
        else:
            db.delete(row)
            log.add("schedule", row.id, "delete", "byday", row.byday, None)
    now = utcnow()
    for byday, opens_at, closes_at in sorted(keys - set(have)):
        sched_id = str(uuid.uuid4())
        db.add(
            Schedule(
                id=sched_id,
                service_id=sid,
                freq="WEEKLY",
                byday=byday,
                opens_at=opens_at,
                closes_at=closes_at,
                description=ALWAYS_DESCRIPTION if open_24_7 else None,
                created_at=now,
                updated_at=now,
            )
        )
        log.add("schedule", sched_id, "create", "byday", None, byday)
    db.flush()


def shown_hours(hours: Hours) -> str:
    """Weekly hours as staff read them in a difference: "Monday, Tuesday 09:00-17:00; ..."."""
    return "; ".join(
        f"{', '.join(DAY_NAMES[d] for d in h['days'])} {h['opens_at']}-{h['closes_at']}"
        for h in hours
    )
