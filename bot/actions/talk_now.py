"""Routes to a real person that are open now and fit their age: call, text or chat."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.directory import DirectoryAccess
from bot.actions.payloads import contacts_message, services_message
from bot.actions.service_form import parse_age
from services_directory.search import search

logger = logging.getLogger(__name__)

LIVE_MODES = ["call", "text", "webchat"]


class ActionTalkToSomeoneNow(DirectoryAccess, Action):
    """Only services open right now, reachable by call, text or chat, for their age."""

    def name(self) -> str:
        return "action_talk_to_someone_now"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        responses = domain["responses"]
        age_slot = tracker.get_slot("age")
        age = parse_age(age_slot) if age_slot else None
        try:
            with self.session() as session:
                results = search(
                    session,
                    need="talk_to_someone_now",
                    age=age,
                    contact_modes=LIVE_MODES,
                    open_now=True,
                    limit=3,
                )
        except Exception:
            logger.exception("directory search failed")
            results = []
        if results:
            cards = [r.to_message_dict() for r in results]
            dispatcher.utter_message(
                json_message=services_message(responses, cards, "utter_talk_now_intro")
            )
            dispatcher.utter_message(response="utter_talk_now_what_to_expect")
        else:
            dispatcher.utter_message(
                json_message=contacts_message(
                    responses, self.crisis_contacts(), "utter_talk_now_none_open"
                )
            )
        return []
