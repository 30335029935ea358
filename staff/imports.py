"""Staged imports from the back office and the scheduler: each step in its own transaction with
its audit entry (`import.staged`, `import.published` with counts, `import.discarded`,
`import.feed_changed`).

Checking and publishing a big feed take seconds, so the web layer runs them after the response
(`check_in_background`, `publish_in_background`); their progress is kept in this process
(`progress_of`) for the batch's page, which refreshes until the batch is done.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from services_directory.accounts import StaffUser
from services_directory.import_models import BatchStatus, ImportBatch, ImportFeed
from services_directory.io import batches, staging
from services_directory.io.staging_report import StagingReport
from staff import audit
from staff.errors import InvalidChange, RecordNotFound

logger = logging.getLogger(__name__)
SessionFactory = Callable[[], Session]
STAGED, PUBLISHED, DISCARDED, FEED_CHANGED = (
    "import.staged",
    "import.published",
    "import.discarded",
    "import.feed_changed",
)


@dataclass(frozen=True)
class Progress:
    """How far a background step has got."""

    stage: str
    done: int
    total: int

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 0


_progress: dict[str, Progress] = {}
_lock = threading.Lock()


def progress_of(batch_id: str) -> Progress | None:
    """The progress of a batch being checked or published in this process, if any."""
    with _lock:
        return _progress.get(batch_id)


def _tracker(batch_id: str) -> Callable[[str, int, int], None]:
    def track(stage: str, done: int, total: int) -> None:
        with _lock:
            _progress[batch_id] = Progress(stage, done, total)

    return track


def _forget(batch_id: str) -> None:
    with _lock:
        _progress.pop(batch_id, None)


def batch_for(db: Session, batch_id: str) -> ImportBatch:
    """The batch, or `RecordNotFound` (404)."""
    batch = db.get(ImportBatch, batch_id)
    if batch is None:
        raise RecordNotFound(f"no import batch {batch_id}")
    return batch


def counts_detail(counts: dict[str, int] | None) -> str:
    """The audit entry's detail: the batch's figures."""
    c = counts or {}
    return (
        f"{c.get('services', 0)} services: {c.get('created', 0)} created, "
        f"{c.get('updated', 0)} updated, {c.get('unchanged', 0)} unchanged, "
        f"{c.get('withdrawn', 0)} withdrawn, {c.get('invalid_services', 0)} invalid left out, "
        f"{c.get('needs_person', 0)} need a person"
    )


def stage(
    db: Session,
    actor: StaffUser | None,
    *,
    feed_name: str,
    source: str,
    payload: bytes,
    now: dt.datetime,
    actor_label: str | None = None,
    url: str | None = None,
) -> ImportBatch:
    """A new batch to check (the caller commits, then checks it)."""
    label = actor.email if actor else (actor_label or audit.COMMAND_LINE)
    batch = staging.create_batch(
        db,
        feed_name=feed_name,
        source=source,
        payload=payload,
        staged_by=label,
        now=now,
        url=url,
    )
    detail = f"{source} for the feed {feed_name!r} ({len(payload)} bytes)"
    audit.record(
        db,
        actor,
        STAGED,
        now,
        record_type="import_batch",
        record_id=batch.id,
        detail=detail,
        actor_label=actor_label,
    )
    return batch


def check_in_background(factory: SessionFactory, batch_id: str, now: dt.datetime) -> None:
    """Check a staged batch in a session of its own (after the response was sent)."""
    try:
        with factory() as db, db.begin():
            staging.check_batch(db, batch_id, now, _tracker(batch_id))
    except Exception:
        logger.exception("checking import batch %s failed", batch_id)
        with factory() as db, db.begin():
            batch = batch_for(db, batch_id)
            report = StagingReport(source=batch.source_name, problem="The check failed.")
            batch.status, batch.report = BatchStatus.FAILED.value, report.to_dict()
    finally:
        _forget(batch_id)


def start_publishing(db: Session, batch_id: str) -> None:
    """Claim a staged batch for publishing (refused unless it is staged and the newest)."""
    try:
        batches.claim_for_publishing(db, batch_id)
    except batches.BatchNotFound as exc:
        raise RecordNotFound(str(exc)) from exc
    except batches.BatchNotPublishable as exc:
        raise InvalidChange("batch", str(exc)) from exc


def publish(
    db: Session,
    actor: StaffUser | None,
    batch_id: str,
    now: dt.datetime,
    *,
    expected: BatchStatus = BatchStatus.STAGED,
    actor_label: str | None = None,
) -> StagingReport:
    """Publish the batch's valid records and record it, in the caller's transaction."""
    label = actor.email if actor else (actor_label or audit.COMMAND_LINE)
    try:
        report = staging.publish_batch(
            db,
            batch_id,
            published_by=label,
            now=now,
            expected=expected,
            progress=_tracker(batch_id),
        )
    except batches.BatchNotPublishable as exc:
        raise InvalidChange("batch", str(exc)) from exc
    finally:
        _forget(batch_id)
    figures = report.published
    detail = (
        f"{figures.get('services_created', 0)} services created, "
        f"{figures.get('services_updated', 0)} updated, "
        f"{figures.get('services_withdrawn', 0)} withdrawn, "
        f"{report.counts()['invalid_services']} invalid left out, "
        f"{report.counts()['needs_person']} need a person"
    )
    audit.record(
        db,
        actor,
        PUBLISHED,
        now,
        record_type="import_batch",
        record_id=batch_id,
        detail=detail,
        actor_label=actor_label,
    )
    return report


def publish_in_background(
    factory: SessionFactory, batch_id: str, actor_id: str, now: dt.datetime
) -> None:
    """Publish a batch claimed by `start_publishing`, in one transaction of its own; on failure
    nothing of it is written and the batch says why."""
    try:
        with factory() as db, db.begin():
            actor = db.get(StaffUser, actor_id)
            publish(db, actor, batch_id, now, expected=BatchStatus.PUBLISHING)
    except Exception as exc:
        logger.exception("publishing import batch %s failed", batch_id)
        with factory() as db, db.begin():
            batches.fail_publishing(db, batch_id, type(exc).__name__, now)


def discard(db: Session, actor: StaffUser, batch_id: str, now: dt.datetime) -> ImportBatch:
    """Discard a batch that was not published."""
    batch_for(db, batch_id)
    try:
        batch = batches.discard_batch(db, batch_id, now)
    except batches.BatchNotPublishable as exc:
        raise InvalidChange("batch", str(exc)) from exc
    audit.record(db, actor, DISCARDED, now, record_type="import_batch", record_id=batch_id)
    return batch


def set_auto_publish(
    db: Session, actor: StaffUser, feed: ImportFeed, auto_publish: bool, now: dt.datetime
) -> None:
    """Whether the scheduled fetch of this feed publishes by itself."""
    feed.auto_publish = auto_publish
    word = "publishes by itself" if auto_publish else "waits for review"
    audit.record(
        db,
        actor,
        FEED_CHANGED,
        now,
        record_type="import_feed",
        record_id=feed.id,
        detail=f"the scheduled import of {feed.name!r} {word}",
    )
