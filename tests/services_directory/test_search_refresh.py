"""Refreshing the search index in place: after a back-office change (a rename, needs, localities,
ways to get in touch, a service retired or withheld, a check) the refreshed index is the index a
full build gives and answers every search alike, without a full build; changes it cannot place
(an organisation, the taxonomy, an import, a change-log entry committed late) build it afresh."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services_directory.curated import curated_id
from services_directory.freshness import ServiceReview
from services_directory.io.writer import BACK_OFFICE_AUTHOR, ChangeLog, WriteReport, upsert
from services_directory.models import (
    Language,
    MetadataEntry,
    Organization,
    Schedule,
    Service,
    TaxonomyTerm,
)
from services_directory.search import build_index, cache, get_index, ranking, refresh, search
from services_directory.search.index import SearchIndex
from staff import drafts
from staff.freshness import mark_checked
from staff.policy import Role
from staff.service_document import Document, read_document
from staff.service_publish import write_document
from tests.staff.helpers import make_user

NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)  # a Tuesday morning
LOCAL = "eastbridge-youth-centre-northgate"
OTHER_LOCAL = "eastbridge-family-hub-riverside"
NATIONAL = "childline"
BENGALI = "eastbridge-bengali-sylheti-family-support"
SEARCHES: list[dict[str, Any]] = [
    {"need": "feeling_lonely", "limit": 50},
    {"need": "bullying", "age": 14, "limit": 50},
    {"need": "low_mood", "locality": "northgate", "limit": 50},
    {"need": "suicidal_thoughts", "limit": 50},
    {"need": "family_problems", "locality": "riverside", "age": 12, "limit": 50},
    {"age": 15, "limit": 50},
    {"age": 24, "locality": "millfield", "limit": 50},
    {"locality": "northgate", "limit": 50},
    {"locality": "riverside", "contact_modes": ["call", "text"], "limit": 50},
    {"text": "counselling", "limit": 50},
    {"text": "someone to talk to tonight", "age": 16, "limit": 50},
    {"text": "youth club", "locality": "northgate", "limit": 50},
    {"text": "youth centre football", "limit": 50},
    {"text": "bullyed at school", "need": "bullying", "limit": 50},
    {"national_only": True, "limit": 50},
    {"free_only": True, "open_now": True, "limit": 50},
    {"language": "bengali", "limit": 50},
    {"remote_only": True, "age": 17, "limit": 50},
]


@dataclass
class Builds:
    """How the index was made since the test began: full builds and refreshes in place."""

    full: int = 0
    refreshed: int = 0


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Builds:
    counted = Builds()
    full_build, refresh_in_place = cache.build_index, cache.refreshed

    def counting_build(session: Session) -> SearchIndex:
        counted.full += 1
        return full_build(session)

    def counting_refresh(session: Session, index: SearchIndex, state: Any) -> Any:
        made = refresh_in_place(session, index, state)
        counted.refreshed += made is not None
        return made

    monkeypatch.setattr(cache, "build_index", counting_build)
    monkeypatch.setattr(cache, "refreshed", counting_refresh)
    return counted


@pytest.fixture
def directory(real_data: Session, builds: Builds) -> Session:
    """The project's directory with the chat's search index built, as in a running app."""
    get_index(real_data)
    assert builds.full == 1
    return real_data


def _service(db: Session, slug: str) -> Service:
    service = db.get(Service, curated_id(slug))
    assert service is not None, slug
    return service


def _publish(db: Session, slug: str, change: Callable[[Document], None]) -> None:
    """Publish a change to a service's document as the back office does (the caller's change)."""
    service = _service(db, slug)
    document = read_document(db, service)
    change(document)
    write_document(db, service, document, updated_by=BACK_OFFICE_AUTHOR)


def _back_office_write(db: Session, table: str, rows: dict[str, dict[str, Any]]) -> None:
    log = ChangeLog(BACK_OFFICE_AUTHOR)
    upsert(db, table, rows, log, WriteReport())
    log.flush(db)


def _same_index(made: SearchIndex, full: SearchIndex) -> None:
    """Every part of the two indexes equal, in the same order where a search could tell."""
    assert [e.id for e in made.entries] == [e.id for e in full.entries]
    assert made.entries == full.entries
    assert {c: list(v.items()) for c, v in made.by_need.items()} == {
        c: list(v.items()) for c, v in full.by_need.items()
    }
    assert made.need_sizes == full.need_sizes
    assert made.need_tier == full.need_tier and made.need_name == full.need_name
    assert {w: list(d.items()) for w, d in made.postings.items()} == {
        w: list(d.items()) for w, d in full.postings.items()
    }
    assert made.vocabulary.words == full.vocabulary.words
    assert made.by_locality == full.by_locality
    assert made.national == full.national
    assert made.everything == full.everything


def _answers(db: Session, index: SearchIndex, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The results of many searches, each answered from `index`."""
    with monkeypatch.context() as patched:
        patched.setattr(ranking, "get_index", lambda session: index)
        answers: list[Any] = [search(db, now=NOW, **arguments) for arguments in SEARCHES]
        for need in sorted(index.need_tier):
            answers.append(search(db, need=need, limit=50, now=NOW))
    return answers


