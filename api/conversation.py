"""One chat turn: safety screen first, then Rasa, then the fail-safes.

Whatever Rasa says, a message the safety screen flags gets the crisis response first; when Rasa
or the action server is down or slow, the reply is honest about it and keeps a way out.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from api.rasa_client import RasaClient, RasaTurn, RasaUnavailable
from dialogue.ages import as_age
from dialogue.cards import card_book, split_contacts
from dialogue.guard import guard_reply
from dialogue.intents import RISK_INTENTS
from dialogue.messages import Responses, as_message, contacts_message, crisis_message, pick
from safety_screen import ScreenResult, screen
from safety_screen.subject import about_someone_else

logger = logging.getLogger(__name__)

MESSAGE_TYPES = {"text", "buttons", "services", "crisis", "contacts", "risk_check"}
SAFE_LINK_SCHEMES = ("tel:", "sms:", "https:", "mailto:")

ContactsSource = Callable[[], Sequence[dict[str, Any]]]


def pseudonym(conversation_id: str, secret: str) -> str:
    """The id Rasa sees: a keyed hash, so stored trackers can't be linked back to the browser."""
    digest = hmac.new(secret.encode(), conversation_id.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def to_contract_message(reply: dict[str, Any]) -> dict[str, Any] | None:
    """One Rasa REST reply as a contract message, or None for what the widget can't show."""
    custom = reply.get("custom")
    if isinstance(custom, dict):
        return custom if custom.get("type") in MESSAGE_TYPES else None
    text = reply.get("text")
    buttons = reply.get("buttons")
    if buttons:
        return {
            "type": "buttons",
            "text": text or "",
            "buttons": [
                {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                for b in buttons
                if isinstance(b, dict)
            ],
        }
    if text:
        return {"type": "text", "text": text}
    return None


class ChatTurn:
    """Runs one turn of the conversation through Rasa with every fail-safe around it."""

    def __init__(
        self,
        rasa: RasaClient,
        http: httpx.AsyncClient,
        action_health_url: str,
        responses: Responses,
        contacts: ContactsSource,
        secret: str,
        timeout: float,
        max_concurrent: int = 4,
    ) -> None:
        self._rasa = rasa
        self._http = http
        self._action_health_url = action_health_url
        self._responses = responses
        self._contacts = contacts
        self._secret = secret
        self._timeout = timeout
        # FIFO: waiting turns go to Rasa in the order they came.
        self._slots = asyncio.Semaphore(max_concurrent)

    def crisis_contacts(self) -> list[dict[str, Any]]:
        """The crisis contacts, from the directory or its built-in copy."""
        return list(self._contacts())

    async def _actions_up(self) -> bool:
        try:
            reply = await self._http.get(self._action_health_url, timeout=self._timeout)
            return reply.status_code == 200
        except httpx.HTTPError:
            return False

    async def _send(self, conversation_id: str, text: str) -> tuple[RasaTurn, bool]:
        async with self._slots:
            return await asyncio.gather(
                self._rasa.send(pseudonym(conversation_id, self._secret), text),
                self._actions_up(),
            )

    async def run(self, conversation_id: str, text: str) -> dict[str, Any]:
        """The reply to one message, as the chat API returns it."""
        try:
            screened = screen(text)
        except Exception:
            # A broken lexicon must not take the chat down: the model's own risk intents remain.
            logger.exception("safety screen failed")
            screened = ScreenResult()
        turn: RasaTurn | None = None
        try:
            turn, actions_up = await asyncio.wait_for(
                self._send(conversation_id, text), timeout=self._timeout
            )
        except (RasaUnavailable, TimeoutError) as exc:
            logger.warning("rasa unavailable: %s", type(exc).__name__)
            actions_up = False

        degraded = turn is None or not actions_up
        converted = [to_contract_message(r) for r in turn.replies] if turn else []
        messages = [m for m in converted if m is not None]
        intent = turn.intent if turn else None

        slots = turn.slots if turn else {}
        age = as_age(slots.get("age"))

        risk_intent = screened.intent if screened.level == "crisis" else None
        if risk_intent is None and turn is None and screened.level == "possible":
            # Without the model to weigh it, a possible risk signal gets the crisis response.
            risk_intent = screened.intent
        # They already answered "no" to the direct question about this same unclear signal
        # (the screen's entries, or the model's reading when the screen saw nothing).
        keys = set(screened.matched) if screened.matched else {f"model:{intent}"}
        answered_no = screened.level != "crisis" and keys <= set(slots.get("checked") or [])
        if risk_intent is None and intent in RISK_INTENTS and not answered_no:
            risk_intent = intent
        # The bot asked the kind direct question itself: risk possible but unclear, not missed.
        checked = (
            bool(messages)
            and messages[0]["type"] == "risk_check"
            and turn is not None
            and screened.level != "crisis"
        )
        if risk_intent and not checked and not (messages and messages[0]["type"] == "crisis"):
            # Fail-safe: the crisis response comes first even if Rasa's reply did not start with it.
            messages = [m for m in messages if m["type"] != "crisis"]
            card = self._fail_safe_card(risk_intent, screened, about_someone_else(text), age)
            note = [pick(self._responses, "utter_degraded_crisis_note")] if degraded else []
            messages = [card, *({"type": "text", **n} for n in note), *messages]
        elif degraded:
            messages = [*messages, self._contacts_message("utter_degraded", age)]
        messages = guard_reply(
            messages,
            risk_held=bool(slots.get("risk_expressed")),
            listening=lambda: as_message(pick(self._responses, "utter_listening_plain")),
            contacts=lambda: self._contacts_message("utter_way_out", age),
        )
        return {
            "conversation_id": conversation_id,
            "crisis": bool(messages) and messages[0]["type"] == "crisis",
            "risk_check": bool(messages) and messages[0]["type"] == "risk_check",
            "intent": intent,
            "degraded": degraded,
            "messages": messages,
        }

    def disclosure_card(self, text: str, screened: ScreenResult) -> dict[str, Any] | None:
        """The crisis or safeguarding card for words typed outside the conversation (feedback
        on a service card), or None when the screen saw no sign of risk. There is no model to
        weigh them, so a possible sign gets the card too, as in the chat's degraded path."""
        if screened.level == "none" or screened.intent is None:
            return None
        return self._fail_safe_card(screened.intent, screened, about_someone_else(text), None)

    def _fit_contacts(self, age: int | None) -> list[dict[str, Any]]:
        shown, more = split_contacts(self._contacts(), age, len(self._contacts()))
        return shown + more

    def _contacts_message(self, words: str, age: int | None) -> dict[str, Any]:
        """The crisis lines that fit their age, as a way out (not a crisis response)."""
        return contacts_message(self._responses, self._fit_contacts(age), words)

    def _fail_safe_card(
        self, intent: str, screened: ScreenResult, helper: bool, age: int | None
    ) -> dict[str, Any]:
        """The card the API puts first itself, with the crisis lines that fit their age."""
        book = card_book()
        kind = book.choose(intent, screened.matched, helper)
        shown, more = split_contacts(self._contacts(), age, book.visible)
        choices = "utter_helper_choices" if helper else "utter_crisis_choices"
        return crisis_message(self._responses, kind.name, kind.response, choices, shown, more)
