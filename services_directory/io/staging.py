"""Staged imports: a feed goes to a staging area with a report by record and field; staff then
publish its valid records in one transaction (the invalid ones wait in the report), or discard it.

Staging the same feed again makes the older batch stale: only the newest may be published.
Publishing checks the file again against the database as it is then, writes the valid records
with the Open Referral change log, withdraws the feed's services that left it and records which
feed every service came from. The caller owns the transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session

from services_directory.errors import InvalidRecord
from services_directory.import_models import OPEN_STATUSES, BatchStatus, ImportBatch, ImportFeed
from services_directory.io.batches import BatchNotPublishable, get_batch, why_not
from services_directory.io.cleaning import clean_records
from services_directory.io.feeds import feed_named, leaving_services, link_services, withdraw
from services_directory.io.importer import existing_ids, write_records
from services_directory.io.payload import payload_of, read_payload
from services_directory.io.plan import plan_changes
from services_directory.io.records import RecordSet
from services_directory.io.staging_report import StagingReport
from services_directory.io.validity import split_invalid
from services_directory.io.writer import CHANGE_LOG_AUTHOR, ChangeLog, WriteReport

Progress = Callable[[str, int, int], None]
UPDATED_BY = f"{CHANGE_LOG_AUTHOR} import"


@dataclass
class Checked:
    """A feed read, cleaned and checked against the database: what can be written, the report,
    and the ids of every service the file lists (valid or not)."""

    valid: RecordSet
    report: StagingReport
    present: set[str]


def check(
    session: Session,
    payload: bytes,
    *,
    source: str,
    feed: ImportFeed | None,
    progress: Progress | None = None,
    plan: bool = True,
) -> Checked:
    """Read, clean and check a feed against the database; nothing is written. `plan`: work out
    each record's outcome (created, updated with its fields, unchanged) for the report."""
    records, kind, not_mapped = read_payload(payload, source, progress)
    cleaned = clean_records(records)
    records.validate(existing_ids(session, records.referenced_ids()))
    valid, invalid = split_invalid(records)
    report = StagingReport(source=source, format=kind, feed=feed.name if feed else "")
    report.warnings, report.not_mapped = records.warnings, not_mapped
    if plan:
        report.set_plan(plan_changes(session, valid))
    report.set_invalid(invalid)
    names = {
        (table, rid): str(r.values.get("name") or "")
        for table, by_id in records.records.items()
        for rid, r in by_id.items()
    }
    report.set_cleaned(cleaned, names)
    present = set(records.records.get("service", {}))
    if feed is not None:
        report.withdrawn, report.needs_person = leaving_services(session, feed.id, present)
    return Checked(valid, report, present)


def create_batch(
    session: Session,
    *,
    feed_name: str,
    source: str,
    payload: bytes,
    staged_by: str,
    now: dt.datetime,
    url: str | None = None,
) -> ImportBatch:
    """A new batch waiting to be checked; older open batches of the feed become stale."""
    feed = feed_named(session, feed_name, url=url)
    session.execute(
        update(ImportBatch)
        .where(ImportBatch.feed_id == feed.id, ImportBatch.status.in_(list(OPEN_STATUSES)))
        .values(status=BatchStatus.STALE.value, payload=b"")
    )
    batch = ImportBatch(
        id=str(uuid.uuid4()),
        feed_id=feed.id,
        source_name=source,
        format="",
        status=BatchStatus.STAGING.value,
        staged_by=staged_by,
        staged_at=now,
        progress_done=0,
        progress_total=0,
        payload=payload,
    )
    session.add(batch)
    session.flush()
    return batch


def check_batch(
    session: Session, batch_id: str, now: dt.datetime, progress: Progress | None = None
) -> ImportBatch:
    """Check a batch that is staging and store its report (a file that cannot be read at all
    leaves the batch failed, with the reason)."""
    batch = get_batch(session, batch_id)
    if batch.status != BatchStatus.STAGING:
        return batch
    feed = session.get(ImportFeed, batch.feed_id)
    try:
        checked = check(
            session, batch.payload, source=batch.source_name, feed=feed, progress=progress
        )
    except InvalidRecord as exc:
        report = StagingReport(source=batch.source_name, feed=feed.name if feed else "")
        report.problem = "; ".join(str(e) for e in exc.errors[:5])
        batch.status = BatchStatus.FAILED.value
        batch.payload = b""
    else:
        report = checked.report
        batch.status = BatchStatus.STAGED.value
        batch.format = report.format
    batch.report = report.to_dict()
    batch.counts = report.counts()
    batch.finished_at = now
    session.flush()
    return batch


