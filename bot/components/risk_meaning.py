"""A second reader for risk: does the meaning of the whole message sound like a risk at all?

The intent classifier weighs word and character counts beside the sentence vectors, so wording
learnt from the warning signs ("i want to ...", "plan", "goodbye", "last") can carry an everyday
request to a risk intent with high confidence ("i want to transfer my 401k"). This component
reads only the meaning: a logistic regression, fitted at training time, of "a risk intent or not"
on the sentence vectors that ``SentenceEncoder`` adds (the training examples of the four risk
intents against every other example, the everyday requests among them). Each message gets
``risk_meaning``: the probability, 0-1, that its meaning is a risk.

``SafetyScreen`` uses it only where the model alone reads a risk (the screen found nothing) and
the meaning is plainly not a risk (under ``meaning_floor``): an unsure reading gives way, a sure
reading of suicide or self-harm is asked about instead of carded, abuse or danger stands only
when the model is very sure. It never changes what the screen finds, and never gives a card.

The weights are stored as two NumPy arrays in the model (no pickle). ``C`` 3 with balanced
classes, chosen on the development sets (docs/nlu-pipeline.md, "Session 13").
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.linear_model import LogisticRegression

from safety_screen import RISK_INTENTS

logger = logging.getLogger(__name__)

OUTPUT_KEY = "risk_meaning"
_WEIGHTS = "weights.npy"
_BIAS = "bias.npy"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class RiskMeaning(GraphComponent):
    """The probability that a message's meaning is a risk, from its sentence vector alone."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"C": 3.0, "max_iter": 2000}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """What the training cache must also see: which intents count as a risk."""
        return ",".join(sorted(RISK_INTENTS))

    @staticmethod
    def sentence_vector(message: Message) -> np.ndarray | None:
        """The message's dense sentence feature, unit length (whatever the encoder's scale)."""
        _, sentence = message.get_dense_features(TEXT)
        if sentence is None:
            return None
        vector = np.asarray(sentence.features, dtype=np.float64).reshape(-1)
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 0 else None

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        weights: np.ndarray | None = None,
        bias: float = 0.0,
    ) -> None:
        self._config = {**self.get_default_config(), **(config or {})}
        self._storage = model_storage
        self._resource = resource
        self._weights = weights
        self._bias = bias

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RiskMeaning:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Fit "a risk intent or not" on the training examples' sentence vectors."""
        rows, labels = [], []
        for example in training_data.intent_examples:
            vector = self.sentence_vector(example)
            if vector is not None:
                rows.append(vector)
                labels.append(example.get(INTENT) in RISK_INTENTS)
        if len(set(labels)) < 2:
            logger.warning("RiskMeaning: no risk and non-risk examples to learn from")
            return self._resource
        fitted = LogisticRegression(
            C=float(self._config["C"]),
            max_iter=int(self._config["max_iter"]),
            class_weight="balanced",
        ).fit(np.vstack(rows), np.asarray(labels))
        self._weights = fitted.coef_[0].astype(np.float64)
        self._bias = float(fitted.intercept_[0])
        with self._storage.write_to(self._resource) as directory:
            np.save(Path(directory) / _WEIGHTS, self._weights)
            np.save(Path(directory) / _BIAS, np.asarray([self._bias]))
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> RiskMeaning:
        try:
            with model_storage.read_from(resource) as directory:
                weights = np.load(Path(directory) / _WEIGHTS)
                bias = float(np.load(Path(directory) / _BIAS)[0])
        except (ValueError, FileNotFoundError):
            logger.warning("RiskMeaning: no trained weights; every message is left unread")
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, weights, bias)

    def probability(self, message: Message) -> float | None:
        """The probability that the message's meaning is a risk; None if it cannot be read."""
        if self._weights is None:
            return None
        vector = self.sentence_vector(message)
        if vector is None:
            return None
        if vector.shape != self._weights.shape:
            logger.warning("RiskMeaning: the sentence vector does not fit the trained weights")
            return None
        return float(1.0 / (1.0 + np.exp(-(vector @ self._weights + self._bias))))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            try:
                probability = self.probability(message)
            except Exception as exc:  # never break parsing: unread, the model alone decides
                logger.error("risk meaning failed: %s", type(exc).__name__)
                continue
            if probability is not None:
                message.set(OUTPUT_KEY, probability, add_to_output=True)
        return messages
