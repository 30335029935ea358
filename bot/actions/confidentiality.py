"""Honest answers about who finds out: for this chat, for each service they were shown, and what
happens when they tell a school, a helpline or the police."""

from __future__ import annotations

from rasa_sdk import Tracker

from bot.actions.turns import DialogueAction
from dialogue.flow import Say, Step
from dialogue.state import Conversation, Turn
from dialogue.telling import telling_topic

SHOWN_SERVICES = 2


class ActionExplainConfidentiality(DialogueAction):
    """What stays private and what might be shared, in plain words."""

    def name(self) -> str:
        return "action_explain_confidentiality"

    def respond(
        self, turn: Turn, convo: Conversation, learned: set[str], tracker: Tracker
    ) -> list[Step]:
        topic = telling_topic(turn.text)
        if topic:
            return [Say(f"utter_telling_{topic}"), Say("utter_telling_you_decide")]
        steps: list[Step] = [Say("utter_confidentiality_this_chat")]
        shown = [s for s in convo.shown_services if s.get("confidentiality")]
        if not shown:
            return [*steps, Say("utter_confidentiality_general")]
        steps.append(Say("utter_confidentiality_services_intro"))
        for service in shown[-SHOWN_SERVICES:]:
            steps.append(
                Say(
                    "utter_confidentiality_service",
                    {
                        "service_name": service["name"],
                        "confidentiality": service["confidentiality"],
                    },
                )
            )
        return steps
