"""After an admin adds a locality in the back office, with no restart: the bot's area question
shows it as a button, a young person's typed answer names it, the search places services and
postcodes in it, the service form offers it, and the NLU's training data has its names (SQLite,
and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import importlib.util
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from bot.actions.steps import StepRunner
from bot.actions.turns import build_turn
from dialogue.responses import domain_responses
from services_directory.curated import curated_id, load_curated
from services_directory.db import make_engine, make_session_factory, migrate
from services_directory.errors import InvalidSearch
from services_directory.localities import load_localities
from services_directory.locality_edit import create_locality
from services_directory.locality_rules import LocalityValues
from services_directory.models import (
    Address,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
)
from services_directory.search import search
from staff.policy import Role
from tests.staff.helpers import HTML, FakeClock, make_user, post_form, sign_in

ROOT = Path(__file__).resolve().parents[2]
NEW = {"name": "South Bank", "id": "southbank", "districts": "SE1", "aliases": "Marlowe Walk"}
IMPORTED = "Bankside Youth Drop-in (imported, example)"


def imported_service_at(db: Session, postcode: str) -> str:
    """A service as a feed brings it: no profile, no locality tag, an address with a postcode."""
    org, sid, loc = (str(uuid.uuid4()) for _ in range(3))
    db.add(Organization(id=org, name="Bankside Trust (example)"))
    db.flush()
    db.add(Service(id=sid, organization_id=org, name=IMPORTED, status="active"))
    db.add(Location(id=loc, name="Bankside hall"))
    db.flush()
    db.add(ServiceAtLocation(id=str(uuid.uuid4()), service_id=sid, location_id=loc))
    db.add(
        Address(
            id=str(uuid.uuid4()), location_id=loc, address_1="1 Example Walk", postal_code=postcode
        )
    )
    db.flush()
    return sid


def area_buttons(factory: sessionmaker[Session]) -> list[str]:
    runner = StepRunner(session_factory=factory)
    message = runner.area_question("utter_ask_locality", {"responses": domain_responses()})
    return [b["title"] for b in message["buttons"]]


def test_a_locality_added_in_the_back_office_reaches_the_chat_search_and_form(
    client: TestClient,
    db: Session,
    db_pair: tuple[Session, sessionmaker[Session]],
    clock: FakeClock,
) -> None:
    load_curated(db)
    sid = imported_service_at(db, "SE1 7PB")
    # Before: no such place; the service reads as national (it has no locality).
    assert "South Bank" not in area_buttons(db_pair[1])
    with pytest.raises(InvalidSearch):
        search(db, locality="southbank")
    before = search(db, text="Bankside", postcode="SE1 7PB", limit=5)
    assert [r.name for r in before] == [IMPORTED]
    assert not any("South Bank" in reason for r in before for reason in r.reasons)

    sign_in(client, make_user(db, "admin@example.org", Role.COUNCIL_ADMIN), clock)
    assert post_form(client, "/staff/localities/new", NEW).status_code == 303

    # The bot's area question (the action server's own function) shows it as a button.
    assert "South Bank" in area_buttons(db_pair[1])
    # The search places postcodes and the imported service in it.
    found = search(db, locality="southbank", text="Bankside", limit=5)
    assert [r.name for r in found] == [IMPORTED]
    assert any("South Bank" in reason for reason in found[0].reasons)
    by_postcode = search(db, text="Bankside", postcode="SE1 7PB", limit=5)
    assert [r.name for r in by_postcode] == [IMPORTED]
    assert search(db, text="Bankside", postcode="E14 2AA", limit=5) == []  # local elsewhere now
    # The service edit form offers it.
    own = curated_id("eastbridge-youth-counselling")
    form = client.get(f"/staff/services/{own}/edit", headers=HTML)
    assert form.status_code == 200
    assert 'value="southbank"' in form.text and "South Bank" in form.text
    assert sid  # (the imported service stays untagged: it is placed by its postcode)


def test_a_typed_name_is_read_by_the_actions_at_once(
    db: Session, db_pair: tuple[Session, sessionmaker[Session]]
) -> None:
    from tests.bot.conftest import make_tracker

    create_locality(db, LocalityValues("South Bank", ["SE1"], [], "southbank"))
    runner = StepRunner(session_factory=db_pair[1])
    turn = build_turn(make_tracker("inform", "i live in south bank"), runner.localities())
    assert turn.answer.place == "southbank"


def generator():
    spec = importlib.util.spec_from_file_location(
        "generate_localities_nlu", ROOT / "scripts" / "generate_localities_nlu.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_next_training_reads_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'directory.db'}"
    migrate(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as db, db.begin():
        create_locality(db, LocalityValues("South Bank", ["SE1"], ["Marlowe Walk"], "southbank"))
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)  # as train.sh's generator runs: the configured DB
    data = generator().training_data(load_localities())
    synonyms = {item["synonym"]: item["examples"] for item in data["nlu"] if "synonym" in item}
    assert "Marlowe Walk" in synonyms["southbank"]
    assert "northgate" in synonyms  # the seeded sample borough stays
