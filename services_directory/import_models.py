"""Tables of staged imports: the feeds a council imports, each staged batch with its report, and
which feed every imported service came from (so that a service that leaves its feed is withdrawn).

A batch keeps the file it was staged from (`payload`): publishing reads it again and checks it
against the database as it is then, so what is written is never older than the database.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services_directory.accounts import UTCDateTime
from services_directory.models import ID, Base, TimestampMixin


class BatchStatus(StrEnum):
    """Where a staged batch stands."""

    STAGING = "staging"  # being read and checked (the page refreshes until it is done)
    STAGED = "staged"  # its report is ready: staff may publish it or discard it
    PUBLISHING = "publishing"  # being written
    PUBLISHED = "published"
    DISCARDED = "discarded"
    STALE = "stale"  # the same feed was staged again after it: only the newer may be published
    FAILED = "failed"  # the file could not be read at all (the report says why)


OPEN_STATUSES = frozenset({BatchStatus.STAGING, BatchStatus.STAGED})


class ImportFeed(TimestampMixin, Base):
    """A feed of Open Referral data the directory imports again and again (the council's own,
    fetched from `url`, or a file staff upload under a name)."""

    __tablename__ = "x_import_feed"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    url: Mapped[str | None] = mapped_column(Text)
    # Chosen by the council's admins: a scheduled fetch publishes by itself, else waits for review.
    auto_publish: Mapped[bool] = mapped_column(Boolean, default=False)


class ImportBatch(Base):
    """One file staged for import, its report, and what became of it."""

    __tablename__ = "x_import_batch"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    feed_id: Mapped[str] = mapped_column(
        ID, ForeignKey("x_import_feed.id", ondelete="CASCADE"), index=True
    )
    source_name: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), index=True)
    staged_by: Mapped[str] = mapped_column(Text)
    staged_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    published_by: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Progress while staging or publishing (shown on the batch's page).
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    # The file: JSON as uploaded, or a CSV package as a zip file.
    payload: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON, deferred=True)
    # The report's counts, readable without loading the whole report (the list of batches).
    counts: Mapped[dict[str, int] | None] = mapped_column(JSON)


class FeedService(Base):
    """Which feed a service was last imported from."""

    __tablename__ = "x_feed_service"

    service_id: Mapped[str] = mapped_column(
        ID, ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    feed_id: Mapped[str] = mapped_column(
        ID, ForeignKey("x_import_feed.id", ondelete="CASCADE"), index=True
    )
    last_batch_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("x_import_batch.id", ondelete="SET NULL")
    )


IMPORT_TABLES: dict[str, type[Base]] = {
    "x_import_feed": ImportFeed,
    "x_import_batch": ImportBatch,
    "x_feed_service": FeedService,
}
