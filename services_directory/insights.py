"""Insights for the partnership, kept only as aggregate counters (`x_insight_counter`).

One row per week (its Monday, London time), metric, need, age band, locality and service, holding
a count. Nothing else: no message text, no conversation id, no time finer than the week, no row
per conversation. Counts are added with one upsert (`INSERT ... ON CONFLICT DO UPDATE SET count =
count + excluded.count`), which is atomic on PostgreSQL and serialised by SQLite's write lock, so
two processes counting at once never lose a count.

What is counted:

- `offered`: the bot offered services for a need (a first offer, and again when an answer such
  as an age or an area refines it; "show more" pages are not counted), by need, age band and
  locality as known at that moment;
- `no_local_fit`: the young person named a locality of the borough and none of the services
  offered is in it (or nothing fitted at all);
- `helped_yes` / `helped_no`: "Did this help?" on a service card, by service;
- `report_<reason>`: "Something wrong with this service?", by service and reason
  (`services_directory.feedback`).

`record_offer` is what the action server calls; a failure to count is logged and swallowed, so it
can never break a reply.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, Index, Integer, String, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from services_directory.localities import load_localities, locality_for_postcode, outward_code
from services_directory.models import ID, Base
from services_directory.schedules import london_now

logger = logging.getLogger(__name__)

OFFERED = "offered"
NO_LOCAL_FIT = "no_local_fit"
HELPED_YES = "helped_yes"
HELPED_NO = "helped_no"
REPORT_PREFIX = "report_"
# Age bands: the ages the bot serves (11-25), ages outside them, and not said.
AGE_BANDS = ("11-15", "16-17", "18-25", "other", "unknown")
UNKNOWN = "unknown"
# Where the young person is, besides a locality id of the borough.
ONLINE, OUTSIDE = "online", "outside"
DEFAULT_RETENTION_WEEKS = 156


class InsightCounter(Base):
    """One aggregate count. Every key column is "" when it does not apply (never NULL, so the
    composite primary key is what the upsert conflicts on)."""

    __tablename__ = "x_insight_counter"
    __table_args__ = (
        # The page's breakdowns (summed over weeks) read this index alone, already in order.
        Index(
            "ix_x_insight_counter_breakdown",
            "metric",
            "need",
            "age_band",
            "locality",
            "service_id",
            "week_start",
            "count",
        ),
        # SQLite keeps the rows in key order (no rowid): a metric's weeks are one range.
        {"sqlite_with_rowid": False},
    )

    # The metric first: every page query asks for one or two metrics over a range of weeks.
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    week_start: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    need: Mapped[str] = mapped_column(String(64), primary_key=True, default="")
    age_band: Mapped[str] = mapped_column(String(8), primary_key=True, default="")
    locality: Mapped[str] = mapped_column(String(64), primary_key=True, default="")
    # A plain column, not a foreign key: "" for counts about no service, and a count outlives
    # the service it was about.
    service_id: Mapped[str] = mapped_column(ID, primary_key=True, default="")
    count: Mapped[int] = mapped_column(Integer, default=0)


KEY_COLUMNS = ("metric", "week_start", "need", "age_band", "locality", "service_id")


@dataclass(frozen=True, order=True)
class CounterKey:
    """What one count is about."""

    week_start: dt.date
    metric: str
    need: str = ""
    age_band: str = ""
    locality: str = ""
    service_id: str = ""


def week_start(now: dt.datetime | None = None) -> dt.date:
    """The Monday of the week `now` falls in, London time."""
    today = london_now(now).date()
    return today - dt.timedelta(days=today.weekday())


def age_band(age: int | None) -> str:
    """The band an age falls in: 11-15, 16-17, 18-25, other (outside 11-25) or unknown."""
    if age is None or isinstance(age, bool):
        return UNKNOWN
    if 11 <= age <= 15:
        return "11-15"
    if 16 <= age <= 17:
        return "16-17"
    if 18 <= age <= 25:
        return "18-25"
    return "other"


def place_of(arguments: Mapping[str, Any], localities: Mapping[str, Any]) -> str:
    """Where a search was for, from its arguments: a locality id, "online", "outside" (a place
    or postcode outside the borough's `localities`) or "unknown"."""
    if arguments.get("locality"):
        return str(arguments["locality"])
    postcode = arguments.get("postcode")
    if postcode and outward_code(str(postcode)):
        return locality_for_postcode(str(postcode), dict(localities)) or OUTSIDE
    if arguments.get("remote_only"):
        return ONLINE
    if arguments.get("national_only"):
        return OUTSIDE
    return UNKNOWN


def _insert_for(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert
    if dialect == "sqlite":
        return sqlite.insert
    raise NotImplementedError(f"no counter upsert for {dialect}")


def increment(session: Session, keys: Iterable[CounterKey]) -> None:
    """Add one to each key's count (a key given twice adds two), in one statement. Keys go in
    in a fixed order, so two transactions upserting the same rows never deadlock."""
    tally = Counter(keys)
    if not tally:
        return
    rows = [
        {**{c: getattr(key, c) for c in KEY_COLUMNS}, "count": n}
        for key, n in sorted(tally.items())
    ]
    insert = _insert_for(session)
    statement = insert(InsightCounter).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS),
        set_={"count": InsightCounter.count + statement.excluded["count"]},
    )
    session.execute(statement)


