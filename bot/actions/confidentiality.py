"""Honest answers about who finds out: for this chat, and for each service they were shown."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher


class ActionExplainConfidentiality(Action):
    """Explains this chat's privacy, then what each shown service says about confidentiality."""

    def name(self) -> str:
        return "action_explain_confidentiality"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_confidentiality_this_chat")
        shown = [s for s in tracker.get_slot("shown_services") or [] if s.get("confidentiality")]
        if not shown:
            dispatcher.utter_message(response="utter_confidentiality_general")
            return []
        dispatcher.utter_message(response="utter_confidentiality_services_intro")
        for service in shown[-3:]:
            dispatcher.utter_message(
                response="utter_confidentiality_service",
                service_name=service["name"],
                confidentiality=service["confidentiality"],
            )
        return []
