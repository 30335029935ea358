"""Acknowledges what the young person is going through and plans at most two questions."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

# The optional questions, in the order they are asked; at most two are asked per need.
PREFERENCE_SLOTS = ("age", "locality", "contact_mode")
MAX_QUESTIONS = 2


def plan_questions(tracker: Tracker) -> list[str]:
    """The first unanswered preference slots, at most two: nothing known is asked again."""
    missing = [slot for slot in PREFERENCE_SLOTS if tracker.get_slot(slot) is None]
    return missing[:MAX_QUESTIONS]


class ActionAcknowledgeNeed(Action):
    """Says, in plain words, that we heard them, and remembers what they need help with."""

    def name(self) -> str:
        return "action_acknowledge_need"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        dispatcher.utter_message(response=f"utter_ack_{intent}")
        browsing = intent == "ask_services"
        plan = plan_questions(tracker)
        return [
            SlotSet("need", None if browsing else intent),
            # Browsing without a problem: the words they used become the search text.
            SlotSet("search_text", tracker.latest_message.get("text") if browsing else None),
            SlotSet("form_plan", plan),
            SlotSet("questions_needed", bool(plan)),
            SlotSet("results_offset", 0),
            SlotSet("shown_services", []),
        ]