def stage_file(
    session: Session,
    path: Path,
    *,
    feed_name: str,
    staged_by: str,
    now: dt.datetime,
    progress: Progress | None = None,
) -> ImportBatch:
    """Stage a file or CSV package folder and check it at once (the command line)."""
    batch = create_batch(
        session,
        feed_name=feed_name,
        source=path.name,
        payload=payload_of(path),
        staged_by=staged_by,
        now=now,
    )
    return check_batch(session, batch.id, now, progress)


def _write(
    session: Session,
    checked: Checked,
    feed: ImportFeed | None,
    batch_id: str | None,
    progress: Progress | None,
) -> WriteReport:
    """Write the valid records, withdraw the services that left the feed, link the feed."""
    withdrawn = [w["id"] for w in checked.report.withdrawn]

    def feed_changes(log: ChangeLog, report: WriteReport) -> None:
        if feed is None:
            return
        withdraw(session, withdrawn, log, report)
        link_services(session, feed.id, checked.valid.records.get("service", {}), batch_id)

    written = write_records(
        session, checked.valid, updated_by=UPDATED_BY, progress=progress, extra=feed_changes
    )
    # The feed's own terms become young people's needs as staff mapped them (the crosswalk).
    # (Imported here: the crosswalk is built on io.writer, so io cannot import it at load.)
    from services_directory.crosswalk import apply_crosswalk

    apply_crosswalk(session, checked.valid.records.get("service", {}))
    checked.report.published = {
        "created": sum(written.created.values()),
        "updated": sum(written.updated.values()),
        "unchanged": sum(written.unchanged.values()),
        "deleted": sum(written.deleted.values()),
        "services_created": written.created.get("service", 0),
        "services_updated": written.updated.get("service", 0) - len(withdrawn),
        "services_withdrawn": len(withdrawn),
    }
    return written


def publish_batch(
    session: Session,
    batch_id: str,
    *,
    published_by: str,
    now: dt.datetime,
    expected: BatchStatus = BatchStatus.STAGED,
    progress: Progress | None = None,
) -> StagingReport:
    """Publish a staged batch's valid records in the caller's transaction; returns its report.

    `BatchNotPublishable` when the batch is not `expected` (published, discarded, stale...)."""
    batch = get_batch(session, batch_id)
    claimed = session.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch_id, ImportBatch.status == expected.value)
        .values(status=BatchStatus.PUBLISHED.value)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(batch)
        raise BatchNotPublishable(why_not(batch.status))
    feed = session.get(ImportFeed, batch.feed_id)
    # Checked again against the database as it is now; the outcomes listed stay those staff read
    # (the write itself compares every row again, and the figures published are the write's).
    checked = check(
        session, batch.payload, source=batch.source_name, feed=feed, progress=progress, plan=False
    )
    staged = StagingReport.from_dict(batch.report)
    checked.report.services, checked.report.organizations = staged.services, staged.organizations
    checked.report.tables = staged.tables
    _write(session, checked, feed, batch.id, progress)
    batch.status = BatchStatus.PUBLISHED.value
    batch.report = checked.report.to_dict()
    batch.counts = checked.report.counts()
    batch.published_by = published_by
    batch.published_at = now
    batch.payload = b""
    session.flush()
    return checked.report


def import_valid(
    session: Session,
    path: Path,
    *,
    feed_name: str | None = None,
    refuse_invalid: bool = False,
    progress: Progress | None = None,
) -> tuple[StagingReport, WriteReport | None]:
    """Import a file's valid records at once in the caller's transaction (`--skip-invalid`);
    with a feed, withdraw its services that left it. Returns the report and what was written
    (None, with nothing written, when `refuse_invalid` and some record is invalid)."""
    feed = feed_named(session, feed_name) if feed_name else None
    checked = check(session, payload_of(path), source=str(path), feed=feed, progress=progress)
    if refuse_invalid and checked.report.invalid:
        return checked.report, None
    written = _write(session, checked, feed, None, progress)
    return checked.report, written
