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
Slots = Mapping[str, Any]


class _KeepMissing(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, values: Mapping[str, Any]) -> str:
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    if not names:
        return template
    return template.format_map(_KeepMissing({k: v for k, v in values.items() if k in names}))


def _fits(variation: Mapping[str, Any], slots: Slots) -> bool:
    conditions = variation.get("condition") or []
    return all(
        c.get("type") == "slot" and slots.get(str(c.get("name"))) == c.get("value")
        for c in conditions
    )


def variations_for(responses: Responses, name: str, slots: Slots | None = None) -> list[Mapping]:
    """The variations Rasa would choose from: those whose conditions hold on the slots, or the
    unconditioned ones when none does (Rasa's conditional response variations)."""
    variations = responses.get(name)
    if not variations:
        raise KeyError(f"the domain has no response {name!r}")
    conditioned = [v for v in variations if v.get("condition") and _fits(v, slots or {})]
    return conditioned or [v for v in variations if not v.get("condition")]


def pick(
    responses: Responses,
    name: str,
    rng: random.Random | None = None,
    slots: Slots | None = None,
    **values: Any,
) -> dict[str, Any]:
    """One variation of response `name`, with `{placeholders}` filled from `values`."""
    chosen = (rng or random).choice(variations_for(responses, name, slots))
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


def crisis_message(
    responses: Responses,
    kind: str,
    words: str,
    choices: str,
    contacts: Sequence[Mapping[str, Any]],
    more_contacts: Sequence[Mapping[str, Any]] = (),
    rng: random.Random | None = None,
    slots: Slots | None = None,
) -> dict[str, Any]:
    """The crisis or safeguarding card: words, one-tap contacts (the rest behind "more"), and
    gentle follow-up choices."""
    variation = pick(responses, words, rng, slots)
    follow_ups = pick(responses, choices, rng, slots)
    message = {
        "type": "crisis",
        "kind": kind,
        "text": variation["text"],
        "contacts": [dict(c) for c in contacts],
        "buttons": follow_ups.get("buttons", []),
    }
    if more_contacts:
        message["more_contacts"] = [dict(c) for c in more_contacts]
    return message


def risk_check_message(
    responses: Responses,
    contacts: Sequence[Mapping[str, Any]],
    more_contacts: Sequence[Mapping[str, Any]] = (),
    rng: random.Random | None = None,
) -> dict[str, Any]:
    """The kind direct question (contract: first message of type `risk_check`), with
    Yes / No / Not sure and the crisis contacts."""
    question = pick(responses, "utter_risk_check", rng)
    message = {
        "type": "risk_check",
        "text": question["text"],
        "buttons": question.get("buttons", []),
        "contacts": [dict(c) for c in contacts],
    }
    if more_contacts:
        message["more_contacts"] = [dict(c) for c in more_contacts]
    return message


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