def local_services(session: Session, locality: str, service_ids: Sequence[str]) -> set[str]:
    """Which of these services are in `locality` (as the search index places them)."""
    from services_directory.search import get_index

    index = get_index(session)
    wanted = set(service_ids)
    return {
        index.entries[i].id
        for i in index.by_locality.get(locality, set())
        if index.entries[i].id in wanted
    }


def offer_keys(
    session: Session, arguments: Mapping[str, Any], service_ids: Sequence[str], week: dt.date
) -> list[CounterKey]:
    """The counts one offer of services adds (nothing offered: only `no_local_fit`)."""
    need = str(arguments.get("need") or "")
    band = age_band(arguments.get("age"))
    localities = load_localities(session=session)
    place = place_of(arguments, localities)
    keys = []
    if service_ids:
        keys.append(CounterKey(week, OFFERED, need, band, place))
    borough = place in localities
    if not service_ids or (borough and not local_services(session, place, service_ids)):
        keys.append(CounterKey(week, NO_LOCAL_FIT, need, band, place))
    return keys


_pruned_on: dict[str, dt.date] = {}


def prune(session: Session, weeks: int, now: dt.datetime | None = None) -> int:
    """Delete the counters of weeks that started more than `weeks` weeks ago; how many."""
    cutoff = week_start(now) - dt.timedelta(weeks=weeks)
    result = session.execute(delete(InsightCounter).where(InsightCounter.week_start < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


def record_offer(
    session_factory: Callable[[], Session],
    arguments: Mapping[str, Any],
    service_ids: Sequence[str],
    now: dt.datetime | None = None,
    retention_weeks: int | None = None,
) -> bool:
    """Count one offer of services (the search's arguments and the ids offered), in a
    transaction of its own; older counters are pruned once a day when `retention_weeks` is
    given. Never raises: a failure is logged (without the arguments) and False returned."""
    try:
        week = week_start(now)
        with session_factory() as session:
            increment(session, offer_keys(session, arguments, service_ids, week))
            today = london_now(now).date()
            engine_key = str(session.get_bind().engine.url)
            if retention_weeks and _pruned_on.get(engine_key) != today:
                prune(session, retention_weeks, now)
                _pruned_on[engine_key] = today
            session.commit()
        return True
    except Exception as error:
        logger.warning("could not count an offer of services: %s", type(error).__name__)
        return False


def totals(
    session: Session,
    first_week: dt.date,
    last_week: dt.date,
    by: Sequence[str],
    metrics: Sequence[str] | None = None,
) -> list[tuple[Any, ...]]:
    """The counts of the weeks from `first_week` to `last_week` (Mondays, inclusive), of
    `metrics` (None: all), summed by the key columns `by` (each row: those columns' values, then
    the sum), in one query."""
    columns = [getattr(InsightCounter, name) for name in by]
    statement = (
        select(*columns, func.sum(InsightCounter.count))
        .where(InsightCounter.week_start >= first_week, InsightCounter.week_start <= last_week)
        .group_by(*columns)
    )
    if metrics is not None:
        statement = statement.where(InsightCounter.metric.in_(list(metrics)))
    return [tuple(row) for row in session.execute(statement)]


def weeks_held(session: Session) -> tuple[dt.date | None, dt.date | None]:
    """The first and last week any counter holds."""
    row = session.execute(
        select(func.min(InsightCounter.week_start), func.max(InsightCounter.week_start))
    ).one()
    return row[0], row[1]
