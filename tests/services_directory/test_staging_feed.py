"""The scheduled re-import of the configured feed, against a real HTTP server on a free local
port: fetched, staged, and published by itself only when the admins chose so; refused when too
large or missing."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from services_directory.accounts import StaffAuditEvent
from services_directory.import_models import BatchStatus
from services_directory.io.feeds import feed_named
from services_directory.models import Service
from settings.app import Settings
from staff import feed_import, scheduler
from tests.services_directory.feeds.messy import messy_feed


class FeedServer:
    """Serves `body` at /feed.json (and 404 elsewhere), counting the requests."""

    def __init__(self) -> None:
        self.body = json.dumps(messy_feed()).encode()
        self.requests = 0
        self.declare_length = True
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                server.requests += 1
                if self.path != "/feed.json":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                if server.declare_length:
                    self.send_header("Content-Length", str(len(server.body)))
                else:
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, *_args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def settings_for(url: str, **values: Any) -> Settings:
    return Settings(
        environment="test",
        staff_secret_key="test-only-staff-key",  # type: ignore[arg-type]
        feed_url=url,
        feed_name="council",
        **values,
    )


def test_the_feed_is_fetched_and_staged_for_review(
    db: tuple[Session, sessionmaker[Session]], feed_server: FeedServer
) -> None:
    session, factory = db
    batch = feed_import.run(settings_for(f"{feed_server.url}/feed.json"), factory)
    assert batch is not None and batch.status == BatchStatus.STAGED
    assert batch.staged_by == feed_import.ACTOR_LABEL and feed_server.requests == 1
    assert (batch.counts or {})["invalid_services"] == 2
    assert session.scalar(select(func.count()).select_from(Service)) == 0  # waits for review
    actions = session.scalars(select(StaffAuditEvent.action)).all()
    assert "import.staged" in actions


def test_it_publishes_by_itself_when_the_admins_chose_so(
    db: tuple[Session, sessionmaker[Session]], feed_server: FeedServer
) -> None:
    session, factory = db
    settings = settings_for(f"{feed_server.url}/feed.json")
    feed_named(session, "council").auto_publish = True
    session.commit()
    batch = feed_import.run(settings, factory)
    assert batch is not None and batch.status == BatchStatus.PUBLISHED
    assert session.scalar(select(func.count()).select_from(Service)) == 4
    detail = session.scalar(
        select(StaffAuditEvent.detail).where(StaffAuditEvent.action == "import.published")
    )
    assert detail and detail.startswith("4 services created")


def test_a_feed_too_large_or_missing_is_refused(
    db: tuple[Session, sessionmaker[Session]], feed_server: FeedServer
) -> None:
    _session, factory = db
    feed_server.body = b"x" * (1024 * 1024 + 10)
    with pytest.raises(feed_import.FeedFetchFailed, match="larger than"):
        feed_import.run(settings_for(f"{feed_server.url}/feed.json", feed_max_mb=1), factory)
    feed_server.declare_length = False  # streamed: refused once the bytes pass the limit
    with pytest.raises(feed_import.FeedFetchFailed, match="larger than"):
        feed_import.run(settings_for(f"{feed_server.url}/feed.json", feed_max_mb=1), factory)
    with pytest.raises(feed_import.FeedFetchFailed, match="answered 404"):
        feed_import.run(settings_for(f"{feed_server.url}/missing.json"), factory)


def test_the_scheduler_runs_the_feed_import_when_configured() -> None:
    quiet = scheduler.build_scheduler(settings_for("http://127.0.0.1:9/feed.json"))
    assert quiet.get_job(scheduler.FEED_JOB) is None
    timed = scheduler.build_scheduler(
        settings_for("http://127.0.0.1:9/feed.json", feed_import_cron="30 5 * * *")
    )
    job = timed.get_job(scheduler.FEED_JOB)
    assert job is not None and "hour='5'" in str(job.trigger)
