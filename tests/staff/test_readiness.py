"""The readiness checks: each one passes and fails for the reason it names, on plain facts and
on the curated directory's records read in one query."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from services_directory.curated import curated_id, load_curated
from services_directory.models import (
    Attribute,
    ContactMode,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceProfile,
)
from staff.readiness import (
    MAX_GRADE,
    ServiceFacts,
    check_readiness,
    facts_where,
    is_ready,
    readiness_of,
    reading_grade,
)

READY = ServiceFacts(
    service_id="s1",
    summary="Free help for young people who feel low. Call or text us.",
    description="We listen to young people aged 11 to 25. You can call, text or come in. "
    "It is free and you do not need a letter from a doctor.",
    what_happens="A youth worker picks up. They ask how you are and listen to you.",
    confidentiality="We keep what you say private unless you are in danger.",
    minimum_age=11,
    maximum_age=25,
    has_need=True,
    has_contact_route=True,
    has_schedule=True,
    open_any_time=False,
)
HARD = (
    "Comprehensive multidisciplinary interventions are facilitated through collaborative "
    "partnerships, notwithstanding organisational heterogeneity and administrative constraints."
)


def _check(facts: ServiceFacts, key: str):  # noqa: ANN202
    return next(c for c in check_readiness(facts) if c.key == key)


def test_a_complete_plain_service_passes_every_check() -> None:
    checks = check_readiness(READY)
    assert [c.key for c in checks] == [
        "summary",
        "description",
        "reading_age",
        "ages",
        "needs",
        "contact",
        "hours",
    ]
    assert all(c.passed for c in checks), [c for c in checks if not c.passed]
    assert is_ready(checks)


@pytest.mark.parametrize(
    ("change", "key", "reason"),
    [
        ({"summary": None}, "summary", "No summary"),
        ({"summary": "Help."}, "summary", "too short"),
        ({"summary": "Help for you. " * 20}, "summary", "too long"),
        ({"description": None}, "description", "No description"),
        ({"description": "Short."}, "description", "too short"),
        ({"description": "We can help you every day. " * 60}, "description", "too long"),
        ({"what_happens": HARD}, "reading_age", "what happens when you get in touch reads at"),
        ({"minimum_age": None, "maximum_age": None}, "ages", "No age range"),
        ({"minimum_age": 25, "maximum_age": 11}, "ages", "above the oldest"),
        ({"has_need": False}, "needs", "Not linked to any need"),
        ({"has_contact_route": False}, "contact", "No phone, text"),
        ({"has_schedule": False}, "hours", "No opening hours"),
    ],
)
def test_each_check_fails_with_its_reason(change: dict[str, object], key: str, reason: str) -> None:
    facts = dataclasses.replace(READY, **change)  # type: ignore[arg-type]
    check = _check(facts, key)
    assert not check.passed and reason in check.reason, check
    assert not is_ready(check_readiness(facts))
    others = [c for c in check_readiness(facts) if c.key != key]
    assert all(c.passed for c in others), others


def test_reading_age_is_measured_with_textstat_and_names_the_hard_text() -> None:
    grade = reading_grade(HARD)
    assert grade is not None and grade > MAX_GRADE
    easy = reading_grade("You can talk to us about anything. We will listen to you.")
    assert easy is not None and easy <= MAX_GRADE
    check = _check(dataclasses.replace(READY, summary=HARD), "reading_age")
    assert not check.passed and f"the summary reads at grade {grade:g}" in check.reason
    assert "Flesch-Kincaid grade 9 or below" in _check(READY, "reading_age").reason


def test_reading_age_fails_when_nothing_is_long_enough_to_measure() -> None:
    facts = dataclasses.replace(
        READY, summary="Help.", description=None, what_happens=None, confidentiality=None
    )
    assert "no text long enough" in _check(facts, "reading_age").reason


def test_one_age_bound_is_a_range_and_open_any_time_is_hours() -> None:
    assert _check(dataclasses.replace(READY, minimum_age=None), "ages").passed
    any_time = dataclasses.replace(READY, has_schedule=False, open_any_time=True)
    check = _check(any_time, "hours")
    assert check.passed and "any time" in check.reason


# --- on the curated directory -----------------------------------------------------------------


@pytest.fixture
def curated(db: Session) -> Session:
    load_curated(db)
    return db


def test_the_facts_of_every_curated_service_are_read_in_one_query(curated: Session) -> None:
    facts = facts_where(curated)
    assert len(facts) == 60
    childline = next(f for f in facts if f.service_id == curated_id("childline"))
    assert childline.has_need and childline.has_contact_route and childline.open_any_time
    assert childline.maximum_age == 18


def test_the_structural_checks_follow_the_records(curated: Session) -> None:
    sid = curated_id("eastbridge-youth-counselling")
    assert {c.key for c in readiness_of(curated, sid) if c.passed} >= {"needs", "contact", "hours"}
    curated.execute(delete(Attribute).where(Attribute.link_id == sid))
    curated.execute(delete(ContactMode).where(ContactMode.service_id == sid))
    curated.execute(delete(Phone).where(Phone.service_id == sid))
    curated.execute(delete(Schedule).where(Schedule.service_id == sid))
    curated.execute(delete(ServiceAtLocation).where(ServiceAtLocation.service_id == sid))
    curated.execute(update(Service).where(Service.id == sid).values(url=None, email=None))
    curated.execute(
        update(ServiceProfile).where(ServiceProfile.service_id == sid).values(open_24_7=False)
    )
    failed = {c.key for c in readiness_of(curated, sid) if not c.passed}
    assert failed >= {"needs", "contact", "hours"}


def test_no_checks_for_a_service_that_does_not_exist(curated: Session) -> None:
    assert readiness_of(curated, "no-such-service") == []
