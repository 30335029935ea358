"""Misunderstandings and goodbyes: never loop "I don't understand", never close off risk."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.directory import DirectoryAccess
from bot.actions.payloads import contacts_message

MISUNDERSTOOD_INTENTS = {"nlu_fallback", "out_of_scope"}
HUMAN_ROUTE_AFTER = 2


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


class ActionHandleMisunderstanding(DirectoryAccess, Action):
    """Says kindly what the bot can do; after two misses in a row, offers a human route."""

    def name(self) -> str:
        return "action_handle_misunderstanding"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if misunderstandings_in_a_row(tracker) >= HUMAN_ROUTE_AFTER:
            dispatcher.utter_message(response="utter_human_route")
        elif intent == "out_of_scope":
            dispatcher.utter_message(response="utter_out_of_scope")
        else:
            dispatcher.utter_message(response="utter_misunderstood")
        return []


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
