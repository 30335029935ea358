"""The scale path for real: directory and tracker store on PostgreSQL, lock store on Redis, and two
Rasa servers serving one conversation in turns (as behind a round-robin load balancer).

Runs when TEST_DATABASE_URL points at PostgreSQL (CI sets it); Redis must be on 127.0.0.1:6379.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from devkit.stack import Stack, free_port
from services_directory.curated import load_curated
from services_directory.db import make_engine, make_session_factory, migrate

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
        reason="needs TEST_DATABASE_URL pointing at PostgreSQL (set in CI)",
    ),
]


@pytest.fixture(scope="module")
def scratch_database() -> Iterator[str]:
    """A new PostgreSQL database for this module, dropped afterwards."""
    server = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"scale_{uuid.uuid4().hex[:10]}"
    admin = server.set(drivername="postgresql", database="postgres").render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def scaled(
    tmp_path_factory: pytest.TempPathFactory, scratch_database: str
) -> Iterator[list[Stack]]:
    server = make_url(os.environ["TEST_DATABASE_URL"])
    directory_url = server.set(database=scratch_database).render_as_string(False)
    migrate(directory_url)
    engine = make_engine(directory_url)
    with make_session_factory(engine)() as session, session.begin():
        load_curated(session)
    engine.dispose()

    workdir = tmp_path_factory.mktemp("scale")
    endpoints = workdir / "endpoints.scale.yml"
    endpoints.write_text((Path(__file__).parents[2] / "deploy/endpoints.scale.yml").read_text())
    first = Stack(workdir=workdir / "a", database_url=directory_url)
    first.workdir.mkdir()
    second = Stack(
        workdir=workdir / "b",
        database_url=directory_url,
        action_port=first.action_port,
        api_port=free_port(),
    )
    second.workdir.mkdir()
    environment = {
        "TRACKER_DB_HOST": server.host or "127.0.0.1",
        "TRACKER_DB_PORT": str(server.port or 5432),
        "TRACKER_DB_NAME": scratch_database,
        "TRACKER_DB_USER": server.username or "postgres",
        "TRACKER_DB_PASSWORD": server.password or "",
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": "6379",
    }
    for stack in (first, second):
        stack.extra_env = environment
        stack.endpoints_file = endpoints
    try:
        first.start()
        second.start(with_actions=False)
        yield [first, second]
    finally:
        second.stop_all()
        first.stop_all()


def test_one_conversation_served_by_two_rasa_servers_in_turns(scaled: list[Stack]) -> None:
    conversation = uuid.uuid4().hex
    turns = ["I feel really lonely", "/skip_question", "/skip_question"]
    replies = []
    for i, text in enumerate(turns):
        api = scaled[i % 2].api_url  # alternate between the two Rasa servers
        reply = httpx.post(
            f"{api}/api/chat", json={"conversation_id": conversation, "text": text}, timeout=30
        )
        assert reply.status_code == 200, reply.text
        replies.append(reply.json())
    assert replies[0]["intent"] == "feeling_lonely"
    assert not any(r["degraded"] for r in replies)
    assert any(m["type"] == "services" for m in replies[0]["messages"]), replies[0]
    # The conversation's state travelled between the servers through PostgreSQL: the second
    # server knew the first had asked for an age, so skipping it moves on to the area question,
    # and the first server then knew both were skipped and offers more or something else.
    assert '/inform{"locality": "online"}' in payloads(replies[1]), replies[1]
    assert "/show_more" in payloads(replies[2]), replies[2]


def payloads(reply: dict) -> set[str]:
    return {b["payload"] for m in reply["messages"] for b in m.get("buttons") or []}
