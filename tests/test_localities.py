"""The borough's localities have one source: while admins have defined none in the database, a
locality added to the localities file reaches the area question's buttons, the NLU's lookup table
and synonyms, the answer readers and the search."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.localities import place_names
from bot.actions.steps import StepRunner
from dialogue.answers import read_place
from dialogue.responses import domain_responses
from services_directory.db import make_engine, make_session_factory, migrate
from services_directory.errors import InvalidSearch
from services_directory.localities import load_localities
from services_directory.search import search

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "services_directory" / "data" / "localities.yml"


def generator():
    spec = importlib.util.spec_from_file_location(
        "generate_localities_nlu", ROOT / "scripts" / "generate_localities_nlu.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def added_locality(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The sample borough's localities file with one more locality, configured."""
    path = tmp_path / "localities.yml"
    path.write_text(
        SOURCE.read_text(encoding="utf-8")
        + "  - id: southbank\n"
        + "    name: South Bank\n"
        + "    postcode_districts: [SE1]\n"
        + "    aliases: [south bnk, Marlowe Walk]\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("LOCALITIES_FILE", str(path))
    return "southbank"


def test_a_new_locality_is_a_button_of_the_area_question(added_locality):
    message = StepRunner().area_question("utter_ask_locality", {"responses": domain_responses()})
    payloads = [b["payload"] for b in message["buttons"]]
    assert '/inform{"locality": "southbank"}' in payloads
    assert "South Bank" in [b["title"] for b in message["buttons"]]


def test_a_new_locality_is_in_the_nlu_lookup_and_synonyms(added_locality):
    data = generator().training_data(load_localities())
    synonyms = {item["synonym"]: item["examples"] for item in data["nlu"] if "synonym" in item}
    assert "South Bank" in synonyms["southbank"] and "Marlowe Walk" in synonyms["southbank"]
    lookup = next(item["examples"] for item in data["nlu"] if item.get("lookup") == "locality")
    assert "- South Bank\n" in lookup and "- marlowe walk\n" in lookup


def test_a_new_locality_is_read_in_typed_answers(added_locality):
    names, districts = place_names()
    assert read_place("i live near south bank", names, districts) == "southbank"
    assert "SE1" in districts


def test_a_new_locality_is_a_place_the_search_knows(added_locality, tmp_path):
    # A database whose admins have defined no localities yet reads the localities file (one
    # with localities, such as the curated directory's, is tested in test_localities_db*.py).
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    migrate(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        assert search(session, locality="southbank") == []
        with pytest.raises(InvalidSearch):
            search(session, locality="atlantis")
    engine.dispose()


def test_the_sample_borough_is_the_default():
    assert list(load_localities()) == ["northgate", "riverside", "millfield", "eastwick"]
    dispatcher = CollectingDispatcher()
    assert dispatcher.messages == []
