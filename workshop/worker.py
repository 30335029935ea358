"""The workshop's worker: trains queued candidates (one at a time, at the lowest priority), runs
their gate, and carries out releases and rollbacks. A process of the Procfile:

    python -m workshop.worker

Any number may run: the database locks let one train and one release at a time. A worker that
dies mid-training leaves its candidate "training"; the next worker to look starts it again
(`workshop.candidates.recover_orphans`).
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy.orm import Session

from services_directory.db import make_engine, make_session_factory
from services_directory.models import utcnow
from settings.app import Settings, get_settings
from workshop import candidates, jobs, releases
from workshop.gate import Check, GateContext, GateError, full_gate, run_gate
from workshop.release_models import (
    BLOCKED,
    FAILED,
    PASSED,
    RELEASE_LOCK,
    TESTING,
    WorkshopCandidate,
)
from workshop.training import TrainingFailed, candidate_dir, log_tail, train, write_data
from workshop.training_items import examples_from_snapshot, youth_voice_examples

logger = logging.getLogger(__name__)


def stale_before(settings: Settings, now: dt.datetime) -> dt.datetime:
    """Heartbeats older than this are of a dead worker."""
    return now - dt.timedelta(minutes=settings.workshop_stale_minutes)


def run_candidate(
    db: Session,
    candidate: WorkshopCandidate,
    settings: Settings,
    holder: str,
    checks: Sequence[Check] | None = None,
    on_tick: Callable[[], None] = lambda: None,
    **gate_options: Any,
) -> WorkshopCandidate:
    """Train a claimed candidate and run its gate (the full gate unless `checks` says;
    `gate_options` change the `GateContext`, e.g. the live model or the safety sets)."""
    folder = candidate_dir(settings.workshop_dir, candidate.id)
    folder.mkdir(parents=True, exist_ok=True)

    def progress(**changes: object) -> bool:
        on_tick()
        return candidates.report_progress(db, candidate, holder, utcnow(), **changes)

    try:
        data = write_data(folder, examples_from_snapshot(candidate.training_items or {}))
        progress(stage="Training: the bot is learning from the examples (a few minutes)")
        started = time.monotonic()
        model = train(
            folder,
            Path(candidate.config_path),
            lambda tail: progress(log_tail=tail),
            tick_seconds=min(settings.workshop_poll_seconds, 5.0),
        )
        candidate.train_seconds = round(time.monotonic() - started, 1)
        candidate.model_path = str(model)
        progress(
            status=TESTING,
            stage="Checking the new bot against the gate",
            log_tail=log_tail(folder / "train.log"),
        )
        context = GateContext(
            candidate_model=model,
            live_model=releases.live_model_path(db, settings.workshop_base_model),
            data_dir=data,
            config=Path(candidate.config_path),
            workdir=folder / "gate",
            youth_voice=youth_voice_examples(db),
        )
        for key, value in gate_options.items():
            setattr(context, key, value)
        report = run_gate(
            context, checks or full_gate(), lambda stage: _ignore(progress(stage=stage))
        )
    except (TrainingFailed, GateError, OSError) as problem:
        db.rollback()
        candidates.finish(
            db, candidate, holder, FAILED, utcnow(), "It could not be trained or checked",
            str(problem)[-2000:],
        )  # fmt: skip
        return candidate
    candidate.gate_report = report
    candidate.gate_complete = bool(report["complete"])
    if report["passed"]:
        stage = "Passed the gate: waiting for the safety lead to sign it off"
        if not report["complete"]:
            stage = "Passed the checks it ran, but not the whole gate: it cannot be released"
        candidates.finish(db, candidate, holder, PASSED, utcnow(), stage)
    else:
        candidates.finish(db, candidate, holder, BLOCKED, utcnow(), "Blocked by the gate")
    return candidate


def _ignore(_value: object) -> None:
    return None


def carry_out_releases(db: Session, settings: Settings, holder: str) -> int:
    """Carry out the releases and rollbacks asked for; how many. Holds the release lock."""
    now = utcnow()
    if releases.next_pending(db) is None:
        db.commit()  # ends the read: a SQLite snapshot kept open would refuse the next write
        return 0
    if not jobs.take_lock(db, RELEASE_LOCK, holder, now, stale_before(settings, now)):
        return 0
    done = 0
    try:
        token = settings.rasa_token.get_secret_value() if settings.rasa_token else None
        live = releases.LiveRasa(settings.rasa_url, token)
        while (release := releases.next_pending(db)) is not None:
            releases.carry_out(
                db, release, live, settings.workshop_dir, utcnow(), settings.workshop_base_model
            )
            done += 1
    finally:
        jobs.free_lock(db, RELEASE_LOCK, holder)
    return done


def run_once(db: Session, settings: Settings, holder: str) -> bool:
    """Carry out waiting releases, then train one waiting candidate; whether there was work."""
    released = carry_out_releases(db, settings, holder)
    if not candidates.work_waiting(db):
        db.commit()
        return released > 0
    now = utcnow()
    candidate = candidates.claim_next(db, holder, now, stale_before(settings, now))
    if candidate is None:
        return released > 0
    logger.info("training candidate %s", candidate.id)

    def between_steps() -> None:
        # A release asked for while a candidate trains need not wait for the training.
        carry_out_releases(db, settings, holder)

    run_candidate(db, candidate, settings, holder, on_tick=between_steps)
    logger.info("candidate %s: %s", candidate.id, candidate.status)
    return True


def _exit(_signum: int, _frame: FrameType | None) -> None:
    sys.exit(0)


def main() -> int:
    """Run until stopped (SIGTERM or Ctrl-C)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    holder = jobs.this_worker()
    # SIGTERM stops at once: a training under way is killed with its process group (in
    # `workshop.training.train`), and the next worker starts it again.
    signal.signal(signal.SIGTERM, _exit)
    logger.info("workshop worker %s: looking for work", holder)
    try:
        while True:
            with factory() as db:
                busy = run_once(db, settings, holder)
            if not busy:
                time.sleep(settings.workshop_poll_seconds)
    except KeyboardInterrupt:
        pass
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
