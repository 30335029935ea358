"""Finds up to three services that fit, from the directory, and shows them as cards."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.directory import DirectoryAccess
from bot.actions.payloads import services_message
from bot.actions.service_form import POSTCODE, parse_age
from services_directory.search import SearchResult, search

logger = logging.getLogger(__name__)

PAGE_SIZE = 3
# How the young person would like to get in touch -> the directory's contact modes.
MODES = {
    "text": ["text"],
    "call": ["call"],
    "online_chat": ["webchat"],
    "in_person": ["drop_in", "in_person_appointment"],
    "email": ["email"],
}


def search_arguments(tracker: Tracker) -> dict[str, Any]:
    """The directory search that the conversation so far asks for."""
    arguments: dict[str, Any] = {
        "need": tracker.get_slot("need"),
        "text": tracker.get_slot("search_text"),
        "age": parse_age(tracker.get_slot("age")) if tracker.get_slot("age") else None,
        "language": tracker.get_slot("language"),
        "contact_modes": MODES.get(tracker.get_slot("contact_mode") or ""),
    }
    place = str(tracker.get_slot("locality") or "")
    if POSTCODE.match(place):
        arguments["postcode"] = place
    elif place and place not in {"online", "skipped"}:
        arguments["locality"] = place
    return arguments


def find_services(session: Any, arguments: dict[str, Any], offset: int) -> list[SearchResult]:
    """Search, easing the preferences one at a time when nothing fits them all."""
    relaxations = [{}, {"contact_modes": None}, {"contact_modes": None, "language": None}]
    for relaxed in relaxations:
        query = {**arguments, **relaxed}
        results = search(session, **query, limit=PAGE_SIZE, offset=offset)
        if results:
            return results
    return []


class ActionSuggestServices(DirectoryAccess, Action):
    """Shows the first services that fit, with a trusted-adult hint where there is one."""

    more = False

    def name(self) -> str:
        return "action_suggest_services"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        responses = domain["responses"]
        offset = int(tracker.get_slot("results_offset") or 0) if self.more else 0
        shown = list(tracker.get_slot("shown_services") or []) if self.more else []
        try:
            with self.session() as session:
                results = find_services(session, search_arguments(tracker), offset)
        except Exception:
            logger.exception("directory search failed")
            results = []
        if not results:
            dispatcher.utter_message(response="utter_services_none")
            return [SlotSet("results_offset", offset)]

        cards = [r.to_message_dict() for r in results]
        intro = "utter_services_more" if self.more else "utter_services_intro"
        dispatcher.utter_message(json_message=services_message(responses, cards, intro))
        need = tracker.get_slot("need")
        if not self.more and f"utter_trusted_adult_hint_{need}" in responses:
            dispatcher.utter_message(response=f"utter_trusted_adult_hint_{need}")
        dispatcher.utter_message(response="utter_services_follow_up")
        shown += [
            {"id": r.id, "name": r.name, "confidentiality": r.confidentiality} for r in results
        ]
        return [
            SlotSet("results_offset", offset + len(results)),
            SlotSet("shown_services", shown),
        ]


class ActionShowMore(ActionSuggestServices):
    """The next few services for the same need."""

    more = True

    def name(self) -> str:
        return "action_show_more"
