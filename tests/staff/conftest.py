"""Fixtures of the staff tests: the app in-process against a real database (SQLite, and
PostgreSQL when TEST_DATABASE_URL is set), whose every write is rolled back after the test; a
clock the test moves; a real SMTP server on a free port (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from api.main import create_app
from api.routes.staff.deps import get_clock
from devkit.stack import free_port
from services_directory.accounts import (
    StaffAuditEvent,
    StaffInvitation,
    StaffSession,
    StaffSignInFailure,
    StaffUser,
)
from services_directory.db import make_session_factory
from settings.app import Settings
from tests.services_directory.dbtest import BACKENDS, migrated_engine, rolled_back_session
from tests.staff.helpers import FakeClock


@pytest.fixture(scope="session", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A database migrated to head, per backend."""
    engine = migrated_engine(request.param, tmp_path_factory.mktemp(f"staff-{request.param}"))
    yield engine
    engine.dispose()


@pytest.fixture
def db_pair(engine: Engine) -> Iterator[tuple[Session, sessionmaker[Session]]]:
    with rolled_back_session(engine) as pair:
        yield pair


@pytest.fixture
def db(db_pair: tuple[Session, sessionmaker[Session]]) -> Session:
    """A session whose writes (and the app's) are rolled back after the test."""
    return db_pair[0]


@pytest.fixture
def committing(engine: Engine) -> Iterator[Callable[[], Session]]:
    """Makes sessions on connections of their own whose commits are real, to interleave two
    requests as two database clients would. The staff tables are emptied afterwards; the audit
    log cannot be, so a test must roll back anything that would write to it."""

    def audit_entries(db: Session) -> int:
        return int(db.scalar(select(func.count()).select_from(StaffAuditEvent)) or 0)

    factory = make_session_factory(engine)
    made: list[Session] = []

    def session() -> Session:
        made.append(factory())
        return made[-1]

    with factory() as db:
        before = audit_entries(db)
    yield session
    for db in made:
        db.close()
    with factory() as db, db.begin():
        for table in (StaffSignInFailure, StaffSession, StaffInvitation, StaffUser):
            db.execute(delete(table))
        left = audit_entries(db) - before
    assert left == 0, f"{left} audit entries committed: nothing can remove them"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


class Inbox:
    """Keeps every message the SMTP server receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on 127.0.0.1 and a free port; yields its inbox and port."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def make_app(engine: Engine, tmp_path: Any, **overrides: Any) -> FastAPI:
    """The app with test settings (Secure cookies, as in production), on `engine`'s database."""
    values: dict[str, Any] = {
        "environment": "test",
        "staff_secret_key": "test-only-staff-key",
        "database_url": engine.url.render_as_string(hide_password=False),
        "mail_outbox_dir": tmp_path / "outbox",
        "rasa_url": "http://127.0.0.1:9",
        "action_server_url": "http://127.0.0.1:9/webhook",
    }
    values.update(overrides)
    return create_app(Settings(**values))


@pytest.fixture
def app_factory(
    engine: Engine,
    db_pair: tuple[Session, sessionmaker[Session]],
    clock: FakeClock,
    tmp_path: Any,
) -> Iterator[Any]:
    """Makes started test clients (https, so Secure cookies are sent) whose requests use the
    test's rolled-back connection and clock."""
    clients: list[TestClient] = []

    def build(**overrides: Any) -> TestClient:
        app = make_app(engine, tmp_path, **overrides)
        app.dependency_overrides[get_clock] = lambda: clock
        client = TestClient(app, base_url="https://testserver", follow_redirects=False)
        client.__enter__()
        app.state.session_factory = db_pair[1]
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(app_factory: Any) -> TestClient:
    """A browser-like client of the app."""
    return app_factory()
