"""What the dialogue remembers between turns (Rasa slots), and one turn's reading of a message.

Slots hold intents, answers and flags, never what was typed. `Conversation.changes()` gives the
slots a turn changed, for the action to send back as events.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from dialogue.answers import Answer

QUESTIONS = ("age", "locality", "contact_mode")
SKIPPED = "skipped"
# What the bot is waiting for an answer to: one of QUESTIONS, whether they are safe, or the
# kind direct question asked when risk is possible but unclear.
SAFETY = "safety"
RISK_CHECK = "risk_check"
# A question about the card shown is recognised for this many turns after it.
FOLLOWUP_TURNS = 4


def slot_fields() -> list[Any]:
    """The fields of `Conversation` that are Rasa slots."""
    return [f for f in fields(Conversation) if f.metadata.get("slot", True)]


@dataclass
class Conversation:
    """The slots the dialogue reads and writes (names equal the domain's slot names)."""

    need: str | None = None
    search_text: str | None = None
    age: Any = None  # an int, or SKIPPED
    locality: str | None = None  # a locality id, a postcode, "online", "elsewhere" or SKIPPED
    contact_mode: str | None = (
        None  # text | call | online_chat | in_person | email | not_call | any
    )
    language: str | None = None
    awaiting: str | None = None
    asked_at: float = 0  # the user turn (counted from 1) after which `awaiting` was asked
    reasked: bool = False  # the question awaiting an answer was already asked twice
    question_plan: list[str] = field(default_factory=list)
    risk_expressed: bool = False
    risk_kind: str | None = None  # the last crisis card's kind
    # What the next few messages may be about: a card's kind, or "someone_else" after guidance
    # about someone else, and the turn it was given in.
    followup_kind: str | None = None
    followup_at: float = 0
    age_noted: bool = False
    # Lexicon entries of unclear signals they answered "no" to: not asked about again.
    checked: list[str] = field(default_factory=list)
    results_offset: float = 0
    shown_services: list[dict[str, Any]] = field(default_factory=list)
    # The user turn being answered (not a slot: set by start_turn).
    turn_number: int = field(default=0, metadata={"slot": False})

    @classmethod
    def from_slots(cls, get_slot: Callable[[str], Any]) -> Conversation:
        """The conversation as the tracker's slots hold it."""
        values: dict[str, Any] = {}
        for f in slot_fields():
            value = get_slot(f.name)
            if value is not None:
                values[f.name] = list(value) if isinstance(value, list) else value
        return cls(**values)

    def as_slots(self) -> dict[str, Any]:
        """Every slot value (a copy: later changes to the conversation don't reach it)."""
        return copy.deepcopy({f.name: getattr(self, f.name) for f in slot_fields()})

    def changes(self, before: Mapping[str, Any]) -> dict[str, Any]:
        """The slots whose values differ from `before`."""
        return {k: v for k, v in self.as_slots().items() if before.get(k) != v}

    def start_turn(self, turn_number: int) -> None:
        """A question is waiting only for the message right after it was asked."""
        self.turn_number = turn_number
        if self.awaiting is not None and int(self.asked_at) != turn_number - 1:
            self.awaiting = None

    def set_followup(self, kind: str) -> None:
        """The next few messages may be about `kind` (a card, or someone else)."""
        self.followup_kind = kind
        self.followup_at = self.turn_number

    def followup_age(self) -> int | None:
        """Turns since the follow-up context was set, or None when there is none."""
        if not self.followup_kind:
            return None
        return self.turn_number - int(self.followup_at)

    def end_turn(self, turn_number: int) -> None:
        """Whatever the bot is now waiting for was asked in this turn."""
        if self.awaiting is not None:
            self.asked_at = turn_number

    def known(self, question: str) -> bool:
        """True when the question is answered or was skipped."""
        return getattr(self, question) is not None


@dataclass(frozen=True)
class Turn:
    """One user message as the NLU pipeline and the answer readers saw it."""

    intent: str | None
    confidence: float
    text: str  # the message as typed; "" for a pressed button. Never stored or logged.
    entities: Mapping[str, str]
    screen: Mapping[str, Any]
    ranking: tuple[tuple[str, float], ...]
    signals: tuple[float, ...]  # risk signal of every user turn so far, this one last
    answer: Answer

    @property
    def number(self) -> int:
        """This message's place in the conversation, counted from 1."""
        return len(self.signals)

    @property
    def pressed(self) -> bool:
        """True for a button's payload ("/im_safe") rather than typed words."""
        return not self.text

    def ranks(self, intent: str, depth: int = 3, at_least: float = 0.0) -> bool:
        """True when the model ranks `intent` within its top `depth` with enough confidence."""
        return any(n == intent and c >= at_least for n, c in self.ranking[:depth])
