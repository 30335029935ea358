"""The scheduler process of the Procfile: runs the weekly reminder digest (`staff.digest`) at
`STAFF_DIGEST_DAY` / `STAFF_DIGEST_HOUR`, London time, with APScheduler; and, when `FEED_URL` and
`FEED_IMPORT_CRON` are set, the re-import of the council's feed (`staff.feed_import`).

    python -m staff.scheduler

Where cron is used instead, run `python -m staff.digest` (or `make digest`) weekly and leave this
process out: the digest skips organisations already sent one that week, so both at once are safe.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from services_directory.schedules import LONDON
from settings.app import Settings, get_settings
from staff import digest, feed_import

logger = logging.getLogger(__name__)
DIGEST_JOB = "freshness-digest"
FEED_JOB = "feed-import"
MISFIRE_GRACE_SECONDS = 6 * 3600  # down at the hour (a restart): still send it that morning


def digest_trigger(settings: Settings) -> CronTrigger:
    """Weekly, on the day and at the hour of the settings, London time."""
    return CronTrigger(
        day_of_week=settings.staff_digest_day,
        hour=settings.staff_digest_hour,
        minute=0,
        timezone=LONDON,
    )


def run_digest(settings: Settings) -> None:
    """The job: one digest run (an error is logged; the process keeps going)."""
    report = digest.run(settings)
    logger.info("reminder digest: %s", report.summary())


def run_feed_import(settings: Settings) -> None:
    """The job: fetch and stage the council's feed (an error is logged; the process keeps
    going)."""
    try:
        batch = feed_import.run(settings)
    except feed_import.FeedFetchFailed as exc:
        logger.error("feed import: %s", exc)
        return
    if batch is not None:
        logger.info("feed import: batch %s %s", batch.id, batch.status)


def build_scheduler(settings: Settings) -> BlockingScheduler:
    """A scheduler with the digest job (and the feed's re-import when set), not started."""
    scheduler = BlockingScheduler(timezone=LONDON)
    scheduler.add_job(
        run_digest,
        digest_trigger(settings),
        args=[settings],
        id=DIGEST_JOB,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
    )
    if settings.feed_url and settings.feed_import_cron:
        scheduler.add_job(
            run_feed_import,
            CronTrigger.from_crontab(settings.feed_import_cron, timezone=LONDON),
            args=[settings],
            id=FEED_JOB,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
        )
    return scheduler


def main() -> int:
    """Run until stopped (SIGTERM or Ctrl-C)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    scheduler = build_scheduler(settings)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    logger.info(
        "reminder digest every %s at %02d:00 (Europe/London)",
        settings.staff_digest_day,
        settings.staff_digest_hour,
    )
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C in a terminal
        scheduler.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
