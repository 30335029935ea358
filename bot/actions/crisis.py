"""The crisis and safeguarding response, and worry about someone else: always the card first,
the one that fits the situation, with one-tap contacts."""

from __future__ import annotations

from rasa_sdk import Tracker

from bot.actions.turns import DialogueAction
from dialogue.flow import Step, crisis, risk_response, someone_else
from dialogue.someone_else import is_helper, other_in_danger
from dialogue.state import Conversation, Turn
from safety_screen.subject import whose_risk


class ActionCrisisResponse(DialogueAction):
    """The card for the risk read in the message: suicidal thoughts, self-harm, danger now, abuse,
    grooming, exploitation, sextortion, nowhere safe to sleep; worded for a helper when the one
    at risk is someone else."""

    def name(self) -> str:
        return "action_crisis_response"

    def respond(
        self, turn: Turn, convo: Conversation, learned: set[str], tracker: Tracker
    ) -> list[Step]:
        if is_helper(turn, whose_risk(turn.text), convo):
            if other_in_danger(turn, convo):
                return crisis(turn, convo, helper=True)
            return someone_else(turn, convo)
        return risk_response(turn, convo)


class ActionSomeoneElse(DialogueAction):
    """Worry about a friend, sibling or parent: how to help, or the helper's card if they are in
    danger now."""

    def name(self) -> str:
        return "action_someone_else"

    def respond(
        self, turn: Turn, convo: Conversation, learned: set[str], tracker: Tracker
    ) -> list[Step]:
        return someone_else(turn, convo)
