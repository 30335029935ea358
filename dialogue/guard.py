"""The rules every reply keeps, whatever the dialogue did: applied by the API last.

- never silent: an empty reply gets a message that keeps listening;
- never a loop: no message twice in one reply, at most five messages, the crisis card first;
- risk held: once risk was expressed in the conversation, every reply keeps the crisis contacts
  one tap away (a compact contacts message when the reply has none).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

MAX_MESSAGES = 5
CONTACT_TYPES = {"crisis", "contacts", "risk_check"}

Message = dict[str, Any]


def _key(message: Mapping[str, Any]) -> str:
    return json.dumps(message, sort_keys=True, default=str)


def has_contacts(messages: Sequence[Mapping[str, Any]]) -> bool:
    """True when a crisis card or a contacts message with contacts is in the reply."""
    return any(m.get("type") in CONTACT_TYPES and m.get("contacts") for m in messages)


def guard_reply(
    messages: Sequence[Message],
    risk_held: bool,
    listening: Callable[[], Message],
    contacts: Callable[[], Message],
) -> list[Message]:
    """The reply with the rules applied. `listening` and `contacts` build the messages added
    when the reply is empty or needs the contacts."""
    seen: set[str] = set()
    kept: list[Message] = []
    for message in messages:
        key = _key(message)
        if key not in seen:
            seen.add(key)
            kept.append(message)
    for kind in ("risk_check", "crisis"):
        cards = [m for m in kept if m.get("type") == kind]
        if cards:
            # One card, first (the crisis card before a check): a second says nothing new.
            kept = [cards[0], *(m for m in kept if m.get("type") != kind)]
    if kept and kept[0].get("type") == "crisis":
        # A reply is never both the crisis response and the check.
        kept = [m for m in kept if m.get("type") != "risk_check"]
    if not kept:
        kept = [listening()]
    needs_contacts = risk_held and not has_contacts(kept)
    room = MAX_MESSAGES - (1 if needs_contacts else 0)
    kept = kept[:room]
    if needs_contacts:
        kept.append(contacts())
    return kept
