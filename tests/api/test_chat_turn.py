"""Every branch of `ChatTurn.run` with a stand-in Rasa (the real processes are tested end to end
in tests/e2e): the crisis card forced first, a model-only risk intent, the check, risk held,
actions down with Rasa up, Rasa down with a possible signal, an empty reply."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from api.conversation import ChatTurn
from api.rasa_client import RasaTurn, RasaUnavailable
from dialogue.responses import domain_responses
from services_directory.crisis import crisis_contacts

CARD = {"type": "crisis", "kind": "suicide", "text": "card", "contacts": [{"name": "999"}]}
CHECK = {"type": "risk_check", "text": "check", "buttons": [], "contacts": [{"name": "999"}]}


class FakeRasa:
    """Answers every turn with the given replies, intent and slots (or is down)."""

    def __init__(self, replies=None, intent="greet", slots=None, down=False) -> None:
        self.replies = replies or []
        self.intent = intent
        self.slots = slots or {}
        self.down = down

    async def send(self, sender_id: str, text: str) -> RasaTurn:
        if self.down:
            raise RasaUnavailable("ConnectError")
        return RasaTurn(
            replies=self.replies, intent=self.intent, intent_confidence=0.9, slots=self.slots
        )


def run(rasa: FakeRasa, text: str, actions_up: bool = True) -> dict[str, Any]:
    async def main() -> dict[str, Any]:
        health = httpx.MockTransport(lambda request: httpx.Response(200 if actions_up else 503))
        async with httpx.AsyncClient(transport=health) as http:
            turn = ChatTurn(
                rasa=rasa,  # type: ignore[arg-type]
                http=http,
                action_health_url="http://actions.invalid/health",
                responses=domain_responses(),
                contacts=lambda: [c.to_dict() for c in crisis_contacts(None)],
                secret="k",
                timeout=5,
            )
            return await turn.run("conversation-1", text)

    return asyncio.run(main())


def types(reply: dict[str, Any]) -> list[str]:
    return [m["type"] for m in reply["messages"]]


def test_a_crisis_the_screen_sees_gets_the_card_first_whatever_rasa_said():
    reply = run(FakeRasa([{"text": "hi there"}], intent="greet"), "i want to kill myself")
    assert reply["crisis"] is True and types(reply) == ["crisis", "text"]
    assert not reply["degraded"]


def test_a_risk_intent_of_the_model_alone_gets_the_card_first():
    reply = run(FakeRasa([{"text": "ok"}], intent="self_harm"), "something happened again")
    assert reply["crisis"] is True and types(reply)[0] == "crisis"


def test_rasas_own_card_is_not_doubled():
    reply = run(FakeRasa([{"custom": CARD}], intent="suicidal_thoughts"), "i want to kill myself")
    assert types(reply) == ["crisis"] and reply["messages"][0] == CARD


def test_the_kind_direct_question_is_not_overridden_and_is_never_also_a_crisis():
    reply = run(FakeRasa([{"custom": CHECK}], intent="suicidal_thoughts"), "kms this game lol")
    assert reply["risk_check"] is True and reply["crisis"] is False
    assert types(reply) == ["risk_check"]


def test_a_signal_already_answered_no_is_not_forced():
    slots = {"checked": ["model:suicidal_thoughts"]}
    reply = run(FakeRasa([{"text": "fair"}], intent="suicidal_thoughts", slots=slots), "ugh")
    assert reply["crisis"] is False and types(reply) == ["text"]


def test_after_a_disclosure_every_reply_keeps_the_contacts():
    slots = {"risk_expressed": True, "age": 20}
    reply = run(FakeRasa([{"text": "you're welcome"}], intent="thank_you", slots=slots), "thx")
    assert types(reply) == ["text", "contacts"]
    names = {c["name"] for c in reply["messages"][1]["contacts"]}
    assert "999 emergency services" in names and "Childline" not in names  # they are 20


def test_an_empty_reply_still_says_something():
    reply = run(FakeRasa([], intent="nlu_fallback"), "???")
    assert len(reply["messages"]) == 1 and reply["messages"][0]["text"]


def test_actions_down_with_rasa_up_is_degraded_with_a_way_out():
    reply = run(FakeRasa([{"text": "hello"}]), "hello", actions_up=False)
    assert reply["degraded"] is True and reply["crisis"] is False
    assert types(reply) == ["text", "contacts"]


@pytest.mark.parametrize("text", ["i keep thinking about ending it", "i want to kill myself"])
def test_rasa_down_a_possible_or_certain_signal_gets_the_card(text):
    reply = run(FakeRasa(down=True), text)
    assert reply["degraded"] is True and reply["crisis"] is True
    assert types(reply)[:2] == ["crisis", "text"]  # the card, then the honest note
    assert reply["intent"] is None


def test_rasa_down_an_ordinary_message_gets_an_honest_note_and_the_contacts():
    reply = run(FakeRasa(down=True), "what youth clubs are there")
    assert reply["degraded"] is True and reply["crisis"] is False
    assert types(reply) == ["contacts"]


def test_someone_elses_danger_gets_the_helpers_card_when_rasa_is_down():
    reply = run(FakeRasa(down=True), "my brother took a load of pills and wont wake up")
    assert reply["crisis"] is True and reply["messages"][0]["kind"] == "helper"
