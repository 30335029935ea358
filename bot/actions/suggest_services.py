"""More services for the same need, and tips while they wait to talk to someone."""

from __future__ import annotations

from rasa_sdk import Tracker

from bot.actions.turns import DialogueAction
from dialogue.flow import Say, ShowServices, Step
from dialogue.state import Conversation, Turn


class ActionShowMore(DialogueAction):
    """The next few services for the same need (or their search), or a fresh start if none."""

    def name(self) -> str:
        return "action_show_more"

    def respond(
        self, turn: Turn, convo: Conversation, learned: set[str], tracker: Tracker
    ) -> list[Step]:
        if not (convo.need or convo.search_text):
            return [Say("utter_more_of_what")]
        return [ShowServices(more=True)]


class ActionTips(DialogueAction):
    """A few things that can help with the need they told us about, then who could help more."""

    def name(self) -> str:
        return "action_tips"

    def respond(
        self, turn: Turn, convo: Conversation, learned: set[str], tracker: Tracker
    ) -> list[Step]:
        tips = f"utter_tips_{convo.need}" if convo.need else "utter_tips_general"
        return [Say(tips), Say("utter_tips_follow_up")]
