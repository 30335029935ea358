"""The readiness checks: each one passes and fails for the reason it names, on plain facts and
on the curated directory's records read in one query; the list filtered by readiness follows
every change at once (a publish, an import, a direct write) and checks again only what changed."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from services_directory.curated import curated_id, load_curated
from services_directory.io import import_document
from services_directory.io.export import load_graph, service_full
from services_directory.models import (
    Attribute,
    ContactMode,
    MetadataEntry,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceProfile,
    TaxonomyTerm,
)
from staff import directory, readiness
from staff.directory import NOT_READY, ServiceFilters, visible_services
from staff.policy import Actor, Role
from staff.readiness import (
    MAX_GRADE,
    ReadinessMemo,
    ServiceFacts,
    check_readiness,
    facts_where,
    is_ready,
    readiness_of,
    readiness_page,
    reading_grade,
)
from staff.service_document import read_document
from staff.service_publish import write_document

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


# --- the list filtered by readiness: always the current facts, checked again only when changed --

ADMIN = Actor("readiness-test", Role.COUNCIL_ADMIN, None)
CHILDLINE = "childline"  # ready in the curated directory; open any time
HARD_SUMMARY = (  # a summary of the right length, too hard to read
    "Multidisciplinary interventions facilitate comprehensive organisational accountability "
    "notwithstanding considerable administrative heterogeneity."
)


@pytest.fixture
def memo(monkeypatch: pytest.MonkeyPatch) -> ReadinessMemo:
    """A memo of this test's own (as a fresh API process has), with its counts at 0."""
    fresh = ReadinessMemo()
    monkeypatch.setattr(readiness, "MEMO", fresh)
    return fresh


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The services whose checks are made (a spy on the memo's only way to make them)."""
    calls: list[str] = []
    real = readiness._make_checks

    def spy(facts: ServiceFacts) -> tuple[Any, ...]:
        calls.append(facts.service_id)
        return real(facts)

    monkeypatch.setattr(readiness, "_make_checks", spy)
    return calls


def _ready_ids(db: Session) -> set[str]:
    return {sid for sid, _checks in readiness_page(db, ready=True, offset=0, limit=1000)[1]}


def _not_ready(db: Session) -> dict[str, set[str]]:
    """Each service that is not ready, with the keys of the checks it fails."""
    _total, found = readiness_page(db, ready=False, offset=0, limit=1000)
    return {sid: {c.key for c in checks if not c.passed} for sid, checks in found}


def _plainly(db: Session, ready: bool) -> list[tuple[str, list[Any]]]:
    """What the filter must answer: every service's checks made afresh, in the list's order."""
    return [
        (f.service_id, checks)
        for f in facts_where(db)
        if is_ready(checks := check_readiness(f)) is ready
    ]


def test_the_filter_answers_as_checking_every_service_afresh(
    curated: Session, memo: ReadinessMemo
) -> None:
    for ready in (True, False):
        everything = _plainly(curated, ready)
        assert everything, ready
        for offset, limit in ((0, 25), (25, 25), (5, 7), (0, 1000), (1000, 25)):
            for _twice in range(2):  # made, then from the memo
                total, page = readiness_page(curated, ready=ready, offset=offset, limit=limit)
                assert total == len(everything)
                assert page == everything[offset : offset + limit]
    page = visible_services(curated, ADMIN, ServiceFilters(readiness=NOT_READY, page=2))
    assert [(r.service.id, r.checks) for r in page.rows] == _plainly(curated, False)[25:50]
    assert page.total == len(_plainly(curated, False))


def test_the_bulk_and_the_per_service_forms_of_the_facts_agree(curated: Session) -> None:
    # Some of each fact false: a service without needs, one without any way in, one without hours.
    no_need, no_contact, no_hours = (
        curated_id(slug)
        for slug in ("eastbridge-youth-counselling", "childline", "eastbridge-food-bank")
    )
    curated.execute(delete(Attribute).where(Attribute.link_id == no_need))
    for model in (ContactMode, Phone, ServiceAtLocation):
        curated.execute(delete(model).where(model.service_id == no_contact))
    curated.execute(update(Service).where(Service.id == no_contact).values(url="", email=None))
    curated.execute(delete(Schedule).where(Schedule.service_id == no_hours))
    curated.execute(delete(ContactMode).where(ContactMode.service_id == no_hours))
    curated.execute(
        update(ServiceProfile).where(ServiceProfile.service_id == no_hours).values(open_24_7=False)
    )
    each = facts_where(curated)
    assert facts_where(curated, bulk=True) == each
    by_id = {f.service_id: f for f in each}
    assert not by_id[no_need].has_need and not by_id[no_contact].has_contact_route
    assert not by_id[no_hours].has_schedule and not by_id[no_hours].open_any_time
    some = [no_need, no_contact, no_hours]
    assert facts_where(curated, Service.id.in_(some), bulk=True) == [
        f for f in each if f.service_id in some
    ]


def test_nothing_is_checked_again_when_nothing_changed(
    curated: Session, memo: ReadinessMemo, made: list[str]
) -> None:
    first = _not_ready(curated)
    assert len(made) == memo.checked == 60 and memo.reused == 0
    made.clear()
    assert _not_ready(curated) == first
    filtered = visible_services(curated, ADMIN, ServiceFilters(readiness=directory.READY))
    assert filtered.total == 60 - len(first)
    assert made == [] and memo.checked == 60 and memo.reused == 120


def test_a_published_change_is_in_the_very_next_answer(
    curated: Session, memo: ReadinessMemo, made: list[str]
) -> None:
    sid = curated_id(CHILDLINE)
    assert sid in _ready_ids(curated)
    made.clear()
    service = curated.get(Service, sid)
    assert service is not None
    document = read_document(curated, service)
    write_document(curated, service, {**document, "summary": HARD_SUMMARY}, updated_by="test")
    assert _not_ready(curated)[sid] == {"reading_age"}
    assert made == [sid]  # only the changed service is checked again
    write_document(curated, service, {**document, "minimum_age": 11}, updated_by="test")
    assert sid in _ready_ids(curated)  # the summary is plain again
    write_document(curated, service, {**document, "maximum_age": None}, updated_by="test")
    assert _not_ready(curated)[sid] == {"ages"}
    write_document(curated, service, {**document, "needs": []}, updated_by="test")
    assert _not_ready(curated)[sid] == {"needs"}
    assert made == [sid] * 4


def test_an_imported_change_is_in_the_very_next_answer(
    curated: Session, memo: ReadinessMemo, made: list[str]
) -> None:
    sid = curated_id(CHILDLINE)
    assert sid in _ready_ids(curated)
    made.clear()
    document = service_full(load_graph(curated, [sid]), sid)
    import_document(curated, {**document, "description": HARD + " " + HARD})
    assert _not_ready(curated)[sid] == {"reading_age"}
    import_document(curated, document)
    assert sid in _ready_ids(curated)
    assert made == [sid, sid]


def test_a_way_in_added_by_an_import_counts_though_nothing_logs_it(
    curated: Session, memo: ReadinessMemo, made: list[str]
) -> None:
    """An import adds a phone without a change-log entry and without touching the service row:
    the filter cannot be told of a change, it sees it in the facts."""
    sid = curated_id(CHILDLINE)
    assert sid in _ready_ids(curated)
    made.clear()
    for model in (ContactMode, Phone, ServiceAtLocation):
        curated.execute(delete(model).where(model.service_id == sid))
    curated.execute(update(Service).where(Service.id == sid).values(url=None, email=None))
    assert _not_ready(curated)[sid] == {"contact"}
    document = service_full(load_graph(curated, [sid]), sid)
    logged = _count(curated, MetadataEntry)
    updated_at = curated.scalar(select(Service.updated_at).where(Service.id == sid))
    phone = {"id": str(uuid.uuid4()), "number": "0800 1111", "type": "voice"}
    report = import_document(curated, {**document, "phones": [phone]})
    assert report.written.created["phone"] == 1
    assert _count(curated, MetadataEntry) == logged  # the change log does not show it
    assert curated.scalar(select(Service.updated_at).where(Service.id == sid)) == updated_at
    assert sid in _ready_ids(curated)
    curated.execute(delete(Phone).where(Phone.service_id == sid))  # and a direct delete
    assert _not_ready(curated)[sid] == {"contact"}
    assert made == [sid] * 3


def test_a_change_to_the_need_taxonomy_reaches_every_linked_service(
    curated: Session, memo: ReadinessMemo
) -> None:
    """A need is a term under a `tier-*` term: renaming a tier (no service row changes) makes
    every service linked only to its needs fail the needs check."""
    before = _not_ready(curated)
    curated.execute(
        update(TaxonomyTerm)
        .where(TaxonomyTerm.code.like("tier-%"))
        .values(code=func.replace(TaxonomyTerm.code, "tier-", "old-"))
    )
    after = _not_ready(curated)
    assert len(after) == 60 > len(before)
    assert all("needs" in failed for failed in after.values())


def test_a_memo_over_its_limit_starts_again_and_still_answers_rightly(
    curated: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = ReadinessMemo(limit=10)
    monkeypatch.setattr(readiness, "MEMO", small)
    expected = _plainly(curated, False)
    for _twice in range(2):
        assert readiness_page(curated, ready=False, offset=0, limit=1000)[1] == expected
        assert len(small) == 10
    assert small.checked + small.reused == 120 and small.reused <= 10


def _count(db: Session, model: Callable[..., Any]) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)
