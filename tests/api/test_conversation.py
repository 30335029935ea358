"""Pure parts of a chat turn: pseudonyms and the translation of Rasa's replies."""

from __future__ import annotations

from api.conversation import pseudonym, to_contract_message


def test_pseudonym_is_stable_keyed_and_not_the_id() -> None:
    first = pseudonym("conversation-123", "key-a")
    assert first == pseudonym("conversation-123", "key-a")
    assert first != pseudonym("conversation-123", "key-b")
    assert first != pseudonym("conversation-124", "key-a")
    assert "conversation" not in first and len(first) == 32


def test_text_buttons_and_custom_replies_become_contract_messages() -> None:
    assert to_contract_message({"recipient_id": "x", "text": "hi"}) == {
        "type": "text",
        "text": "hi",
    }
    assert to_contract_message({"text": "pick", "buttons": [{"title": "A", "payload": "/a"}]}) == {
        "type": "buttons",
        "text": "pick",
        "buttons": [{"title": "A", "payload": "/a"}],
    }
    card = {"type": "services", "services": []}
    assert to_contract_message({"custom": card}) == card


def test_unknown_custom_types_and_empty_replies_are_dropped() -> None:
    assert to_contract_message({"custom": {"type": "script", "src": "x"}}) is None
    assert to_contract_message({"image": "https://example.org/x.png"}) is None


def test_turns_queue_in_order_with_at_most_n_at_rasa() -> None:
    """The limiter in front of Rasa: never more than N turns in flight, the rest in arrival order.

    Unit test of the queue only: the Rasa client is a stand-in that records what reaches it (the
    real processes are exercised by tests/e2e and measured by `make bench`).
    """
    import asyncio

    import httpx

    from api.conversation import ChatTurn
    from api.rasa_client import RasaTurn

    class RecordingRasa:
        def __init__(self) -> None:
            self.in_flight = self.most = 0
            self.order: list[str] = []

        async def send(self, sender_id: str, text: str) -> RasaTurn:
            self.order.append(text)
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            await asyncio.sleep(0.01)
            self.in_flight -= 1
            reply = [{"text": f"reply {text}"}]
            return RasaTurn(replies=reply, intent="greet", intent_confidence=1.0)

    async def main() -> tuple[RecordingRasa, list[dict]]:
        rasa = RecordingRasa()
        health = httpx.MockTransport(lambda request: httpx.Response(200))
        async with httpx.AsyncClient(transport=health) as http:
            turn = ChatTurn(
                rasa=rasa,  # type: ignore[arg-type]
                http=http,
                action_health_url="http://actions.invalid/health",
                responses={},
                contacts=list,
                secret="k",
                timeout=5,
                max_concurrent=2,
            )
            replies = await asyncio.gather(*(turn.run(f"c{i}", f"m{i}") for i in range(10)))
        return rasa, replies

    rasa, replies = asyncio.run(main())
    assert rasa.most == 2
    assert rasa.order == [f"m{i}" for i in range(10)]
    assert [r["messages"][0]["text"] for r in replies] == [f"reply m{i}" for i in range(10)]
    assert not any(r["degraded"] for r in replies)
