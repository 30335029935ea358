"""Validates the optional questions of `service_preferences_form`; every one can be skipped."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from bot.actions.needs import plan_questions

SKIPPED = "skipped"
LOCALITIES = {"northgate", "riverside", "millfield", "eastwick", "online"}
CONTACT_MODES = {"text", "call", "online_chat", "in_person", "email", "any"}
POSTCODE = re.compile(r"^[A-Za-z]{1,2}\d[A-Za-z\d]?(\s*\d[A-Za-z]{2})?$")
AGE_IN_TEXT = re.compile(r"\d{1,2}")
YOUNGEST, OLDEST = 8, 30


def parse_age(value: Any) -> int | None:
    """An age from a slot value such as 14, "14" or "14yo"; None when it is not a usable age."""
    match = AGE_IN_TEXT.search(str(value))
    if not match:
        return None
    age = int(match.group())
    return age if YOUNGEST <= age <= OLDEST else None


class ValidateServicePreferencesForm(FormValidationAction):
    """Keeps the form to the planned questions and normalises the answers."""

    def name(self) -> str:
        return "validate_service_preferences_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        plan = tracker.get_slot("form_plan")
        return list(plan) if plan is not None else plan_questions(tracker)

    def validate_age(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value == SKIPPED:
            return {"age": SKIPPED}
        age = parse_age(value)
        if age is None:
            dispatcher.utter_message(response="utter_age_not_understood")
        return {"age": age}

    def validate_locality(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        text = str(value).strip()
        if text == SKIPPED or text.lower() in LOCALITIES:
            return {"locality": text.lower() if text != SKIPPED else SKIPPED}
        if POSTCODE.match(text):
            return {"locality": text.upper()}
        return {"locality": None}

    def validate_contact_mode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        mode = str(value).strip().lower()
        return {"contact_mode": mode if mode in CONTACT_MODES else "any"}
