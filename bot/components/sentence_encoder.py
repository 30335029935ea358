"""A dense sentence featurizer for Rasa: all-MiniLM-L6-v2 sentence vectors (see ``minilm.py``).

Adds one sentence-level dense feature to the text of every message: the model's sentence vector
(384 numbers, unit length) and, for each further number in ``layers``, the same mean pooling of
that encoder layer's output (another unit vector), all times ``scale``. The
``LogisticRegressionClassifier`` stacks it beside the sparse word, character and lexicon counts;
``scale`` sets how much it weighs against them. Both were chosen by cross-validation
(`docs/nlu-pipeline.md`): the last layer with layers 4 and 2 beside it did better than the last
layer alone. No sequence features: the entity extractor keeps its own token features.

The pretrained vectors carry word knowledge that ~60 examples an intent cannot ("skint" is near
"no money", "nobody texts me back" near "lonely"), which is what lets the bot understand phrasing
nobody wrote down.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.minilm import LAYERS, check_layers, shared_model


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceEncoder(DenseFeaturizer, GraphComponent):
    """all-MiniLM-L6-v2 sentence embeddings as a dense sentence feature."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            "scale": 8.0,
            "batch_size": 32,
            "layers": [LAYERS],
        }

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if not float(config["scale"]) > 0:
            raise InvalidConfigException("SentenceEncoder: `scale` must be greater than 0")
        if int(config["batch_size"]) < 1:
            raise InvalidConfigException("SentenceEncoder: `batch_size` must be at least 1")
        try:
            if not isinstance(config["layers"], list):
                raise ValueError("layers must be a list")
            check_layers(config["layers"])
        except ValueError as error:
            raise InvalidConfigException(f"SentenceEncoder: `{error}`") from error

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._model = shared_model()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEncoder:
        return cls(config, execution_context.node_name)

    def _featurize(self, messages: list[Message]) -> None:
        todo = [m for m in messages if m.get(TEXT)]
        if not todo:
            return
        vectors = self._model.encode(
            [m.get(TEXT) for m in todo],
            batch_size=int(self._config["batch_size"]),
            layers=tuple(self._config["layers"]),
        )
        vectors *= np.float32(self._config["scale"])
        for message, vector in zip(todo, vectors, strict=True):
            self.add_features_to_message(None, vector[None, :], TEXT, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages)
        return messages
