"""Rasa's tracker store, made private: no message text stored by default, redacted when asked,
postcodes kept as districts only, and old conversations deleted."""

from __future__ import annotations

import time

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import NOT_STORED, RedactingSQLTrackerStore, private_event_dict

TEXT = "my name is Amira, call me on 07700 900123, i live at 12 Hatherby Road E1 6AN"


def user_event(text: str = TEXT) -> dict:
    parse = {
        "text": text,
        "intent": {"name": "inform", "confidence": 0.9},
        "entities": [{"entity": "postcode", "value": "E1 6AN"}],
    }
    return {"event": "user", "text": text, "parse_data": parse}


def test_no_text_is_stored_by_default():
    stored = private_event_dict(user_event(), "none")
    assert stored["text"] == NOT_STORED and stored["parse_data"]["text"] == NOT_STORED
    assert stored["parse_data"]["intent"]["name"] == "inform"


def test_redacted_text_keeps_no_identifying_detail():
    stored = private_event_dict(user_event(), "redacted")
    for detail in ("Amira", "07700", "Hatherby", "6AN"):
        assert detail not in stored["text"] and detail not in stored["parse_data"]["text"]


def test_a_postcode_is_kept_as_its_district_only():
    stored = private_event_dict(user_event(), "none")
    assert stored["parse_data"]["entities"][0]["value"] == "E1"


def test_other_events_and_the_original_are_untouched():
    slot = {"event": "slot", "name": "age", "value": 14}
    assert private_event_dict(slot, "none") == slot
    original = user_event()
    private_event_dict(original, "none")
    assert original["text"] == TEXT


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("MESSAGE_TEXT_STORAGE", "none")
    monkeypatch.setenv("CONVERSATION_RETENTION_HOURS", "1")
    return RedactingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))


def test_the_store_saves_no_text_and_forgets_old_conversations(store):
    import asyncio

    tracker = DialogueStateTracker.from_events(
        "someone", [UserUttered(TEXT, {"name": "inform", "confidence": 0.9}), SlotSet("age", 14)]
    )
    asyncio.run(store.save(tracker))
    with store.session_scope() as session:
        rows = [r.data for r in session.query(store.SQLEvent).all()]
    assert rows and not any("Amira" in row for row in rows)
    assert store.retention_seconds == 3600
    assert store.purge_older_than(time.time() + 1) == len(rows)


def test_an_unknown_text_mode_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("MESSAGE_TEXT_STORAGE", "everything")
    with pytest.raises(ValueError, match="MESSAGE_TEXT_STORAGE"):
        RedactingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