Check = Callable[..., SearchIndex]


@pytest.fixture
def like_a_full_build(directory: Session, builds: Builds, monkeypatch: pytest.MonkeyPatch) -> Check:
    """Checks that the index now is the one a full build gives and answers every search alike,
    and that it was refreshed in place (or, with `refreshed=False`, built afresh)."""

    def check(*, refreshed: bool = True) -> SearchIndex:
        full_before, refreshed_before = builds.full, builds.refreshed
        index = get_index(directory)
        made = (builds.full - full_before, builds.refreshed - refreshed_before)
        assert made == ((0, 1) if refreshed else (1, 0))
        full = build_index(directory)
        _same_index(index, full)
        answers = _answers(directory, index, monkeypatch)
        assert answers == _answers(directory, full, monkeypatch)
        assert [search(directory, now=NOW, **a) for a in SEARCHES] == answers[: len(SEARCHES)]
        return index

    return check


def test_a_change_approved_in_the_back_office_is_refreshed_in_place(
    directory: Session, like_a_full_build: Check
) -> None:
    db = directory
    service = _service(db, LOCAL)
    organisation = db.get(Organization, service.organization_id)
    editor = make_user(db, "editor@example.org", Role.ORGANISATION_EDITOR, organisation)
    reviewer = make_user(db, "reviewer@example.org", Role.REVIEWER)
    before = get_index(db)
    proposed = {**read_document(db, service), "name": "Aardvark Youth Space"}  # first by name
    draft = drafts.propose(db, editor, service, proposed, "Renamed", NOW)
    assert drafts.approve(db, reviewer, draft, NOW)

    index = like_a_full_build()
    assert "Aardvark Youth Space" in {e.name for e in index.entries}
    found = search(db, text="aardvark", limit=3, now=NOW)
    assert [r.id for r in found] == [service.id]
    # The index that was replaced still answers as it did (a search may be using it).
    assert all(entry.index == i for i, entry in enumerate(before.entries))
    assert "Aardvark Youth Space" not in {e.name for e in before.entries}


def test_needs_changed(directory: Session, like_a_full_build: Check) -> None:
    def change(document: Document) -> None:
        document["needs"] = ["bullying", "sleep_problems"]

    _publish(directory, LOCAL, change)
    like_a_full_build()
    found = search(directory, need="sleep_problems", limit=50, now=NOW)
    assert curated_id(LOCAL) in {r.id for r in found}


def test_localities_changed(directory: Session, like_a_full_build: Check) -> None:
    def change(document: Document) -> None:
        document["localities"] = ["riverside", "eastwick"]

    _publish(directory, LOCAL, change)
    index = like_a_full_build()
    entry = next(e for e in index.entries if e.id == curated_id(LOCAL))
    assert entry.localities == {"riverside", "eastwick"}


