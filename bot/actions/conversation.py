"""Misunderstandings, asides and goodbyes: never a loop of "I don't understand", never closing off
a conversation in which risk was expressed."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.directory import DirectoryAccess
from bot.actions.steps import StepRunner
from bot.actions.turns import DialogueAction, build_turn
from dialogue.flow import Say, Step, misunderstood, resume
from dialogue.messages import contacts_message
from dialogue.state import Conversation, Turn

MISUNDERSTOOD_INTENTS = {"nlu_fallback", "out_of_scope"}


def misunderstandings_in_a_row(tracker: Tracker) -> int:
    """How many of the latest user messages in a row the bot could not help with."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent not in MISUNDERSTOOD_INTENTS:
            break
        count += 1
    return count


class ActionHandleMisunderstanding(DialogueAction):
    """Says kindly what the bot can do; after two misses in a row, offers a human route; after a
    disclosure, only that it is still listening."""

    def name(self) -> str:
        return "action_handle_misunderstanding"

    def respond(
        self, turn: Turn, convo: Conversation, learned: set[str], tracker: Tracker
    ) -> list[Step]:
        return misunderstood(turn, convo, misunderstandings_in_a_row(tracker))


class ActionTellMore(DialogueAction):
    """They want to talk about what is happening: the bot listens, and says who listens better."""

    def name(self) -> str:
        return "action_tell_more"

    def respond(
        self, turn: Turn, convo: Conversation, learned: set[str], tracker: Tracker
    ) -> list[Step]:
        return [Say("utter_tell_more")]


class ActionSomethingElse(DialogueAction):
    """Something else is going on: what is it? (No topic menu after a disclosure.)"""

    def name(self) -> str:
        return "action_something_else"

    def respond(
        self, turn: Turn, convo: Conversation, learned: set[str], tracker: Tracker
    ) -> list[Step]:
        convo.question_plan = []
        return [Say("utter_something_else")]


class ActionResume(StepRunner, Action):
    """After an aside ("r u a bot", "is it confidential"), back to the question they were asked."""

    def name(self) -> str:
        return "action_resume"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        number = build_turn(tracker).number
        convo = Conversation.from_slots(tracker.get_slot)
        before = convo.as_slots()
        convo.start_turn(number)
        self.run_steps(resume(convo), convo, dispatcher, domain)
        convo.end_turn(number)
        return [SlotSet(name, value) for name, value in convo.changes(before).items()]


class ActionGoodbye(DirectoryAccess, Action):
    """Says goodbye with the crisis contacts one tap away; stays open if risk was expressed."""

    def name(self) -> str:
        return "action_goodbye"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        words = "utter_goodbye_stay" if tracker.get_slot("risk_expressed") else "utter_goodbye"
        dispatcher.utter_message(
            json_message=contacts_message(domain["responses"], self.crisis_contacts(), words)
        )
        return []
