"""The life of a staged batch outside its checking and publishing: finding it, why it cannot be
published, claiming it for a publication in the background (and saying so when that fails),
discarding it, and the latest batches."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services_directory.errors import DirectoryError, RecordNotFound
from services_directory.import_models import BatchStatus, ImportBatch
from services_directory.io.staging_report import StagingReport


class BatchNotFound(RecordNotFound):
    """No import batch has the given id."""

    kind = "import batch"


class BatchNotPublishable(DirectoryError):
    """The batch is not (or no longer) waiting to be published."""


def get_batch(session: Session, batch_id: str) -> ImportBatch:
    """The batch with this id (`BatchNotFound` if none)."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        raise BatchNotFound(batch_id)
    return batch


def why_not(status: str) -> str:
    """Why a batch in `status` cannot be published, as staff read it."""
    reasons = {
        BatchStatus.STAGING: "it is still being checked",
        BatchStatus.PUBLISHING: "it is already being published",
        BatchStatus.PUBLISHED: "it has already been published",
        BatchStatus.DISCARDED: "it was discarded",
        BatchStatus.STALE: "the same feed was staged again after it: publish the newer one",
        BatchStatus.FAILED: "its file could not be read",
    }
    return (
        f"This import cannot be published or discarded: {reasons.get(BatchStatus(status), status)}."
    )


def claim_for_publishing(session: Session, batch_id: str) -> None:
    """Mark a staged batch as being published (before the work starts in the background)."""
    batch = get_batch(session, batch_id)
    claimed = session.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch_id, ImportBatch.status == BatchStatus.STAGED.value)
        .values(status=BatchStatus.PUBLISHING.value)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(batch)
        raise BatchNotPublishable(why_not(batch.status))
    session.refresh(batch)


def fail_publishing(session: Session, batch_id: str, problem: str, now: dt.datetime) -> None:
    """A background publication failed (nothing of it was written): say so on the batch."""
    batch = get_batch(session, batch_id)
    report = StagingReport.from_dict(batch.report)
    report.problem = f"Publishing failed, so nothing was written: {problem}"
    batch.report = report.to_dict()
    batch.status = BatchStatus.STAGED.value if batch.payload else BatchStatus.FAILED.value
    batch.finished_at = now
    session.flush()


def discard_batch(session: Session, batch_id: str, now: dt.datetime) -> ImportBatch:
    """Discard a batch that was not published (its report stays)."""
    batch = get_batch(session, batch_id)
    discardable = {BatchStatus.STAGED, BatchStatus.STAGING, BatchStatus.FAILED, BatchStatus.STALE}
    if BatchStatus(batch.status) not in discardable:
        raise BatchNotPublishable(f"This import cannot be discarded: it is {batch.status}.")
    batch.status = BatchStatus.DISCARDED.value
    batch.payload = b""
    batch.finished_at = now
    session.flush()
    return batch


def recent_batches(session: Session, limit: int = 50) -> list[ImportBatch]:
    """The newest batches first."""
    return list(
        session.scalars(select(ImportBatch).order_by(ImportBatch.staged_at.desc()).limit(limit))
    )
