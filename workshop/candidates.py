"""Candidate models: starting one from the approved items, the job's claim (one at a time),
its progress, and what happens to a training whose worker died.

A training left "training" or "testing" by a worker that stopped (its process gone from this
host, or no heartbeat for `WORKSHOP_STALE_MINUTES`) is started again from the beginning, once;
if it is left again it is marked failed, so a candidate that kills its worker cannot loop.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffUser
from staff import audit
from staff.errors import InvalidChange
from workshop import jobs
from workshop.release_models import (
    CANDIDATE_LOCK,
    FAILED,
    PASSED,
    QUEUED,
    RUNNING,
    TRAINING,
    WorkshopCandidate,
)
from workshop.training_items import TrainingItems, approved_for_training

NAME_MAX = 100
MAX_ATTEMPTS = 2
RECORD = "workshop_candidate"


def start_candidate(
    db: Session,
    actor: StaffUser,
    name: str,
    config_path: str,
    now: dt.datetime,
    items: TrainingItems | None = None,
) -> WorkshopCandidate:
    """Queue a named candidate trained on the approved items of members whose consent stands
    (`items` given: exactly those, for tests and benchmarks). Flushes; the caller commits."""
    name = " ".join(name.split())
    if not name or len(name) > NAME_MAX:
        raise InvalidChange("name", f"Give the candidate a name of 1 to {NAME_MAX} characters")
    if items is None:
        items = approved_for_training(db)
    candidate = WorkshopCandidate(
        id=str(uuid.uuid4()),
        name=name,
        status=QUEUED,
        stage="Waiting for its turn to train",
        log_tail="",
        error="",
        item_ids=list(items.item_ids),
        training_items=items.snapshot(),
        writers=list(items.writers),
        withdrawn_writers=list(items.withdrawn_writers),
        config_path=config_path,
        gate_complete=False,
        attempts=0,
        created_by_id=actor.id,
        created_at=now,
    )
    db.add(candidate)
    db.flush()
    detail = f"{name}: {len(items.item_ids)} approved items"
    audit.record(
        db,
        actor,
        "workshop.candidate.start",
        now,
        record_type=RECORD,
        record_id=candidate.id,
        detail=detail,
    )
    return candidate


def work_waiting(db: Session) -> bool:
    """Whether a candidate waits to be trained or is running (perhaps left by a dead worker).
    Reads only: an idle worker writes nothing."""
    query = select(WorkshopCandidate.id).where(WorkshopCandidate.status.in_((QUEUED, *RUNNING)))
    return db.scalar(query.limit(1)) is not None


def recover_orphans(db: Session, holder: str, now: dt.datetime) -> list[WorkshopCandidate]:
    """Candidates left running by a dead worker (call with the candidate lock held): queued
    again, or failed after `MAX_ATTEMPTS`. Commits."""
    orphans = list(
        db.scalars(
            select(WorkshopCandidate).where(
                WorkshopCandidate.status.in_(RUNNING),
                (WorkshopCandidate.claimed_by != holder) | WorkshopCandidate.claimed_by.is_(None),
            )
        )
    )
    for candidate in orphans:
        candidate.claimed_by = None
        if candidate.attempts >= MAX_ATTEMPTS:
            candidate.status = FAILED
            candidate.stage = "Stopped: the worker stopped twice while training it"
            candidate.error = "The training was interrupted twice. Start a new candidate."
            candidate.finished_at = now
            action = "workshop.candidate.fail"
        else:
            candidate.status = QUEUED
            candidate.stage = "Starting again: the worker stopped while training it"
            action = "workshop.candidate.restart"
        audit.record(
            db,
            None,
            action,
            now,
            record_type=RECORD,
            record_id=candidate.id,
            actor_label="workshop worker",
            detail="its worker stopped",
        )
    db.commit()
    return orphans


def claim_next(
    db: Session, holder: str, now: dt.datetime, stale_before: dt.datetime
) -> WorkshopCandidate | None:
    """The oldest queued candidate, now this worker's to train; None when another worker is
    training one or nothing waits. Holds the candidate lock until `finish` lets it go."""
    if not jobs.take_lock(db, CANDIDATE_LOCK, holder, now, stale_before):
        return None
    recover_orphans(db, holder, now)
    candidate = db.scalar(
        select(WorkshopCandidate)
        .where(WorkshopCandidate.status == QUEUED)
        .order_by(WorkshopCandidate.created_at, WorkshopCandidate.id)
        .limit(1)
    )
    if candidate is None:
        jobs.free_lock(db, CANDIDATE_LOCK, holder)
        return None
    candidate.status = TRAINING
    candidate.stage = "Getting the training data ready"
    candidate.claimed_by = holder
    candidate.heartbeat_at = now
    candidate.attempts += 1
    candidate.started_at = now
    db.commit()
    return candidate


def report_progress(
    db: Session, candidate: WorkshopCandidate, holder: str, now: dt.datetime, **changes: object
) -> bool:
    """Record the stage (and log tail) and give a sign of life; False when the lock was lost
    (another worker took this job over: stop). Commits."""
    for key, value in changes.items():
        setattr(candidate, key, value)
    candidate.heartbeat_at = now
    db.commit()
    return jobs.beat(db, CANDIDATE_LOCK, holder, now)


def finish(
    db: Session,
    candidate: WorkshopCandidate,
    holder: str,
    status: str,
    now: dt.datetime,
    stage: str,
    error: str = "",
) -> None:
    """The job is over (passed, blocked or failed): record it and let the lock go. Commits."""
    candidate.status = status
    candidate.stage = stage
    candidate.error = error
    candidate.finished_at = now
    candidate.claimed_by = None
    audit.record(
        db,
        None,
        f"workshop.candidate.{status}",
        now,
        record_type=RECORD,
        record_id=candidate.id,
        actor_label="workshop worker",
        detail=stage,
    )
    db.commit()
    jobs.free_lock(db, CANDIDATE_LOCK, holder)


def sign_off(db: Session, actor: StaffUser, candidate: WorkshopCandidate, now: dt.datetime) -> None:
    """The safety lead signs off a candidate whose whole gate passed. Flushes."""
    if candidate.status != PASSED or not candidate.gate_complete:
        raise InvalidChange(
            "request", "Only a candidate that passed the whole gate can be signed off"
        )
    if candidate.signed_off_at is not None:
        raise InvalidChange("request", "This candidate is already signed off")
    candidate.signed_off_by_id = actor.id
    candidate.signed_off_at = now
    audit.record(
        db,
        actor,
        "workshop.candidate.sign_off",
        now,
        record_type=RECORD,
        record_id=candidate.id,
        detail=candidate.name,
    )


def candidates_newest_first(db: Session, limit: int = 50) -> list[WorkshopCandidate]:
    """The latest candidates, newest first."""
    return list(
        db.scalars(
            select(WorkshopCandidate)
            .order_by(WorkshopCandidate.created_at.desc(), WorkshopCandidate.id)
            .limit(limit)
        )
    )
