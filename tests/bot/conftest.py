"""Action tests run against a real directory database, each in a transaction rolled back after."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rasa_sdk import Tracker
from sqlalchemy.orm import Session, sessionmaker

from dialogue.responses import domain_responses
from services_directory.db import make_engine


@pytest.fixture(scope="session")
def directory_engine(curated_directory_url: str):
    engine = make_engine(curated_directory_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(directory_engine) -> Iterator[sessionmaker[Session]]:
    """Sessions joined to one outer transaction that is rolled back after the test."""
    connection = directory_engine.connect()
    transaction = connection.begin()
    yield sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    transaction.rollback()
    connection.close()


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return {"responses": domain_responses()}


def make_tracker(
    intent: str | None = None,
    text: str = "",
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
) -> Tracker:
    """A tracker whose latest message has `intent`, with the given slots and events."""
    latest = {"intent": {"name": intent, "confidence": 1.0}, "text": text, "entities": []}
    return Tracker(
        sender_id="test",
        slots=slots or {},
        latest_message=latest,
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )
