"""The safety screen inside Rasa's NLU pipeline: a crisis is never lost to a low confidence.

Runs last in the pipeline. When the deterministic screen (`safety_screen/`, the same source the API
uses) says `crisis`, its intent wins with confidence 1.0. When it says `possible` and the model is
unsure, the risk intent wins too (the fail-safe). The model's own top intent is kept in the output
(`safety_screen.model_intent`) so the model can be measured on its own.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from safety_screen import CRISIS, CRISIS_INTENTS, POSSIBLE, screen

OUTPUT_KEY = "safety_screen"


def model_is_unsure(intent: dict[str, Any], ranking: list[dict[str, Any]], config: dict) -> bool:
    """True when the model's own reading leaves room for a risk the screen half-saw."""
    name, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
    if name in CRISIS_INTENTS:
        return False
    if name == "nlu_fallback" or confidence < config["unsure_below"]:
        return True
    top = [r.get("name") for r in ranking[: config["risk_in_top"]]]
    return any(n in CRISIS_INTENTS for n in top)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyScreen(GraphComponent, IntentClassifier):
    """Forces the crisis or safeguarding intent when the safety screen finds risk."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"unsure_below": 0.75, "risk_in_top": 3}

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyScreen:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Screen each message and, where it finds risk, put the risk intent first."""
        for message in messages:
            self._screen(message)
        return messages

    def _screen(self, message: Message) -> None:
        text = message.get(TEXT)
        if not text:
            return
        result = screen(text)
        intent = message.get(INTENT) or {}
        ranking = list(message.get(INTENT_RANKING_KEY) or [])
        overridden = result.intent is not None and (
            result.level == CRISIS
            or (result.level == POSSIBLE and model_is_unsure(intent, ranking, self._config))
        )
        if overridden:
            forced = {"name": result.intent, "confidence": 1.0}
            message.set(INTENT, forced, add_to_output=True)
            rest = [r for r in ranking if r.get("name") != result.intent]
            message.set(INTENT_RANKING_KEY, [forced, *rest], add_to_output=True)
        message.set(
            OUTPUT_KEY,
            {
                "level": result.level,
                "intent": result.intent,
                "matched": list(result.matched),
                "model_intent": intent.get("name"),
                "overridden": overridden,
            },
            add_to_output=True,
        )
