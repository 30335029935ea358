"""Routes to a real person that are open now and fit their age: call, text or chat."""

from __future__ import annotations

from rasa_sdk import Tracker

from bot.actions.turns import DialogueAction
from dialogue.flow import ShowServices, Step
from dialogue.state import Conversation, Turn


class ActionTalkToSomeoneNow(DialogueAction):
    """Only services open right now, reachable by call, text or chat, for their age."""

    def name(self) -> str:
        return "action_talk_to_someone_now"

    def respond(
        self, turn: Turn, convo: Conversation, learned: set[str], tracker: Tracker
    ) -> list[Step]:
        return [ShowServices(live=True)]
