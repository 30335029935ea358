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