def test_ways_to_get_in_touch_changed(directory: Session, like_a_full_build: Check) -> None:
    def change(document: Document) -> None:
        routes = document["contact_modes"]
        assert len(routes) > 1
        document["contact_modes"] = [
            {**routes[0], "mode": "text", "value": "85258", "label": ""},
            {"mode": "call", "value": "0800 123 4567", "body": "", "label": ""},
        ]

    _publish(directory, OTHER_LOCAL, change)
    index = like_a_full_build()
    entry = next(e for e in index.entries if e.id == curated_id(OTHER_LOCAL))
    assert [(r.mode, r.value) for r in entry.routes] == [
        ("text", "85258"),
        ("call", "0800 123 4567"),
    ]


def test_a_crisis_line_renamed_and_a_local_service_changed_before_the_next_search(
    directory: Session, like_a_full_build: Check
) -> None:
    def rename(document: Document) -> None:
        document["name"] = "Childline (renamed)"

    def fewer_languages(document: Document) -> None:
        document["languages"] = ["english", "polish"]
        document["minimum_age"] = 13

    _publish(directory, NATIONAL, rename)
    _publish(directory, LOCAL, fewer_languages)
    like_a_full_build()


def test_a_schedule_changed_on_its_own(directory: Session, like_a_full_build: Check) -> None:
    sid = curated_id(OTHER_LOCAL)
    schedule = directory.scalars(select(Schedule).where(Schedule.service_id == sid)).first()
    assert schedule is not None
    _back_office_write(
        directory, "schedule", {schedule.id: {"id": schedule.id, "closes_at": "23:30"}}
    )
    like_a_full_build()


def test_a_language_deleted_on_its_own(directory: Session, like_a_full_build: Check) -> None:
    # Nothing in the change log names the service: whose the row was comes from the index's state.
    sid = curated_id(BENGALI)
    language = directory.scalars(
        select(Language).where(Language.service_id == sid, Language.code == "bn")
    ).one()
    log = ChangeLog(BACK_OFFICE_AUTHOR)
    directory.delete(language)
    log.add("language", language.id, "delete", "code", language.code, None)
    log.flush(directory)
    index = like_a_full_build()
    assert "bengali" not in next(e for e in index.entries if e.id == sid).languages


def test_a_language_moved_to_another_service(directory: Session, like_a_full_build: Check) -> None:
    sid, other = curated_id(BENGALI), curated_id(LOCAL)
    language = directory.scalars(
        select(Language).where(Language.service_id == sid, Language.code == "syl")
    ).one()
    _back_office_write(
        directory, "language", {language.id: {"id": language.id, "service_id": other}}
    )
    index = like_a_full_build()
    assert "sylheti" in next(e for e in index.entries if e.id == other).languages


def test_a_service_retired_then_offered_again(directory: Session, like_a_full_build: Check) -> None:
    sid = curated_id(LOCAL)
    _back_office_write(directory, "service", {sid: {"id": sid, "status": "inactive"}})
    index = like_a_full_build()
    assert sid not in {e.id for e in index.entries}
    _back_office_write(directory, "service", {sid: {"id": sid, "status": "active"}})
    index = like_a_full_build()
    assert sid in {e.id for e in index.entries}


def test_a_service_withheld_from_the_chat_then_released(
    directory: Session, like_a_full_build: Check
) -> None:
    sid = curated_id(OTHER_LOCAL)
    review = ServiceReview(service_id=sid, withheld_from_bot=True, withheld_reason="Overdue")
    directory.add(review)
    directory.flush()
    index = like_a_full_build()
    assert sid not in {e.id for e in index.entries}
    review.withheld_from_bot = False
    directory.flush()
    index = like_a_full_build()
    assert sid in {e.id for e in index.entries}


def test_checked_still_correct(directory: Session, like_a_full_build: Check) -> None:
    user = make_user(directory, "admin@example.org", Role.COUNCIL_ADMIN)
    service = _service(directory, NATIONAL)
    today = mark_checked(directory, user, service, NOW)
    index = like_a_full_build()
    entry = next(e for e in index.entries if e.id == service.id)
    assert entry.last_checked == today


