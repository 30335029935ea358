"""The second reader for risk (`bot.components.risk_meaning`): trained on sentence vectors, stored
in the model as two arrays and read back, and used by the safety component only to let a risk
read by the model alone give way. The vectors here are made up: two directions in a small space."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.risk_meaning import OUTPUT_KEY, RiskMeaning
from bot.components.safety_screen import SafetyScreen, model_alone
from tests.rasa_runtime.conftest import ROOT, message, run

RISKY = np.array([1.0, 0.2, 0.0, 0.1])
EVERYDAY = np.array([0.0, 0.1, 1.0, 0.3])


def featurised(text: str, vector: np.ndarray, intent: str | None = None) -> Message:
    msg = Message(data={TEXT: text, **({INTENT: intent} if intent else {})})
    msg.add_features(Features(vector[None, :] * 8.0, "sentence", TEXT, "SentenceEncoder"))
    return msg


def examples(rng: np.random.Generator) -> TrainingData:
    made = []
    for i in range(40):
        made.append(featurised(f"r{i}", RISKY + rng.normal(0, 0.2, 4), "suicidal_thoughts"))
        made.append(featurised(f"e{i}", EVERYDAY + rng.normal(0, 0.2, 4), "out_of_scope"))
        made.append(featurised(f"n{i}", EVERYDAY + rng.normal(0, 0.2, 4), "low_mood"))
    return TrainingData(training_examples=made)


@pytest.fixture()
def storage():
    with tempfile.TemporaryDirectory() as tmp:
        yield LocalModelStorage(Path(tmp))


def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), node_name="risk_meaning")


def test_it_is_trained_stored_and_read_back(storage):
    resource = Resource("risk_meaning")
    trained = RiskMeaning.create({}, storage, resource, context())
    trained.train(examples(np.random.default_rng(7)))
    loaded = RiskMeaning.load({}, storage, resource, context())
    risky, everyday = featurised("a", RISKY), featurised("b", EVERYDAY)
    loaded.process([risky, everyday])
    assert risky.get(OUTPUT_KEY) > 0.9
    assert everyday.get(OUTPUT_KEY) < 0.1
    assert loaded.probability(risky) == pytest.approx(trained.probability(risky))


def test_untrained_or_unfeaturised_it_leaves_the_message_unread(storage):
    resource = Resource("nothing_stored")
    untrained = RiskMeaning.load({}, storage, resource, context())
    msg = featurised("a", RISKY)
    untrained.process([msg])
    assert msg.get(OUTPUT_KEY) is None
    trained = RiskMeaning.create({}, storage, Resource("trained"), context())
    trained.train(examples(np.random.default_rng(3)))
    bare = Message(data={TEXT: "no features"})
    trained.process([bare])
    assert bare.get(OUTPUT_KEY) is None


def test_it_runs_after_the_encoder_and_before_the_safety_screen():
    names = [step["name"] for step in yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]]
    ours = names.index("bot.components.risk_meaning.RiskMeaning")
    assert names.index("bot.components.sentence_encoder.SentenceEncoder") < ours
    assert ours == names.index("bot.components.safety_screen.SafetyScreen") - 1


CONFIG = SafetyScreen.get_default_config()


@pytest.mark.parametrize(
    ("name", "confidence", "level", "meaning", "outcome"),
    [
        ("suicidal_thoughts", 0.97, "none", 0.05, "gives_way"),  # "i want to transfer my 401k"
        ("abuse_disclosure", 0.9, "none", 0.05, "gives_way"),
        ("suicidal_thoughts", 0.97, "none", 0.6, "stands"),
        ("suicidal_thoughts", 0.6, "none", 0.6, "check"),
        ("suicidal_thoughts", 0.97, "none", None, "stands"),  # no second reader: as before
        ("suicidal_thoughts", 0.3, "possible", 0.01, "stands"),  # the screen found risk content
    ],
)
def test_a_risk_the_model_alone_reads_gives_way_when_it_means_none(
    name, confidence, level, meaning, outcome
):
    assert model_alone({"name": name, "confidence": confidence}, level, CONFIG, meaning) == outcome


def with_meaning(text: str, ranking: list[tuple[str, float]], meaning: float) -> Message:
    msg = message(text, ranking)
    msg.set(OUTPUT_KEY, meaning)
    return msg


def test_the_safety_component_uses_the_meaning_only_for_the_model_alone(component):
    everyday = "i want to transfer my 401k"
    ranking = [("suicidal_thoughts", 0.6), ("out_of_scope", 0.35)]
    intent, info = run(component, with_meaning(everyday, ranking, 0.03))
    assert intent["name"] == "out_of_scope" and info["vetoed"] and not info["check"]
    intent, _ = run(component, with_meaning(everyday, ranking, 0.7))
    assert intent["name"] == "suicidal_thoughts"
    # what the screen finds is never taken away, whatever the meaning reads
    intent, info = run(component, with_meaning("i just want to kms tbh", ranking, 0.01))
    assert intent["name"] == "suicidal_thoughts" and info["level"] == "crisis"
