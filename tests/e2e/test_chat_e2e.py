"""The product end to end: real Rasa server, action server and API talking over HTTP."""

from __future__ import annotations

import json
import sqlite3
import uuid

import httpx
import pytest

from devkit.stack import Stack

pytestmark = pytest.mark.e2e

CRISIS_NUMBERS = {"999", "111", "0800 1111", "116 123", "85258"}


def chat(stack: Stack, text: str, conversation_id: str | None = None) -> dict:
    reply = httpx.post(
        f"{stack.api_url}/api/chat",
        json={"conversation_id": conversation_id or uuid.uuid4().hex, "text": text},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


def numbers_in(message: dict) -> set[str]:
    """Every number on a card: the contacts shown and those behind "more"."""
    found = set()
    for contact in message.get("contacts", []) + message.get("more_contacts", []):
        for route in contact.get("routes", []):
            found.add(route.get("value"))
        if contact.get("phone"):
            found.add(contact["phone"])
    return found


def test_health_reports_every_part_up(stack: Stack) -> None:
    health = httpx.get(f"{stack.api_url}/healthz", timeout=10).json()
    assert health == {
        "status": "ok",
        "components": {"rasa": "ok", "actions": "ok", "directory": "ok"},
    }


def test_greeting_is_answered_with_topics(stack: Stack) -> None:
    reply = chat(stack, "hiya")
    assert reply["intent"] == "greet"
    assert reply["crisis"] is False and reply["degraded"] is False
    assert reply["messages"][0]["type"] == "buttons"
    assert reply["messages"][0]["buttons"]


def test_lonely_is_recognised_acknowledged_and_signposted(stack: Stack) -> None:
    conversation = uuid.uuid4().hex
    first = chat(stack, "I feel really lonely", conversation)
    assert first["intent"] == "feeling_lonely"
    assert first["crisis"] is False
    types = [m["type"] for m in first["messages"]]
    assert types[0] == "text", first  # the acknowledgement
    assert "services" in types  # help straight away
    assert types[-1] == "buttons"  # then an optional question that makes it fit better
    # Skipping the questions keeps what was shown and asks nothing more.
    second = chat(stack, "/skip_question", conversation)
    third = chat(stack, "/skip_question", conversation)
    assert not any(m["type"] == "crisis" for m in second["messages"] + third["messages"])
    services = [m for m in first["messages"] if m["type"] == "services"]
    cards = services[0]["services"]
    assert 1 <= len(cards) <= 3
    for card in cards:
        assert card["name"] and card["summary"] and card["how_to_contact"]
        assert all(
            r["href"] is None or r["href"].startswith(("tel:", "sms:", "https:", "mailto:"))
            for r in card["how_to_contact"]
        )


def test_crisis_message_gets_the_crisis_response_first(stack: Stack) -> None:
    reply = chat(stack, "i dont want to be alive anymore")
    assert reply["crisis"] is True
    first = reply["messages"][0]
    assert first["type"] == "crisis"
    assert numbers_in(first) >= CRISIS_NUMBERS, numbers_in(first)
    assert reply["intent"] in {"suicidal_thoughts", "self_harm"}


def test_crisis_in_the_middle_of_the_form_interrupts_it(stack: Stack) -> None:
    conversation = uuid.uuid4().hex
    started = chat(stack, "people at school keep picking on me", conversation)
    assert started["messages"][-1]["type"] == "buttons"  # a form question
    reply = chat(stack, "honestly i want to kill myself", conversation)
    assert reply["crisis"] is True and reply["messages"][0]["type"] == "crisis"
    after = chat(stack, "/im_safe", conversation)
    assert after["crisis"] is False
    assert after["messages"][0]["type"] == "buttons"  # staying with them, not re-asking the form


def test_out_of_scope_is_answered_kindly_with_topics(stack: Stack) -> None:
    reply = chat(stack, "whats the capital of france")
    assert reply["intent"] in {"out_of_scope", "nlu_fallback"}
    assert reply["crisis"] is False
    assert reply["messages"][0]["type"] == "buttons"


def test_bad_input_is_rejected_with_the_field_named(stack: Stack) -> None:
    reply = httpx.post(
        f"{stack.api_url}/api/chat", json={"conversation_id": "short", "text": ""}, timeout=10
    )
    assert reply.status_code == 422
    fields = {e["field"] for e in reply.json()["detail"]}
    assert fields == {"conversation_id", "text"}


def test_the_tracker_store_keeps_intents_but_no_message_text(stack: Stack) -> None:
    chat(stack, "my name is Amira and I feel really lonely")
    with sqlite3.connect(stack.workdir / "tracker.db") as db:
        rows = [
            json.loads(r[0]) for r in db.execute("SELECT data FROM events WHERE type_name='user'")
        ]
    assert rows
    assert not any("Amira" in json.dumps(r) or "lonely" in r["text"] for r in rows)
    assert any(r["parse_data"]["intent"]["name"] == "feeling_lonely" for r in rows)


def test_with_rasa_stopped_the_reply_is_degraded_with_crisis_contacts(stack: Stack) -> None:
    stack.stop("rasa")
    try:
        ordinary = chat(stack, "I feel really lonely")
        assert ordinary["degraded"] is True and ordinary["intent"] is None
        assert ordinary["crisis"] is False
        way_out = [m for m in ordinary["messages"] if m["type"] == "contacts"]
        assert way_out and numbers_in(way_out[0]) >= CRISIS_NUMBERS

        crisis = chat(stack, "i want to end my life tonight")
        assert crisis["degraded"] is True
        assert crisis["crisis"] is True and crisis["messages"][0]["type"] == "crisis"
        assert numbers_in(crisis["messages"][0]) >= CRISIS_NUMBERS

        health = httpx.get(f"{stack.api_url}/healthz", timeout=10).json()
        assert health["status"] == "degraded" and health["components"]["rasa"] == "down"
    finally:
        stack.start_rasa()
        stack.wait_healthy()
