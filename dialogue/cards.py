"""Which crisis or safeguarding card fits, and which contacts it shows (`dialogue/cards.yml`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from re import Pattern
from typing import Any

import yaml

from dialogue.ages import fits_age

CARDS_FILE = Path(__file__).with_name("cards.yml")
HELPER = "helper"


@dataclass(frozen=True)
class Followup:
    """Words that, after a card, ask about it, and the response that answers them."""

    cues: tuple[Pattern[str], ...]
    response: str


@dataclass(frozen=True)
class CardKind:
    """One kind of card: its words, its contacts in order, and how the conversation goes on."""

    name: str
    entries: tuple[str, ...]
    response: str
    advice: str | None
    asks_safety: bool
    contacts: tuple[str, ...]
    followups: tuple[Followup, ...]
    default_for: str | None
    need: str | None = None  # the need whose services fit after this card

    def matches(self, entry_ids: Iterable[str]) -> bool:
        """True when one of the screen's entry ids is one of this kind's (prefix with "*")."""
        for entry in entry_ids:
            for pattern in self.entries:
                if pattern.endswith("*"):
                    if entry.startswith(pattern[:-1]):
                        return True
                elif entry == pattern:
                    return True
        return False

    def followup_for(self, text: str) -> str | None:
        """The response answering a question about this card, if the words ask one."""
        lowered = text.lower()
        for followup in self.followups:
            if any(cue.search(lowered) for cue in followup.cues):
                return followup.response
        return None


@dataclass(frozen=True)
class CardBook:
    """Every card kind in the file's order, and how many contacts show before "more"."""

    kinds: dict[str, CardKind]
    visible: int

    def choose(self, intent: str | None, entry_ids: Sequence[str], helper: bool) -> CardKind:
        """The card for a message: the helper card, then by the screen's entries, then by intent."""
        if helper:
            return self.kinds[HELPER]
        for kind in self.kinds.values():
            if kind.name != HELPER and kind.matches(entry_ids):
                return kind
        for kind in self.kinds.values():
            if kind.default_for == intent:
                return kind
        return self.kinds["suicide"]


@cache
def card_book() -> CardBook:
    """The cards of `dialogue/cards.yml`, checked once."""
    data = yaml.safe_load(CARDS_FILE.read_text(encoding="utf-8"))
    kinds = {}
    for name, raw in (data.get("kinds") or {}).items():
        followups = tuple(
            Followup(tuple(re.compile(c) for c in f["cues"]), str(f["response"]))
            for f in raw.get("followups") or []
        )
        kinds[name] = CardKind(
            name=name,
            entries=tuple(raw.get("entries") or ()),
            response=str(raw["response"]),
            advice=raw.get("advice"),
            asks_safety=bool(raw.get("asks_safety")),
            contacts=tuple(raw.get("contacts") or ()),
            followups=followups,
            default_for=raw.get("default_for"),
            need=raw.get("need"),
        )
    if HELPER not in kinds or "suicide" not in kinds:
        raise ValueError(f"{CARDS_FILE.name} needs the `helper` and `suicide` cards")
    return CardBook(kinds=kinds, visible=int(data.get("visible") or 4))


def split_contacts(
    contacts: Sequence[Mapping[str, Any]], age: int | None, visible: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Contacts that fit the age, as (shown first, behind "more")."""
    fitting = [
        dict(c)
        for c in contacts
        if age is None or fits_age(c.get("min_age"), c.get("max_age"), age)
    ]
    for contact in fitting:
        contact.pop("min_age", None)
        contact.pop("max_age", None)
    return fitting[:visible], fitting[visible:]
