"""Builds the chat contract's structured messages from the domain's responses.

Pure functions with no Rasa import, so the action server and the API's degraded path build the
same messages from the same words. Every word comes from a domain response or directory data.
"""

from __future__ import annotations

import random
import string
from collections.abc import Mapping, Sequence
from typing import Any

Responses = Mapping[str, Sequence[Mapping[str, Any]]]

CRISIS_INTENTS = frozenset({"suicidal_thoughts", "self_harm", "immediate_danger"})
SAFEGUARDING_INTENTS = frozenset({"abuse_disclosure"})
RISK_INTENTS = CRISIS_INTENTS | SAFEGUARDING_INTENTS
# The words and the follow-up choices of each kind of crisis card.
CRISIS_RESPONSES = {
    "crisis": ("utter_crisis", "utter_crisis_choices"),
    "safeguarding": ("utter_safeguarding", "utter_safeguarding_choices"),
}


class _KeepMissing(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, values: Mapping[str, Any]) -> str:
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    if not names:
        return template
    return template.format_map(_KeepMissing({k: v for k, v in values.items() if k in names}))


def pick(
    responses: Responses, name: str, rng: random.Random | None = None, **values: Any
) -> dict[str, Any]:
    """One variation of response `name`, with `{placeholders}` filled from `values`."""
    variations = responses.get(name)
    if not variations:
        raise KeyError(f"the domain has no response {name!r}")
    chosen = (rng or random).choice(list(variations))
    result: dict[str, Any] = {}
    if chosen.get("text"):
        result["text"] = _fill(str(chosen["text"]), values)
    if chosen.get("buttons"):
        result["buttons"] = [
            {"title": _fill(str(b["title"]), values), "payload": str(b["payload"])}
            for b in chosen["buttons"]
        ]
    return result


def as_message(variation: Mapping[str, Any]) -> dict[str, Any]:
    """A picked response as a contract message: `buttons` when it has buttons, else `text`."""
    if variation.get("buttons"):
        return {
            "type": "buttons",
            "text": variation.get("text", ""),
            "buttons": variation["buttons"],
        }
    return {"type": "text", "text": variation.get("text", "")}


def crisis_kind(intent: str | None) -> str:
    """`safeguarding` for abuse and exploitation, `crisis` for risk to life or safety."""
    return "safeguarding" if intent in SAFEGUARDING_INTENTS else "crisis"


def crisis_message(
    responses: Responses,
    contacts: Sequence[Mapping[str, Any]],
    intent: str | None,
    rng: random.Random | None = None,
) -> dict[str, Any]:
    """The crisis or safeguarding card: words, one-tap contacts, gentle follow-up choices."""
    kind = crisis_kind(intent)
    words, choices = CRISIS_RESPONSES[kind]
    if intent == "immediate_danger":
        words = "utter_crisis_immediate_danger"
    variation = pick(responses, words, rng)
    follow_ups = pick(responses, choices, rng)
    return {
        "type": "crisis",
        "kind": kind,
        "text": variation["text"],
        "contacts": [dict(c) for c in contacts],
        "buttons": follow_ups.get("buttons", []),
    }


def contacts_message(
    responses: Responses,
    contacts: Sequence[Mapping[str, Any]],
    name: str = "utter_way_out",
    rng: random.Random | None = None,
) -> dict[str, Any]:
    """The crisis contacts as a way out, for goodbyes and outages (not a crisis response)."""
    return {
        "type": "contacts",
        "text": pick(responses, name, rng)["text"],
        "contacts": [dict(c) for c in contacts],
    }


def services_message(
    responses: Responses,
    services: Sequence[Mapping[str, Any]],
    name: str = "utter_services_intro",
    rng: random.Random | None = None,
) -> dict[str, Any]:
    """A `services` message: an intro line and up to three service cards."""
    return {
        "type": "services",
        "text": pick(responses, name, rng)["text"],
        "services": [dict(s) for s in services],
    }
