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
from safety_screen import RISK_INTENTS, screen
from tests.rasa_runtime.conftest import ROOT, message, run

POSSIBLE_TEXT = "im not suicidal, just really low"

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
        # the readers disagree: a sure suicide or self-harm reading is asked about, not carded
        ("suicidal_thoughts", 0.97, "none", 0.05, "check"),  # "i want to transfer my 401k"
        ("self_harm", 0.8, "none", 0.099, "check"),
        ("suicidal_thoughts", 0.6, "none", 0.05, "gives_way"),  # unsure: not even asked
        # abuse and danger cannot be asked about: they stand when the model is very sure
        ("immediate_danger", 0.95, "none", 0.05, "stands"),
        ("immediate_danger", 0.67, "none", 0.05, "gives_way"),  # "i think i've got a flat tyre"
        ("abuse_disclosure", 0.89, "none", 0.05, "gives_way"),
        # the meaning leans to a risk (from the floor up): the model alone decides as before
        ("suicidal_thoughts", 0.97, "none", 0.1, "stands"),
        ("suicidal_thoughts", 0.6, "none", 0.3, "check"),
        ("immediate_danger", 0.67, "none", 0.3, "stands"),
        ("suicidal_thoughts", 0.97, "none", None, "stands"),  # no second reader: as before
        ("suicidal_thoughts", 0.3, "possible", 0.01, "stands"),  # the screen found risk content
        ("abuse_disclosure", 0.3, "crisis", 0.01, "stands"),
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
    intent, info = run(component, with_meaning(everyday, ranking, 0.7))
    assert intent["name"] == "suicidal_thoughts" and info["check"]
    sure = [("suicidal_thoughts", 0.97), ("out_of_scope", 0.02)]
    intent, info = run(component, with_meaning(everyday, sure, 0.03))
    assert intent["name"] == "suicidal_thoughts" and info["check"]  # asked, not carded
    # what the screen finds is never taken away, whatever the meaning reads
    intent, info = run(component, with_meaning("i just want to kms tbh", ranking, 0.01))
    assert intent["name"] == "suicidal_thoughts" and info["level"] == "crisis"
    assert screen(POSSIBLE_TEXT).level == "possible"
    unsure = [("greet", 0.5), ("suicidal_thoughts", 0.3)]
    intent, info = run(component, with_meaning(POSSIBLE_TEXT, unsure, 0.01))
    assert intent["name"] == "suicidal_thoughts" and info["overridden"]


def test_someone_elses_risk_is_still_worry_about_them_whatever_the_meaning(component):
    text = "she made me promise not to tell"
    assert screen(text).level == "none"
    ranking = [("suicidal_thoughts", 0.5), ("feeling_lonely", 0.3), ("greet", 0.1)]
    for meaning in (0.05, 0.5):
        intent, info = run(component, with_meaning(text, ranking, meaning))
        assert intent["name"] == "worried_about_someone" and info["someone_else"]


def test_trained_on_one_kind_only_it_stores_nothing_and_reads_nothing(storage):
    one_kind = TrainingData(
        training_examples=[featurised(f"e{i}", EVERYDAY, "out_of_scope") for i in range(5)]
    )
    resource = Resource("one_kind")
    RiskMeaning.create({}, storage, resource, context()).train(one_kind)
    loaded = RiskMeaning.load({}, storage, resource, context())
    msg = featurised("a", RISKY)
    loaded.process([msg])
    assert msg.get(OUTPUT_KEY) is None


def test_a_vector_of_another_size_is_left_unread(storage):
    trained = RiskMeaning.create({}, storage, Resource("sized"), context())
    trained.train(examples(np.random.default_rng(5)))
    msg = featurised("a", np.ones(7))
    trained.process([msg])
    assert msg.get(OUTPUT_KEY) is None


def test_the_training_cache_sees_which_intents_count_as_a_risk():
    addon = RiskMeaning.fingerprint_addon({})
    assert addon is not None and all(name in addon for name in RISK_INTENTS)
