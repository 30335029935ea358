"""Is a service ready to be shown to young people? Named checks, each passed or failed with a
plain-English reason (issue 16 item 4). No web imports: the staff pages show the checks, and the
editing and review steps can refuse to publish on them later.

The facts the checks need are read for many services in one query (`facts_where`), so the list
of services can show a "ready / not ready" tag without a query per row. Reading age is measured
with textstat's Flesch-Kincaid grade, memoised per text: a text is measured once per process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import textstat
from sqlalchemy import ColumnElement, and_, exists, or_, select
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


@lru_cache(maxsize=32768)
def _checks(facts: ServiceFacts) -> tuple[Check, ...]:
    # Memoised on the facts themselves (a frozen dataclass): the list filtered by readiness
    # checks every matching service, and most have not changed since the last time.
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


def _need_exists() -> ColumnElement[bool]:
    term, parent = aliased(TaxonomyTerm), aliased(TaxonomyTerm)
    return exists(
        select(Attribute.id)
        .join(term, term.id == Attribute.taxonomy_term_id)
        .join(parent, parent.id == term.parent_id)
        .where(Attribute.link_id == Service.id, parent.code.like(f"{TIER_PREFIX}%"))
    )


def _contact_exists() -> ColumnElement[bool]:
    return or_(
        exists(select(ContactMode.id).where(ContactMode.service_id == Service.id)),
        exists(select(Phone.id).where(Phone.service_id == Service.id)),
        exists(select(ServiceAtLocation.id).where(ServiceAtLocation.service_id == Service.id)),
        and_(Service.url.is_not(None), Service.url != ""),
        and_(Service.email.is_not(None), Service.email != ""),
    )


def _schedule_exists() -> ColumnElement[bool]:
    return or_(
        exists(select(Schedule.id).where(Schedule.service_id == Service.id)),
        exists(
            select(ContactMode.id).where(
                ContactMode.service_id == Service.id,
                or_(ContactMode.always.is_(True), ContactMode.hours.is_not(None)),
            )
        ),
    )


def facts_where(db: Session, *criteria: Any) -> list[ServiceFacts]:
    """The facts of every service matching `criteria`, by name, in one query (each check an
    EXISTS on an indexed service_id or link_id column, never a query per service)."""
    statement = (
        select(
            Service.id,
            ServiceProfile.summary,
            Service.description,
            ServiceProfile.what_happens,
            Service.application_process,
            ServiceProfile.confidentiality_summary,
            Service.minimum_age,
            Service.maximum_age,
            _need_exists().label("has_need"),
            _contact_exists().label("has_contact"),
            _schedule_exists().label("has_schedule"),
            ServiceProfile.open_24_7,
        )
        .outerjoin(ServiceProfile, ServiceProfile.service_id == Service.id)
        .where(*criteria)
        .order_by(Service.name, Service.id)
    )
    return [
        ServiceFacts(
            service_id=row.id,
            summary=row.summary,
            description=row.description,
            what_happens=row.what_happens or row.application_process,
            confidentiality=row.confidentiality_summary,
            minimum_age=row.minimum_age,
            maximum_age=row.maximum_age,
            has_need=bool(row.has_need),
            has_contact_route=bool(row.has_contact),
            has_schedule=bool(row.has_schedule),
            open_any_time=bool(row.open_24_7),
        )
        for row in db.execute(statement)
    ]


def readiness_of(db: Session, service_id: str) -> list[Check]:
    """The readiness checks of one service (an empty list when there is no such service)."""
    found = facts_where(db, Service.id == service_id)
    return check_readiness(found[0]) if found else []
