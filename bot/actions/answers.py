"""Short answers (yes, no, not sure, an age, a place) and "why do you ask"."""

from __future__ import annotations

from rasa_sdk import Tracker

from bot.actions.turns import DialogueAction
from dialogue.flow import Say, Step, take_answer
from dialogue.state import Conversation, Turn


class ActionAnswer(DialogueAction):
    """An answer when no question was waiting for it (the context reads the others)."""

    def name(self) -> str:
        return "action_answer"

    def respond(
        self, turn: Turn, convo: Conversation, learned: set[str], tracker: Tracker
    ) -> list[Step]:
        return take_answer(turn, convo, learned)


class ActionExplainWhy(DialogueAction):
    """Why the bot asks what it asks, honestly (a question waiting is explained by the context)."""

    def name(self) -> str:
        return "action_explain_why"

    def respond(
        self, turn: Turn, convo: Conversation, learned: set[str], tracker: Tracker
    ) -> list[Step]:
        return [Say("utter_why_general")]
