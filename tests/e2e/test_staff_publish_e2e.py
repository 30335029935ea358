"""A change published in the back office reaches a young person's chat: the real Rasa server,
action server and API as processes, on a directory of their own (the shared one is only read)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.orm import Session

from devkit.stack import Stack, build_curated_directory
from services_directory.accounts import StaffUser
from services_directory.db import make_engine, make_session_factory
from services_directory.models import Service
from staff import drafts
from staff.policy import Role
from staff.service_document import read_document

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("publish")
    url = build_curated_directory(folder / "directory.db")
    live = Stack(workdir=folder, database_url=url)
    try:
        live.start()
        yield live
    finally:
        live.stop_all()


def _lonely_cards(stack: Stack) -> list[dict]:
    reply = httpx.post(
        f"{stack.api_url}/api/chat",
        json={"conversation_id": uuid.uuid4().hex, "text": "I feel really lonely"},
        timeout=30,
    ).json()
    assert reply["intent"] == "feeling_lonely", reply
    return [c for m in reply["messages"] if m["type"] == "services" for c in m["services"]]


def _person(db: Session, role: Role, organisation_id: str | None) -> StaffUser:
    user = StaffUser(
        id=str(uuid.uuid4()),
        email=f"{uuid.uuid4().hex[:8]}@example.org",
        display_name=role.label,
        role=role.value,
        organisation_id=organisation_id,
        active=True,
    )
    db.add(user)
    db.flush()
    return user


def test_an_approved_change_is_in_the_next_chat_reply(own_stack: Stack) -> None:
    card = _lonely_cards(own_stack)[0]
    summary = "Someone to talk to on weekday evenings (changed in the back office)"
    assert card["summary"] != summary
    engine = make_engine(own_stack.database_url)
    now = dt.datetime.now(dt.UTC)
    try:
        with make_session_factory(engine)() as db, db.begin():
            service = db.get(Service, card["id"])
            assert service is not None
            editor = _person(db, Role.ORGANISATION_EDITOR, service.organization_id)
            reviewer = _person(db, Role.REVIEWER, None)
            proposed = read_document(db, service) | {"summary": summary}
            draft = drafts.propose(db, editor, service, proposed, "Clearer summary", now)
        # Not yet approved: the chat still shows the published card.
        assert (
            next(c for c in _lonely_cards(own_stack) if c["id"] == card["id"])["summary"]
            == (card["summary"])
        )
        with make_session_factory(engine)() as db, db.begin():
            assert drafts.approve(
                db, db.get(StaffUser, reviewer.id), db.get(type(draft), draft.id), now
            )
    finally:
        engine.dispose()
    shown = next(c for c in _lonely_cards(own_stack) if c["id"] == card["id"])
    assert shown["summary"] == summary
