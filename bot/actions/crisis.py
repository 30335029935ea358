"""The crisis and safeguarding response: always first, always with one-tap contacts."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.directory import DirectoryAccess, contact_from_result
from bot.actions.payloads import crisis_kind, crisis_message
from services_directory.search import search

logger = logging.getLogger(__name__)

# After the crisis lines, how many services for abuse and exploitation the safeguarding card shows.
SAFEGUARDING_EXTRAS = 3


class ActionCrisisResponse(DirectoryAccess, Action):
    """Sends the crisis card (or the safeguarding card for abuse and exploitation)."""

    def name(self) -> str:
        return "action_crisis_response"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        kind = crisis_kind(intent)
        contacts = self.crisis_contacts()
        if kind == "safeguarding":
            contacts += self.safeguarding_contacts()
        dispatcher.utter_message(json_message=crisis_message(domain["responses"], contacts, intent))
        if kind == "safeguarding":
            dispatcher.utter_message(response="utter_safeguarding_sharing")
        return [SlotSet("risk_expressed", True)]

    def safeguarding_contacts(self) -> list[dict[str, Any]]:
        """Services for abuse and exploitation beyond the crisis lines: NSPCC, CEOP, ..."""
        try:
            with self.session() as session:
                results = search(session, need="abuse_disclosure", limit=10)
        except Exception:
            logger.exception("directory unreadable: safeguarding shows the crisis contacts only")
            return []
        return [contact_from_result(r) for r in results if not r.crisis][:SAFEGUARDING_EXTRAS]
