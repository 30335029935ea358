"""Staged imports on a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set): the
report names each problem of a messy feed; publishing writes the valid records and leaves the
database consistent; a second import updates and withdraws; stale batches cannot be published."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from services_directory.import_models import BatchStatus, FeedService
from services_directory.io.batches import BatchNotPublishable, discard_batch
from services_directory.io.feeds import imported_service_ids, published_service_ids
from services_directory.io.records import stable_uuid
from services_directory.io.staging import check_batch, create_batch, publish_batch, stage_file
from services_directory.io.staging_report import StagingReport
from services_directory.models import MetadataEntry, Service, ServiceProfile
from tests.services_directory.dbtest import FIXTURES
from tests.services_directory.feeds.messy import write_feed

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def sid(number: int) -> str:
    return stable_uuid("oruk-v1", "service", f"svc-{number}")


def stage(session: Session, path: Path, feed: str = "council") -> tuple[str, StagingReport]:
    batch = stage_file(session, path, feed_name=feed, staged_by="tester", now=NOW)
    return batch.id, StagingReport.from_dict(batch.report)


def orphans(session: Session) -> dict[str, int]:
    """Rows pointing at a service or location that is not there."""
    checks = {
        "contact": "SELECT count(*) FROM contact c WHERE c.service_id IS NOT NULL AND "
        "NOT EXISTS (SELECT 1 FROM service s WHERE s.id = c.service_id)",
        "phone": "SELECT count(*) FROM phone p WHERE p.service_id IS NOT NULL AND "
        "NOT EXISTS (SELECT 1 FROM service s WHERE s.id = p.service_id)",
        "schedule": "SELECT count(*) FROM schedule x WHERE x.service_id IS NOT NULL AND "
        "NOT EXISTS (SELECT 1 FROM service s WHERE s.id = x.service_id)",
        "attribute": "SELECT count(*) FROM attribute a WHERE a.link_entity = 'service' AND "
        "NOT EXISTS (SELECT 1 FROM service s WHERE s.id = a.link_id)",
        "address": "SELECT count(*) FROM address a WHERE a.location_id IS NOT NULL AND "
        "NOT EXISTS (SELECT 1 FROM location l WHERE l.id = a.location_id)",
        "location": "SELECT count(*) FROM location l WHERE NOT EXISTS "
        "(SELECT 1 FROM service_at_location x WHERE x.location_id = l.id)",
    }
    return {name: int(session.execute(text(sql)).scalar() or 0) for name, sql in checks.items()}


def test_the_report_names_each_problem(session: Session, tmp_path: Path) -> None:
    _batch, report = stage(session, write_feed(tmp_path))
    reasons = {(i["id"], i["field"]): i["reason"] for i in report.invalid}
    assert reasons[(sid(5), "organization")] == "is missing"
    assert "'Youth Club Six' differs from 'Youth Club 6'" in reasons[(sid(6), "name")]
    dependants = [i for i in report.invalid if i["reason"].startswith("depends on service")]
    assert {i["table"] for i in dependants} >= {"contact", "phone", "schedule", "attribute"}
    cleaned = {(c["id"], c["field"]): c["message"] for c in report.cleaned}
    assert cleaned[(sid(1), "email")] == "non-breaking space removed"
    assert cleaned[(sid(1), "description")] == "HTML turned into plain text"
    assert cleaned[(sid(2), "email")] == "non-breaking space removed"
    counts = report.counts()
    assert (counts["services"], counts["created"], counts["invalid_services"]) == (6, 4, 2)
    assert report.invalid_services() == sorted([sid(5), sid(6)])
    assert session.scalar(select(func.count()).select_from(Service)) == 0  # nothing written yet


def test_publishing_leaves_the_invalid_out_and_the_database_consistent(
    session: Session, tmp_path: Path
) -> None:
    batch_id, _report = stage(session, write_feed(tmp_path))
    report = publish_batch(session, batch_id, published_by="tester", now=NOW)
    assert report.published["services_created"] == 4
    names = set(session.scalars(select(Service.name)))
    assert names == {"Youth Club 1", "Youth Club 2", "Youth Club 3", "Youth Club 4"}
    first = session.get(Service, sid(1))
    assert first is not None and first.email == "club1@example.org"
    assert first.description == (
        "Free drop-in for young people.\n\n- Games & sport\n- Someone to talk to"
    )
    assert orphans(session) == dict.fromkeys(orphans(session), 0)
    assert session.scalar(select(func.count()).select_from(FeedService)) == 4
    assert published_service_ids(session, batch_id) == sorted(sid(n) for n in (1, 2, 3, 4))
    assert imported_service_ids(session, "council") == published_service_ids(session, batch_id)
    logged = session.scalar(
        select(func.count()).where(
            MetadataEntry.resource_id == sid(1), MetadataEntry.last_action_type == "create"
        )
    )
    assert logged == 1
    with pytest.raises(BatchNotPublishable):
        publish_batch(session, batch_id, published_by="tester", now=NOW)


def test_a_second_import_updates_and_withdraws_what_left(session: Session, tmp_path: Path) -> None:
    first, _ = stage(session, write_feed(tmp_path))
    publish_batch(session, first, published_by="tester", now=NOW)
    second, report = stage(session, write_feed(tmp_path, "council-2.json", second=True))
    outcomes = {s["id"]: (s["outcome"], s["fields"]) for s in report.services}
    assert outcomes[sid(1)] == ("updated", ["description"])
    assert outcomes[sid(3)][0] == "unchanged"
    assert outcomes[sid(7)][0] == outcomes[sid(6)][0] == "created"
    assert report.withdrawn == [{"id": sid(4), "name": "Youth Club 4"}]
    published = publish_batch(session, second, published_by="tester", now=NOW)
    assert published.published["services_withdrawn"] == 1
    withdrawn = session.get(Service, sid(4))
    assert withdrawn is not None and withdrawn.status == "inactive"  # never deleted
    assert session.get(Service, sid(1)).description == "Now open on Fridays too."  # type: ignore[union-attr]
    logged = session.scalars(
        select(MetadataEntry.replacement_value).where(
            MetadataEntry.resource_id == sid(4), MetadataEntry.field_name == "status"
        )
    ).all()
    assert logged == ["inactive"]
    assert orphans(session) == dict.fromkeys(orphans(session), 0)


def test_a_crisis_line_that_left_the_feed_needs_a_person(session: Session, tmp_path: Path) -> None:
    first, _ = stage(session, write_feed(tmp_path))
    publish_batch(session, first, published_by="tester", now=NOW)
    session.add(ServiceProfile(service_id=sid(4), slug="club-4", crisis=True, crisis_order=9))
    session.flush()
    second, report = stage(session, write_feed(tmp_path, "next.json", second=True))
    assert report.withdrawn == []
    assert [n["id"] for n in report.needs_person] == [sid(4)]
    assert "crisis line" in report.needs_person[0]["reason"]
    publish_batch(session, second, published_by="tester", now=NOW)
    assert session.get(Service, sid(4)).status == "active"  # type: ignore[union-attr]


def test_staging_the_feed_again_makes_the_older_batch_stale(
    session: Session, tmp_path: Path
) -> None:
    older, _ = stage(session, write_feed(tmp_path))
    newer, _ = stage(session, write_feed(tmp_path, "again.json"))
    with pytest.raises(BatchNotPublishable, match="staged again"):
        publish_batch(session, older, published_by="tester", now=NOW)
    other_feed, _ = stage(session, write_feed(tmp_path, "other.json"), feed="another council")
    publish_batch(session, newer, published_by="tester", now=NOW)
    assert discard_batch(session, other_feed, NOW).status == BatchStatus.DISCARDED
    with pytest.raises(BatchNotPublishable):
        discard_batch(session, newer, NOW)


@pytest.mark.parametrize(
    "name", ["hsds3/service_full.json", "oruk3/service_full.json", "hsds3/csv", "oruk3/csv"]
)
def test_the_shared_fixtures_stage_and_publish_whole(session: Session, name: str) -> None:
    batch_id, report = stage(session, FIXTURES / name, feed=name)
    assert report.invalid == [], report.invalid
    assert report.counts()["created"] >= 1
    publish_batch(session, batch_id, published_by="tester", now=NOW)
    assert session.scalar(select(func.count()).select_from(Service)) == report.counts()["created"]


def test_a_file_that_is_not_a_feed_fails_with_the_reason(session: Session) -> None:
    batch = create_batch(
        session, feed_name="x", source="notes.txt", payload=b"hello", staged_by="t", now=NOW
    )
    batch = check_batch(session, batch.id, NOW)
    assert batch.status == BatchStatus.FAILED
    assert "neither JSON nor a zipped CSV package" in StagingReport.from_dict(batch.report).problem
    empty = json.dumps({"content": [{"id": "svc-1"}], "totalElements": 1}).encode()
    batch = create_batch(
        session, feed_name="y", source="a.json", payload=empty, staged_by="t", now=NOW
    )
    report = StagingReport.from_dict(check_batch(session, batch.id, NOW).report)
    assert report.counts()["invalid_services"] == 1
