"""Is a service ready to be shown to young people? Named checks, each passed or failed with a
plain-English reason (issue 16 item 4). No web imports: the staff pages show the checks, and the
editing and review steps can refuse to publish on them later.

The facts the checks need are read for many services in one query (`facts_where`), so the list
of services can show a "ready / not ready" tag without a query per row. Reading age is measured
with textstat's Flesch-Kincaid grade, memoised per text: a text is measured once per process.

The list filtered by readiness checks every matching service (`readiness_page`): it reads
every matching service's facts afresh in that one query, and checks again only the services whose
facts differ from the ones they were last checked on in this process (`MEMO`). Whether a service
is ready is kept with the exact facts it was worked out from, and used only when the facts just
read are equal to them: a cache keyed by its own inputs, never by a change log or a timestamp (an
import adds a phone or a need link without logging it or touching the service row). Each API
process keeps its own memo, and a request always sees the facts as they are at that moment.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Any

import textstat
from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session, aliased

from services_directory.models import (
    Attribute,
    ContactMode,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceProfile,
    TaxonomyTerm,
)

# The card's one-line summary: long enough to say what the service does, short enough to read on
# a phone at a glance (the chat cuts a description's first sentence at 120 characters).
SUMMARY_MIN, SUMMARY_MAX = 30, 160
# The description (the Open Referral feed and the search read it; the card does not show it).
DESCRIPTION_MIN, DESCRIPTION_MAX = 50, 1200
# Flesch-Kincaid grade 9 is a reading age of about 14-15: the middle of the 11-25 range, and the
# level plain-English guidance (GOV.UK content design, NHS) aims at for the general public.
MAX_GRADE = 9.0
# Below this many words a Flesch-Kincaid grade says little, so a text that short is not measured.
MIN_WORDS_TO_MEASURE = 8
FETCH_ROWS = 500  # rows fetched at a time by `readiness_page`
TIER_PREFIX = "tier-"  # need terms sit under a `tier-*` term (services_directory.search.rows)


@dataclass(frozen=True)
class Check:
    """One readiness check: a stable key, its name, whether it passed, and why (or why not)."""

    key: str
    name: str
    passed: bool
    reason: str


@dataclass(frozen=True)
class ServiceFacts:
    """What the checks look at, for one service."""

    service_id: str
    summary: str | None
    description: str | None
    what_happens: str | None
    confidentiality: str | None
    minimum_age: float | None
    maximum_age: float | None
    has_need: bool
    has_contact_route: bool
    has_schedule: bool
    open_any_time: bool


@lru_cache(maxsize=65536)
def reading_grade(text: str) -> float | None:
    """The Flesch-Kincaid grade of `text` (None when too short to measure)."""
    if len(text.split()) < MIN_WORDS_TO_MEASURE:
        return None
    return round(float(textstat.flesch_kincaid_grade(text)), 1)


def _length_check(
    key: str, name: str, text: str | None, low: int, high: int, missing: str
) -> Check:
    length = len((text or "").strip())
    if length == 0:
        return Check(key, name, False, missing)
    if length < low:
        return Check(
            key, name, False, f"{length} characters: too short, write at least {low} characters"
        )
    if length > high:
        return Check(
            key, name, False, f"{length} characters: too long, keep it to {high} characters"
        )
    return Check(key, name, True, f"{length} characters (between {low} and {high})")


READ_TEXTS = (
    ("summary", "summary"),
    ("description", "description"),
    ("what_happens", "what happens when you get in touch"),
    ("confidentiality", "confidentiality summary"),
)


def _reading_age(facts: ServiceFacts) -> Check:
    name = "Reading age"
    grades = []
    for field, label in READ_TEXTS:
        text = (getattr(facts, field) or "").strip()
        grade = reading_grade(text) if text else None
        if grade is not None:
            grades.append((label, grade))
    if not grades:
        return Check("reading_age", name, False, "There is no text long enough to measure yet")
    hard = [(label, grade) for label, grade in grades if grade > MAX_GRADE]
    if hard:
        listed = "; ".join(f"the {label} reads at grade {grade:g}" for label, grade in hard)
        return Check(
            "reading_age",
            name,
            False,
            f"Too hard to read: {listed} (aim for grade {MAX_GRADE:g} or below: shorter "
            "sentences and everyday words)",
        )
    worst = max(grade for _label, grade in grades)
    return Check(
        "reading_age",
        name,
        True,
        f"Every text reads at Flesch-Kincaid grade {MAX_GRADE:g} or below (hardest: {worst:g})",
    )


def _ages(facts: ServiceFacts) -> Check:
    low, high = facts.minimum_age, facts.maximum_age
    if low is None and high is None:
        return Check("ages", "Age range", False, "No age range: say which ages the service is for")
    if low is not None and high is not None and low > high:
        return Check(
            "ages", "Age range", False, f"The youngest age ({low:g}) is above the oldest ({high:g})"
        )
    shown = (
        f"{low:g} to {high:g}"
        if low is not None and high is not None
        else (f"from {low:g}" if low is not None else f"up to {high:g}")
    )
    return Check("ages", "Age range", True, f"Ages {shown}")


def check_readiness(facts: ServiceFacts) -> list[Check]:
    """Every readiness check of one service, in the order staff read them."""
    return list(_checks(facts))


def _make_checks(facts: ServiceFacts) -> tuple[Check, ...]:
    return (
        _length_check(
            "summary",
            "Summary",
            facts.summary,
            SUMMARY_MIN,
            SUMMARY_MAX,
            "No summary: the card shows the description's first sentence instead",
        ),
        _length_check(
            "description",
            "Description",
            facts.description,
            DESCRIPTION_MIN,
            DESCRIPTION_MAX,
            "No description",
        ),
        _reading_age(facts),
        _ages(facts),
        Check("needs", "Needs", True, "Linked to at least one need")
        if facts.has_need
        else Check(
            "needs",
            "Needs",
            False,
            "Not linked to any need, so the chat never suggests it for one",
        ),
        Check("contact", "Ways to get in touch", True, "At least one way to get in touch")
        if facts.has_contact_route
        else Check(
            "contact",
            "Ways to get in touch",
            False,
            "No phone, text, web chat, website, e-mail or place to go",
        ),
        _hours(facts),
    )


# Memoised on the facts themselves (a frozen dataclass): a service's page asks again and again.
_checks = lru_cache(maxsize=4096)(_make_checks)


def _hours(facts: ServiceFacts) -> Check:
    name = "Opening hours"
    if facts.open_any_time:
        return Check("hours", name, True, "Open any time (24 hours, every day)")
    if facts.has_schedule:
        return Check("hours", name, True, "Opening hours are set as a weekly schedule")
    return Check(
        "hours",
        name,
        False,
        "No opening hours the chat can read: add them as a schedule, or mark the service open "
        "any time if it is a 24-hour line",
    )


def is_ready(checks: Sequence[Check]) -> bool:
    """Whether every check passed."""
    return all(check.passed for check in checks)


# --- reading the facts -------------------------------------------------------------------------

# Each fact is whether the service owns a row of one of its tables, asked in one of two ways of
# the same subquery (`_owns`). For a few services (a page, one service): a correlated EXISTS, an
# index lookup per service. For every service (the list filtered by readiness): `service.id IN
# (the subquery)`, which SQLite and PostgreSQL run once (an in-memory list or hash) instead of a
# lookup per service; PostgreSQL costs the correlated form of 10,000 services so high that it
# JIT-compiles the query on every call (about 25 ms). Owners that are NULL are left out, so IN is
# never NULL. (PostgreSQL hashes a subquery of up to about 100,000 rows in its default 4 MB
# work_mem, times hash_mem_multiplier 2: tens of thousands of services.)


def _owns(owners: Select[Any], owner: Any, bulk: bool) -> ColumnElement[bool]:
    """Whether the service is among `owners` (rows of `owner`, a column naming the service)."""
    if bulk:
        return Service.id.in_(owners.where(owner.is_not(None)))
    return owners.where(owner == Service.id).exists()


def _need_exists(bulk: bool = False) -> ColumnElement[bool]:
    term, parent = aliased(TaxonomyTerm), aliased(TaxonomyTerm)
    linked = (
        select(Attribute.link_id)
        .join(term, term.id == Attribute.taxonomy_term_id)
        .join(parent, parent.id == term.parent_id)
        .where(parent.code.like(f"{TIER_PREFIX}%"))
    )
    return _owns(linked, Attribute.link_id, bulk)


def _contact_exists(bulk: bool = False) -> ColumnElement[bool]:
    return or_(
        and_(Service.url.is_not(None), Service.url != ""),
        and_(Service.email.is_not(None), Service.email != ""),
        _owns(select(ContactMode.service_id), ContactMode.service_id, bulk),
        _owns(select(Phone.service_id), Phone.service_id, bulk),
        _owns(select(ServiceAtLocation.service_id), ServiceAtLocation.service_id, bulk),
    )


def _schedule_exists(bulk: bool = False) -> ColumnElement[bool]:
    own_hours = or_(ContactMode.always.is_(True), ContactMode.hours.is_not(None))
    return or_(
        _owns(select(Schedule.service_id), Schedule.service_id, bulk),
        _owns(select(ContactMode.service_id).where(own_hours), ContactMode.service_id, bulk),
    )


def _facts_statement(*criteria: Any, bulk: bool = False) -> Select[*tuple[Any, ...]]:
    """The facts of every service matching `criteria`, by name, one row each (`_facts_of`)."""
    return (
        select(
            Service.id,
            ServiceProfile.summary,
            Service.description,
            ServiceProfile.what_happens,
            Service.application_process,
            ServiceProfile.confidentiality_summary,
            Service.minimum_age,
            Service.maximum_age,
            _need_exists(bulk).label("has_need"),
            _contact_exists(bulk).label("has_contact"),
            _schedule_exists(bulk).label("has_schedule"),
            ServiceProfile.open_24_7,
        )
        .outerjoin(ServiceProfile, ServiceProfile.service_id == Service.id)
        .where(*criteria)
        .order_by(Service.name, Service.id)
    )


def _facts_of(row: Sequence[Any]) -> ServiceFacts:
    (
        service_id,
        summary,
        description,
        what_happens,
        application_process,
        confidentiality,
        minimum_age,
        maximum_age,
        has_need,
        has_contact,
        has_schedule,
        open_24_7,
    ) = row
    return ServiceFacts(
        service_id=service_id,
        summary=summary,
        description=description,
        what_happens=what_happens or application_process,
        confidentiality=confidentiality,
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        has_need=bool(has_need),
        has_contact_route=bool(has_contact),
        has_schedule=bool(has_schedule),
        open_any_time=bool(open_24_7),
    )


def facts_where(db: Session, *criteria: Any, bulk: bool = False) -> list[ServiceFacts]:
    """The facts of every service matching `criteria`, by name, in one query, never a query per
    service (`bulk`: the form for most of the directory, see `_owns`)."""
    return [_facts_of(row) for row in db.execute(_facts_statement(*criteria, bulk=bulk))]


def readiness_of(db: Session, service_id: str) -> list[Check]:
    """The readiness checks of one service (an empty list when there is no such service)."""
    found = facts_where(db, Service.id == service_id)
    return check_readiness(found[0]) if found else []


# --- the readiness of every service, memoised on its facts -------------------------------------


class ReadinessMemo:
    """Whether each service is ready, kept with the facts (a row of `_facts_statement`) it was
    worked out from, and used only when the facts read now are equal to those, field by field:
    keyed by its own inputs, so it is never stale, whoever changed what and however. Only the
    rows as read and a yes or no are kept (tuples of plain values, which the garbage collector
    soon stops walking). At most `limit` services (then it starts again); several threads may
    share it, and a result one request keeps while another reads newer facts is simply unequal
    to those newer facts."""

    def __init__(self, limit: int = 100_000) -> None:
        self.limit = limit
        self._kept: dict[str, tuple[tuple[Any, ...], bool]] = {}
        self._lock = threading.Lock()
        self.checked = 0  # services checked (their facts were new to the memo, or had changed)
        self.reused = 0  # services whose kept answer was used (their facts had not changed)

    def page(
        self, rows: Iterable[Sequence[Any]], ready: bool, offset: int, limit: int
    ) -> tuple[int, list[tuple[str, list[Check]]]]:
        """Of the services in `rows` (`_facts_statement`, by name): how many are `ready` (or
        not), and the id and checks of those at `offset` to `offset + limit` in that order."""
        kept = self._kept
        made: dict[str, tuple[tuple[Any, ...], bool]] = {}
        chosen: list[tuple[str, list[Check]]] = []
        total = seen = 0
        for row in rows:  # one at a time: 10,000 rows never all live at once
            values = tuple(row)
            service_id = values[0]
            seen += 1
            known = kept.get(service_id)
            if known is not None and known[0] == values:
                passed = known[1]
            else:
                passed = is_ready(_make_checks(_facts_of(values)))
                made[service_id] = (values, passed)
            if passed != ready:
                continue
            if offset <= total < offset + limit:
                chosen.append((service_id, check_readiness(_facts_of(values))))
            total += 1
        with self._lock:
            self.checked += len(made)
            self.reused += seen - len(made)
            if len(kept) + len(made) > self.limit:
                kept.clear()
            kept.update(islice(made.items(), self.limit))
        return total, chosen

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        """Forget every service (and the counts)."""
        with self._lock:
            self._kept.clear()
            self.checked = self.reused = 0


MEMO = ReadinessMemo()


def readiness_page(
    db: Session, *criteria: Any, ready: bool, offset: int, limit: int
) -> tuple[int, list[tuple[str, list[Check]]]]:
    """How many services matching `criteria` are `ready` (or not), and the id and checks of those
    at `offset` to `offset + limit`, by name. Every matching service's facts are read afresh in
    one query; only those whose facts changed since this process last checked them are checked
    again (`MEMO`)."""
    # On the session's connection (its transaction), a few hundred rows at a time: without the
    # ORM's rows, and never 10,000 of them alive at once (nor for the garbage collector to walk).
    result = db.connection().execute(_facts_statement(*criteria, bulk=True))
    rows = (row for part in result.partitions(FETCH_ROWS) for row in part)
    return MEMO.page(rows, ready, offset, limit)
