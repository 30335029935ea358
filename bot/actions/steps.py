"""Carries out the dialogue's steps (`dialogue.flow`): words from the domain, cards and services
from the directory."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from bot.actions.directory import DirectoryAccess, default_session_factory
from bot.actions.search import find_services, search_arguments
from dialogue.ages import as_age
from dialogue.cards import card_book, split_contacts
from dialogue.contact_modes import LIVE_MODES
from dialogue.flow import AskRiskCheck, Say, ShowCard, ShowContacts, ShowServices, Step
from dialogue.messages import (
    contacts_message,
    crisis_message,
    pick,
    risk_check_message,
    services_message,
)
from dialogue.state import Conversation
from services_directory.insights import record_offer
from services_directory.search import search
from settings.app import get_settings

logger = logging.getLogger(__name__)

DANGER_FIRST = "emergency-999"
PAGE_SIZE = 3
# Questions whose buttons are the borough's localities.
AREA_QUESTIONS = frozenset({"utter_ask_locality", "utter_reask_locality"})
ALL = 50
CARD_CHOICES = {"helper": "utter_helper_choices"}


class StepRunner(DirectoryAccess):
    """Sends the messages of a list of steps, reading the directory where a step needs it."""

    def run_steps(
        self,
        steps: Sequence[Step],
        convo: Conversation,
        dispatcher: CollectingDispatcher,
        domain: dict[str, Any],
    ) -> None:
        """Send every step's messages, in order."""
        for step in steps:
            if isinstance(step, Say) and step.response in AREA_QUESTIONS:
                dispatcher.utter_message(json_message=self.area_question(step.response, domain))
            elif isinstance(step, Say):
                dispatcher.utter_message(response=step.response, **step.values)
            elif isinstance(step, ShowCard):
                dispatcher.utter_message(json_message=self.card(step, convo, domain))
            elif isinstance(step, ShowContacts):
                lines, _ = split_contacts(self.crisis_contacts(), as_age(convo.age), ALL)
                message = contacts_message(domain["responses"], lines, step.response)
                dispatcher.utter_message(json_message=message)
            elif isinstance(step, AskRiskCheck):
                dispatcher.utter_message(json_message=self.risk_check(convo, domain))
            elif isinstance(step, ShowServices) and step.live:
                self.people_now(convo, dispatcher, domain)
            elif isinstance(step, ShowServices):
                self.services(step, convo, dispatcher, domain)

    def area_question(self, response: str, domain: dict[str, Any]) -> dict[str, Any]:
        """The area question, with a button for each of the borough's localities."""
        chosen = pick(domain["responses"], response)
        online, skip = chosen["buttons"]
        places = [
            {"title": locality.name, "payload": f'/inform{{"locality": "{locality.id}"}}'}
            for locality in self.localities().values()
        ]
        return {"type": "buttons", "text": chosen["text"], "buttons": [online, *places, skip]}

    def card(self, step: ShowCard, convo: Conversation, domain: dict[str, Any]) -> dict[str, Any]:
        """The crisis or safeguarding card: the kind's contacts, the crisis lines after them."""
        book = card_book()
        kind = book.kinds[step.kind]
        slugs = list(kind.contacts)
        if step.danger_first and DANGER_FIRST in slugs:
            slugs.remove(DANGER_FIRST)
            slugs.insert(0, DANGER_FIRST)
        crisis_lines = self.crisis_contacts()
        contacts = self.contacts_by_slug(slugs)
        named = {c["name"] for c in contacts}
        contacts += [c for c in crisis_lines if c["name"] not in named]
        shown, more = split_contacts(contacts, as_age(convo.age), book.visible)
        choices = CARD_CHOICES.get(kind.name) or (
            "utter_crisis_choices" if kind.asks_safety else "utter_safeguarding_choices"
        )
        return crisis_message(
            domain["responses"],
            kind.name,
            step.words or kind.response,
            choices,
            shown,
            more,
            slots=convo.as_slots(),
        )

    def people_now(
        self, convo: Conversation, dispatcher: CollectingDispatcher, domain: dict[str, Any]
    ) -> None:
        """Services open right now by call, text or chat, for their age; the 24/7 crisis lines
        when none is."""
        responses = domain["responses"]
        age = as_age(convo.age)
        try:
            with self.session() as session:
                results = search(
                    session,
                    need="talk_to_someone_now",
                    age=age,
                    contact_modes=list(LIVE_MODES),
                    open_now=True,
                    limit=PAGE_SIZE,
                    now=self.now(),
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
            return
        lines, _ = split_contacts(self.crisis_contacts(), age, ALL)
        dispatcher.utter_message(
            json_message=contacts_message(responses, lines, "utter_talk_now_none_open")
        )

    def count_offer(self, arguments: dict[str, Any], service_ids: list[str]) -> None:
        """Add this offer to the partnership's aggregate counters (never breaks the reply)."""
        try:
            factory = self._session_factory or default_session_factory()
            weeks = get_settings().insights_retention_weeks
        except Exception:
            logger.warning("insights not counted: the directory is not configured")
            return
        record_offer(factory, arguments, service_ids, now=self.now(), retention_weeks=weeks)

    def risk_check(self, convo: Conversation, domain: dict[str, Any]) -> dict[str, Any]:
        """The kind direct question, with Yes / No / Not sure and the crisis lines in view."""
        lines, more = split_contacts(self.crisis_contacts(), as_age(convo.age), card_book().visible)
        return risk_check_message(domain["responses"], lines, more)

    def services(
        self,
        step: ShowServices,
        convo: Conversation,
        dispatcher: CollectingDispatcher,
        domain: dict[str, Any],
    ) -> None:
        """Up to three services that fit, or an honest "nothing more" with a human route."""
        responses = domain["responses"]
        offset = int(convo.results_offset or 0) if step.more else 0
        shown = list(convo.shown_services or []) if step.more else []
        searched: dict[str, Any] | None = None
        try:
            with self.session() as session:
                arguments = {**search_arguments(convo), "now": self.now()}
                results = find_services(session, arguments, offset, PAGE_SIZE)
                searched = arguments
        except Exception:
            logger.exception("directory search failed")
            results = []
        if searched is not None and not step.more:
            self.count_offer(searched, [r.id for r in results])
        if not results:
            if step.follow_up:
                dispatcher.utter_message(response="utter_services_none")
            convo.results_offset = offset
            return
        on_screen = [s["id"] for s in convo.shown_services[-PAGE_SIZE:]]
        if step.refine and [r.id for r in results] == on_screen:
            # The answer changed nothing: no need to show the same cards again.
            dispatcher.utter_message(response="utter_services_still_fit")
        else:
            cards = [r.to_message_dict() for r in results]
            intro = (
                "utter_services_more"
                if step.more
                else "utter_services_refined"
                if step.refine
                else "utter_services_intro"
            )
            dispatcher.utter_message(json_message=services_message(responses, cards, intro))
            hint = f"utter_trusted_adult_hint_{convo.need}"
            if not step.more and not step.refine and hint in responses:
                dispatcher.utter_message(response=hint)
        if step.follow_up:
            dispatcher.utter_message(response="utter_services_follow_up")
        convo.results_offset = offset + len(results)
        convo.shown_services = shown + [
            {"id": r.id, "name": r.name, "confidentiality": r.confidentiality} for r in results
        ]
