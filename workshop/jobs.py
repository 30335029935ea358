"""Named locks for the workshop's background work: one candidate trains at a time, one release
switches the live model at a time, whatever the number of worker processes.

A lock is a row of `workshop_job_lock`, taken with one conditional UPDATE (free, or held by a
holder that is dead), which both SQLite and PostgreSQL apply atomically: of two workers racing,
one updates the row and the other finds the condition false. A holder says who it is
(`host:pid`) and when it last gave a sign of life; a holder on this host whose process is gone
is dead at once, and one on another host once its heartbeat is older than the stale limit.
"""

from __future__ import annotations

import datetime as dt
import os
import socket

from sqlalchemy import update
from sqlalchemy.orm import Session

from workshop.release_models import WorkshopJobLock


def this_worker() -> str:
    """Who this process is, as a lock holder: host name and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def holder_is_dead(
    holder: str | None, heartbeat_at: dt.datetime | None, stale_before: dt.datetime
) -> bool:
    """Whether a lock's (or a job's) holder has stopped: gone from this host, or silent too long."""
    if holder is None:
        return True
    host, _, pid = holder.rpartition(":")
    if host == socket.gethostname() and pid.isdigit() and not process_alive(int(pid)):
        return True
    return heartbeat_at is None or heartbeat_at < stale_before


def take_lock(
    db: Session, name: str, holder: str, now: dt.datetime, stale_before: dt.datetime
) -> bool:
    """Take the lock `name` for `holder` when it is free or its holder is dead; commits."""
    lock = db.get(WorkshopJobLock, name)
    if lock is None:
        db.add(WorkshopJobLock(name=name))
        db.commit()
    db.expire_all()
    lock = db.get(WorkshopJobLock, name)
    assert lock is not None
    previous = lock.holder
    if previous not in (None, holder) and not holder_is_dead(
        previous, lock.heartbeat_at, stale_before
    ):
        db.rollback()
        return False
    # The same condition again, in the UPDATE itself: only one of two racing workers matches.
    condition = (
        WorkshopJobLock.holder.is_(None) if previous is None else WorkshopJobLock.holder == previous
    )
    result = db.execute(
        update(WorkshopJobLock)
        .where(WorkshopJobLock.name == name, condition)
        .values(holder=holder, heartbeat_at=now)
        .execution_options(synchronize_session=False)
    )
    db.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]


def beat(db: Session, name: str, holder: str, now: dt.datetime) -> bool:
    """A sign of life from the holder; False when the lock is no longer theirs. Commits."""
    result = db.execute(
        update(WorkshopJobLock)
        .where(WorkshopJobLock.name == name, WorkshopJobLock.holder == holder)
        .values(heartbeat_at=now)
        .execution_options(synchronize_session=False)
    )
    db.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]


def free_lock(db: Session, name: str, holder: str) -> None:
    """Let the lock go (only the holder can). Commits."""
    db.execute(
        update(WorkshopJobLock)
        .where(WorkshopJobLock.name == name, WorkshopJobLock.holder == holder)
        .values(holder=None, heartbeat_at=None)
        .execution_options(synchronize_session=False)
    )
    db.commit()