def test_an_entry_sharing_the_latest_instant_of_the_change_log_is_not_missed(
    directory: Session, like_a_full_build: Check
) -> None:
    latest = directory.scalar(select(func.max(MetadataEntry.created_at)))
    sid = curated_id(LOCAL)
    log = ChangeLog(BACK_OFFICE_AUTHOR)
    upsert(
        directory, "service", {sid: {"id": sid, "name": "Zebra Youth Centre"}}, log, WriteReport()
    )
    for entry in log.entries:
        entry["created_at"] = latest  # written in the same instant as the index's last entry
    log.flush(directory)
    index = like_a_full_build()
    assert "Zebra Youth Centre" in {e.name for e in index.entries}


def test_a_change_logged_before_the_latest_entry_but_committed_after_it_builds_afresh(
    directory: Session, like_a_full_build: Check
) -> None:
    latest = directory.scalar(select(func.max(MetadataEntry.created_at)))
    sid = curated_id(LOCAL)
    log = ChangeLog(BACK_OFFICE_AUTHOR)
    upsert(
        directory, "service", {sid: {"id": sid, "name": "Late Youth Centre"}}, log, WriteReport()
    )
    for entry in log.entries:
        entry["created_at"] = latest - dt.timedelta(seconds=5)
    log.flush(directory)
    like_a_full_build(refreshed=False)


def test_an_organisation_changed_builds_afresh(
    directory: Session, like_a_full_build: Check
) -> None:
    oid = _service(directory, LOCAL).organization_id
    _back_office_write(directory, "organization", {oid: {"id": oid, "name": "Renamed trust"}})
    like_a_full_build(refreshed=False)


def test_a_taxonomy_term_changed_builds_afresh(
    directory: Session, like_a_full_build: Check
) -> None:
    term = directory.scalars(select(TaxonomyTerm).where(TaxonomyTerm.code == "bullying")).one()
    _back_office_write(
        directory, "taxonomy_term", {term.id: {"id": term.id, "name": "Bullying and teasing"}}
    )
    index = like_a_full_build(refreshed=False)
    assert index.need_name["bullying"] == "Bullying and teasing"


def test_an_import_builds_afresh(directory: Session, like_a_full_build: Check) -> None:
    # An import adds a service's child rows without logging them: only a full build sees them.
    sid = curated_id(LOCAL)
    log = ChangeLog("services_directory import")
    upsert(directory, "service", {sid: {"id": sid, "name": "Imported name"}}, log, WriteReport())
    log.flush(directory)
    like_a_full_build(refreshed=False)


def test_a_row_added_and_removed_between_two_searches_builds_afresh(
    directory: Session, like_a_full_build: Check
) -> None:
    def add_number(document: Document) -> None:
        document["contact_modes"].append(
            {"mode": "call", "value": "0800 765 4321", "body": "", "label": ""}
        )

    def remove_number(document: Document) -> None:
        document["contact_modes"] = [
            m for m in document["contact_modes"] if m["value"] != "0800 765 4321"
        ]

    _publish(directory, LOCAL, add_number)
    _publish(directory, LOCAL, remove_number)  # whose the removed phone row was: not known
    like_a_full_build(refreshed=False)


def test_many_changes_build_afresh(
    directory: Session, like_a_full_build: Check, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(refresh, "MAX_CHANGES", 2)

    def change(document: Document) -> None:
        document["name"], document["minimum_age"] = "Many changes", 12

    _publish(directory, LOCAL, change)
    like_a_full_build(refreshed=False)


def test_a_refreshed_index_is_refreshed_again(directory: Session, like_a_full_build: Check) -> None:
    for n, slug in enumerate((LOCAL, NATIONAL, LOCAL, OTHER_LOCAL)):

        def change(document: Document, n: int = n) -> None:
            document["name"] = f"{document['name']} {n}"
            document["needs"] = document["needs"][1:] or ["bullying"]

        _publish(directory, slug, change)
        like_a_full_build()
    user = make_user(directory, "admin@example.org", Role.COUNCIL_ADMIN)
    mark_checked(directory, user, _service(directory, LOCAL), NOW)
    like_a_full_build()
