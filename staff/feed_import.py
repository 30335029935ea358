"""The scheduled re-import of the council's configured feed (`FEED_URL`): fetched over HTTP with
a timeout and a size limit, staged, and published by itself only when the council's admins chose
so on the imports page (else it waits there for review).

    python -m staff.feed_import [--database-url URL]

For cron (`make feed-import`), and the job of the scheduler process (`staff.scheduler`) at
`FEED_IMPORT_CRON`. Staging the feed again makes an older batch still waiting stale.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from urllib.parse import urlsplit

import httpx
from sqlalchemy.orm import Session, sessionmaker

from services_directory.db import make_engine, make_session_factory
from services_directory.import_models import BatchStatus, ImportBatch, ImportFeed
from services_directory.io import staging
from services_directory.models import utcnow
from settings.app import Settings, get_settings
from staff import imports

logger = logging.getLogger(__name__)
ACTOR_LABEL = "scheduled feed import"
MAX_REDIRECTS = 5


class FeedFetchFailed(Exception):
    """The feed could not be fetched (unreachable, an error status, too slow or too large)."""


def fetch(url: str, *, timeout: float, max_bytes: int) -> bytes:
    """The feed's bytes; `FeedFetchFailed` past `timeout` seconds or `max_bytes` bytes."""
    if urlsplit(url).scheme not in {"http", "https"}:
        raise FeedFetchFailed(f"FEED_URL must be an http(s) address: {url}")
    body = bytearray()
    try:
        with (
            httpx.Client(
                timeout=timeout, follow_redirects=True, max_redirects=MAX_REDIRECTS
            ) as client,
            client.stream("GET", url, headers={"Accept": "application/json"}) as response,
        ):
            if response.status_code >= 400:
                raise FeedFetchFailed(f"{url} answered {response.status_code}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FeedFetchFailed(f"{url} is larger than {max_bytes} bytes")
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > max_bytes:
                    raise FeedFetchFailed(f"{url} is larger than {max_bytes} bytes")
    except httpx.HTTPError as exc:
        raise FeedFetchFailed(f"{url} could not be fetched: {type(exc).__name__}: {exc}") from exc
    return bytes(body)


def run(settings: Settings, sessions: sessionmaker[Session] | None = None) -> ImportBatch | None:
    """Fetch, stage and check the configured feed; publish it when its admins chose so.
    Returns the batch (None when no FEED_URL is set)."""
    if not settings.feed_url:
        return None
    payload = fetch(
        settings.feed_url,
        timeout=settings.feed_timeout_seconds,
        max_bytes=settings.feed_max_mb * 1024 * 1024,
    )
    engine = None
    if sessions is None:
        engine = make_engine(settings.database_url)
        sessions = make_session_factory(engine)
    source = urlsplit(settings.feed_url).path.rsplit("/", 1)[-1] or settings.feed_url
    try:
        with sessions() as db, db.begin():
            now = utcnow()
            batch = imports.stage(
                db,
                None,
                feed_name=settings.feed_name,
                source=source,
                payload=payload,
                now=now,
                actor_label=ACTOR_LABEL,
                url=settings.feed_url,
            )
            staging.check_batch(db, batch.id, now)
            feed = db.get(ImportFeed, batch.feed_id)
            if feed is not None and feed.auto_publish and batch.status == BatchStatus.STAGED:
                imports.publish(db, None, batch.id, now, actor_label=ACTOR_LABEL)
            db.refresh(batch)
        return batch
    finally:
        if engine is not None:
            engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    """Run once; returns the exit status."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="python -m staff.feed_import", description=__doc__)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    settings = get_settings()
    if args.database_url:
        settings = settings.model_copy(update={"database_url": args.database_url})
    if not settings.feed_url:
        print("no FEED_URL is set: nothing to import", file=sys.stderr)
        return 2
    try:
        batch = run(settings)
    except FeedFetchFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    assert batch is not None
    print(f"batch {batch.id}: {batch.status}; {imports.counts_detail(batch.counts)}")
    return 0 if batch.status in {BatchStatus.STAGED, BatchStatus.PUBLISHED} else 1


if __name__ == "__main__":
    sys.exit(main())
