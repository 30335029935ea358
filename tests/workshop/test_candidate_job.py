"""The candidate job: one candidate trains at a time whatever the number of workers, and a
training left behind by a worker that died is started again (once), then marked failed."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffAuditEvent
from staff.errors import InvalidChange
from staff.policy import Role
from tests.services_directory.dbtest import BACKENDS, migrated_engine, rolled_back_session
from tests.workshop.release_helpers import NOW, dead_pid, person
from workshop import candidates, jobs
from workshop.release_models import CANDIDATE_LOCK, FAILED, QUEUED, TRAINING, WorkshopJobLock
from workshop.training import write_data
from workshop.training_items import Example, TrainingItems

STALE = NOW - dt.timedelta(minutes=10)


@pytest.fixture(scope="module", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    engine = migrated_engine(request.param, tmp_path_factory.mktemp(f"wr-{request.param}"))
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with rolled_back_session(engine) as (session, _factory):
        yield session


def _start(db: Session, name: str, when: dt.datetime = NOW) -> candidates.WorkshopCandidate:
    manager = person(db, Role.RELEASE_MANAGER)
    items = TrainingItems(["i1"], [Example("low_mood", "been proper down all week")], ["Sky"])
    return candidates.start_candidate(db, manager, name, "config.yml", when, items)


def test_one_candidate_trains_at_a_time(db: Session) -> None:
    first = _start(db, "First")
    second = _start(db, "Second", NOW + dt.timedelta(seconds=1))
    db.commit()
    me = f"{socket.gethostname()}:1"  # pid 1 is always alive
    claimed = candidates.claim_next(db, me, NOW, STALE)
    assert claimed is not None and claimed.id == first.id and claimed.status == TRAINING
    # Another live worker, on another machine, with a fresh heartbeat: it must wait.
    assert candidates.claim_next(db, "elsewhere:42", NOW, STALE) is None
    assert db.get(candidates.WorkshopCandidate, second.id).status == QUEUED  # type: ignore[union-attr]
    candidates.finish(db, claimed, me, "passed", NOW, "done")
    after = candidates.claim_next(db, "elsewhere:42", NOW, STALE)
    assert after is not None and after.id == second.id


def test_a_silent_worker_on_another_machine_loses_the_job(db: Session) -> None:
    job = _start(db, "Quiet")
    db.commit()
    assert candidates.claim_next(db, "elsewhere:42", NOW, STALE) is not None
    later = NOW + dt.timedelta(minutes=11)
    taken = candidates.claim_next(db, "here:7", later, later - dt.timedelta(minutes=10))
    assert taken is not None and taken.id == job.id and taken.attempts == 2


def test_a_training_left_by_a_dead_worker_restarts_once_then_fails(db: Session) -> None:
    job = _start(db, "Interrupted")
    db.commit()
    dead = f"{socket.gethostname()}:{dead_pid()}"
    assert candidates.claim_next(db, dead, NOW, STALE) is not None
    # The worker died mid-training: the next worker notices at once (same host, no process)
    # and starts the same candidate again.
    again = candidates.claim_next(db, f"{socket.gethostname()}:1", NOW, STALE)
    assert again is not None and again.id == job.id and again.attempts == 2
    actions = list(
        db.scalars(select(StaffAuditEvent.action).where(StaffAuditEvent.record_id == job.id))
    )
    assert "workshop.candidate.restart" in actions
    # It dies again: this time the candidate is marked failed, not retried for ever.
    lock = db.get(WorkshopJobLock, CANDIDATE_LOCK)
    assert lock is not None
    lock.holder = again.claimed_by = f"{socket.gethostname()}:{dead_pid()}"
    db.commit()
    assert candidates.claim_next(db, f"{socket.gethostname()}:1", NOW, STALE) is None
    db.refresh(job)
    assert job.status == FAILED and "twice" in job.error


def test_the_lock_is_taken_by_one_conditional_update(db: Session) -> None:
    assert jobs.take_lock(db, CANDIDATE_LOCK, "a:1", NOW, STALE)
    assert not jobs.take_lock(db, CANDIDATE_LOCK, "b:2", NOW, STALE)
    assert jobs.beat(db, CANDIDATE_LOCK, "a:1", NOW)
    assert not jobs.beat(db, CANDIDATE_LOCK, "b:2", NOW)
    jobs.free_lock(db, CANDIDATE_LOCK, "a:1")
    assert jobs.take_lock(db, CANDIDATE_LOCK, "b:2", NOW, STALE)


def test_a_candidate_needs_a_name(db: Session) -> None:
    with pytest.raises(InvalidChange):
        _start(db, "   ")


def test_the_candidate_data_is_a_copy_with_the_examples_added(tmp_path: Path) -> None:
    examples = [Example("low_mood", "lowkey been feeling [rubbish]"), Example("low_mood", "meh")]
    data = write_data(tmp_path, examples)
    generated = (data / "nlu" / "workshop.generated.yml").read_text()
    assert "lowkey been feeling (rubbish)" in generated and "- meh" in generated
    assert (data / "rules" / "crisis.yml").exists()
    assert not (Path("bot/data/nlu") / "workshop.generated.yml").exists()
