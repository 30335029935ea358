"""A need: acknowledge it in plain words, ask at most two optional questions, then services."""

from __future__ import annotations

from rasa_sdk import Tracker

from bot.actions.turns import DialogueAction
from dialogue.flow import Step, start_need
from dialogue.state import Conversation, Turn


class ActionAcknowledgeNeed(DialogueAction):
    """Says that we heard them, remembers the need, then asks or shows what fits."""

    def name(self) -> str:
        return "action_acknowledge_need"

    def respond(
        self, turn: Turn, convo: Conversation, learned: set[str], tracker: Tracker
    ) -> list[Step]:
        return start_need(turn, convo)
