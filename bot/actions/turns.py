"""The base of the dialogue's custom actions: read the message in context, then do the job.

Every action that answers a user message builds the turn from the tracker, lets the dialogue
read it in the light of what came before (`dialogue.flow.read_in_context`), does its own job only
when the context does not decide, carries out the steps and sends back the slots that changed.
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.localities import place_names
from bot.actions.steps import StepRunner
from dialogue.answers import read_answer
from dialogue.flow import Step, read_in_context
from dialogue.risk import turn_signal, user_parses
from dialogue.state import Conversation, Turn
from services_directory.localities import Locality


def build_turn(tracker: Tracker, localities: dict[str, Locality] | None = None) -> Turn:
    """The latest user message as the pipeline read it, with the risk signals of every turn
    (places read against `localities`, default: the configured ones)."""
    latest = tracker.latest_message or {}
    text = str(latest.get("text") or "")
    pressed = text.startswith("/")
    intent = latest.get("intent") or {}
    entities: dict[str, str] = {}
    for entity in latest.get("entities") or []:
        entities.setdefault(str(entity.get("entity")), str(entity.get("value")))
    names, districts = place_names(localities)
    parses = user_parses(tracker.events)
    signals = tuple(turn_signal(p) for p in parses) or (turn_signal(latest),)
    return Turn(
        intent=intent.get("name"),
        confidence=float(intent.get("confidence") or 0.0),
        text="" if pressed else text,
        entities=entities,
        screen=latest.get("safety_screen") or {},
        ranking=tuple(
            (str(r.get("name")), float(r.get("confidence") or 0.0))
            for r in latest.get("intent_ranking") or []
        ),
        signals=signals,
        answer=read_answer("" if pressed else text, names, districts),
    )


class DialogueAction(StepRunner, Action, metaclass=ABCMeta):
    """An action for a user message: the context first, then `respond`. Abstract, so rasa-sdk
    registers only its subclasses."""

    @abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    @abstractmethod
    def respond(
        self, turn: Turn, convo: Conversation, learned: set[str], tracker: Tracker
    ) -> list[Step]:
        """This action's own job, when the context did not decide the reply."""

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        turn = build_turn(tracker, self.localities())
        convo = Conversation.from_slots(tracker.get_slot)
        before = convo.as_slots()
        convo.start_turn(turn.number)
        reading = read_in_context(turn, convo)
        if reading.reply is not None:
            steps = reading.reply
        else:
            steps = [*reading.prefix, *self.respond(turn, convo, reading.learned, tracker)]
        self.run_steps(steps, convo, dispatcher, domain)
        convo.end_turn(turn.number)
        return [SlotSet(name, value) for name, value in convo.changes(before).items()]
