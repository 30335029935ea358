"""The workshop's candidate models, their gates and releases (migration 0014).

A candidate is also its own background job: its `status` moves queued -> training -> testing ->
passed | blocked (or failed), and whoever runs it holds the `workshop_job_lock` row named
"candidate", so that only one candidate trains at a time whatever the number of workers. A
release is a switch of the live model: promoting a candidate, or rolling back to an earlier
release's model; each is a row, so the history is the list of rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services_directory.accounts import UTCDateTime
from services_directory.models import ID, Base, utcnow

# Candidate statuses.
QUEUED = "queued"
TRAINING = "training"
TESTING = "testing"
PASSED = "passed"  # the gate passed: the safety lead may sign it off
BLOCKED = "blocked"  # a check of the gate failed: it can never be released
FAILED = "failed"  # training or the gate could not run
RUNNING = (TRAINING, TESTING)
FINISHED = (PASSED, BLOCKED, FAILED)

# Release statuses.
PENDING = "pending"  # asked for; the worker switches the live model
LIVE = "live"
REPLACED = "replaced"  # a later release or rollback took its place
ROLLED_BACK = "rolled_back"  # the smoke check failed right after: the model before it is back
RELEASE_FAILED = "failed"  # the live server refused the model: nothing changed

# Kinds of release.
PROMOTION = "promotion"
ROLLBACK = "rollback"
BASELINE = "baseline"  # the model the repository trained, kept so it can be rolled back to

CANDIDATE_LOCK = "candidate"
RELEASE_LOCK = "release"


def _user_link() -> Mapped[str | None]:
    return mapped_column(ID, ForeignKey("staff_user.id", ondelete="SET NULL"), nullable=True)


class WorkshopCandidate(Base):
    """A named candidate model: what it was trained on, how far it got, and its gate."""

    __tablename__ = "workshop_candidate"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default=QUEUED, index=True)
    stage: Mapped[str] = mapped_column(String(200), default="")
    log_tail: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    # The approved items it is trained on, and the pseudonyms credited and left out.
    item_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # {"examples": [{"intent", "text"}], "stories": [{"name", "steps"}]}: a snapshot, so that
    # the job trains on exactly what was approved when the candidate was started.
    training_items: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    writers: Mapped[list[str]] = mapped_column(JSON, default=list)
    withdrawn_writers: Mapped[list[str]] = mapped_column(JSON, default=list)
    config_path: Mapped[str] = mapped_column(String(500))
    model_path: Mapped[str | None] = mapped_column(String(500), nullable=True)
    train_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    gate_report: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    gate_complete: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by_id: Mapped[str | None] = _user_link()
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    signed_off_by_id: Mapped[str | None] = _user_link()
    signed_off_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WorkshopRelease(Base):
    """One switch of the live model, its smoke check and its notes."""

    __tablename__ = "workshop_release"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default=PROMOTION)
    status: Mapped[str] = mapped_column(String(20), default=PENDING, index=True)
    candidate_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("workshop_candidate.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # For a rollback: the release whose model comes back.
    restores_id: Mapped[str | None] = mapped_column(ID, nullable=True)
    model_path: Mapped[str] = mapped_column(String(500))
    notes: Mapped[str] = mapped_column(Text, default="")
    smoke_report: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[str | None] = _user_link()
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    live_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WorkshopJobLock(Base):
    """A named lock: a worker takes it with one conditional UPDATE (safe on both databases)."""

    __tablename__ = "workshop_job_lock"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(200), nullable=True)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


RELEASE_TABLES: dict[str, type[Base]] = {
    m.__tablename__: m for m in (WorkshopCandidate, WorkshopRelease, WorkshopJobLock)
}
