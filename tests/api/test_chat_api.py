"""The chat API in-process, with Rasa genuinely unreachable (nothing listens on its port)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.apps import client_without_rasa

CRISIS_NUMBERS = {"999", "111", "0800 1111", "116 123", "85258"}


@pytest.fixture
def client(curated_directory_url: str) -> Iterator[TestClient]:
    with client_without_rasa(curated_directory_url, rasa_timeout_seconds=2) as test_client:
        yield test_client


def route_values(message: dict) -> set[str]:
    """Every number on a card: the contacts shown and those behind "more"."""
    everyone = message["contacts"] + message.get("more_contacts", [])
    return {r["value"] for c in everyone for r in c["routes"]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "hi"}, "conversation_id"),
        ({"conversation_id": "abcdefgh"}, "text"),
        ({"conversation_id": "abc", "text": "hi"}, "conversation_id"),
        ({"conversation_id": "a" * 65, "text": "hi"}, "conversation_id"),
        ({"conversation_id": "abc def gh", "text": "hi"}, "conversation_id"),
        ({"conversation_id": "abcdefgh", "text": ""}, "text"),
        ({"conversation_id": "abcdefgh", "text": "   "}, "text"),
        ({"conversation_id": "abcdefgh", "text": "x" * 1001}, "text"),
        ({"conversation_id": "abcdefgh", "text": "hi", "extra": 1}, "extra"),
    ],
)
def test_bad_input_is_422_naming_the_field(client: TestClient, body: dict, field: str) -> None:
    reply = client.post("/api/chat", json=body)
    assert reply.status_code == 422
    errors = reply.json()["detail"]
    assert [e["field"] for e in errors] == [field]
    assert errors[0]["message"]


def test_not_json_is_422(client: TestClient) -> None:
    reply = client.post("/api/chat", content=b"hello", headers={"content-type": "text/plain"})
    assert reply.status_code == 422


def test_rasa_down_gives_a_degraded_answer_with_a_way_out(client: TestClient) -> None:
    reply = client.post("/api/chat", json={"conversation_id": "abcdefgh", "text": "im so bored"})
    assert reply.status_code == 200
    body = reply.json()
    assert body["degraded"] is True and body["crisis"] is False and body["intent"] is None
    assert body["messages"][-1]["type"] == "contacts"
    assert route_values(body["messages"][-1]) >= CRISIS_NUMBERS


def test_rasa_down_crisis_still_gets_the_crisis_response_first(client: TestClient) -> None:
    reply = client.post(
        "/api/chat", json={"conversation_id": "abcdefgh", "text": "i'm going to kill myself"}
    )
    body = reply.json()
    assert body["degraded"] is True and body["crisis"] is True
    assert body["messages"][0]["type"] == "crisis"
    assert route_values(body["messages"][0]) >= CRISIS_NUMBERS


def test_health_names_what_is_down(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["components"] == {"rasa": "down", "actions": "down", "directory": "ok"}


def test_chat_page_shows_crisis_contacts_without_javascript(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "tel:08001111" in page.text and "tel:999" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_a_broken_safety_screen_does_not_take_the_chat_down(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(text: str):
        raise ValueError("lexicon unreadable")

    monkeypatch.setattr("api.conversation.screen", broken)
    reply = client.post("/api/chat", json={"conversation_id": "abcdefgh", "text": "hello"})
    assert reply.status_code == 200
    assert reply.json()["messages"][-1]["type"] == "contacts"
