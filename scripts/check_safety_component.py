"""Checks the Rasa safety component without training a model; prints OK.

Run from the repository root in the Rasa runtime:

    PYTHONPATH=. .venv-rasa/bin/python scripts/check_safety_component.py

It builds ``bot.components.safety_screen.SafetyScreen`` the way the graph does, checks that the
default recipe places it last (after FallbackClassifier), and runs it on messages with made-up
model predictions: the crisis override, the fail-safe on a weak signal when the model is unsure
(taking the model's own risk intent when it ranks a more urgent one near the top), no override
when the model is sure, the veto of a harmless reading, someone else's risk, the kind direct
question for unclear signals, and ``/intent`` payloads left alone.
``tests/bot/test_safety_component.py`` runs it.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.engine.recipes.default_recipe import DefaultV1Recipe  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.shared.data import TrainingType  # noqa: E402
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from bot.components.safety_screen import OUTPUT_KEY, SafetyScreen  # noqa: E402
from safety_screen import screen  # noqa: E402

COMPONENT = "bot.components.safety_screen.SafetyScreen"


def check_pipeline_position() -> None:
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    names = [step["name"] for step in config["pipeline"]]
    assert names[-1] == COMPONENT, f"the safety component must run last, not {names[-1]}"
    assert names.index("FallbackClassifier") < names.index(COMPONENT)
    assert names.index("LogisticRegressionClassifier") < names.index(COMPONENT)
    registered = DefaultV1Recipe._registered_components["SafetyScreen"]
    assert DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER in registered.types
    assert not registered.is_trainable
    # The recipe turns the config into graphs: the component must be placed and fed by the
    # fallback classifier's output.
    graphs = DefaultV1Recipe().graph_config_for_recipe(config, {}, TrainingType.NLU)
    nodes = graphs.predict_schema.nodes
    ours = [name for name, node in nodes.items() if node.uses is SafetyScreen]
    assert len(ours) == 1, ours
    fed_by = nodes[ours[0]].needs.get("messages")
    assert fed_by and "FallbackClassifier" in fed_by, fed_by


def build() -> SafetyScreen:
    with tempfile.TemporaryDirectory() as tmp:
        component = SafetyScreen.create(
            {**SafetyScreen.get_default_config()},
            LocalModelStorage(Path(tmp)),
            Resource("safety_screen"),
            ExecutionContext(GraphSchema({}), node_name="safety_screen"),
        )
    assert isinstance(component, SafetyScreen)
    return component


def message(text: str, ranking: list[tuple[str, float]]) -> Message:
    intents = [{"name": name, "confidence": conf} for name, conf in ranking]
    return Message(data={TEXT: text, INTENT: dict(intents[0]), INTENT_RANKING_KEY: intents})


def run(component: SafetyScreen, msg: Message) -> tuple[dict[str, Any], dict[str, Any]]:
    (out,) = component.process([msg])
    return out.get(INTENT), out.get(OUTPUT_KEY)


def main() -> None:
    check_pipeline_position()
    component = build()

    # The premises: these messages get these levels from the screen.
    crisis_text = "i just want to kms tbh"
    possible_text = "im not suicidal, just really low"
    none_text = "what youth clubs are there near me"
    assert screen(crisis_text).level == "crisis", screen(crisis_text)
    assert screen(possible_text).level == "possible", screen(possible_text)
    assert screen(none_text).level == "none", screen(none_text)
    risk = screen(possible_text).intent

    # (a) crisis: overrides a confident model, confidence 1.0, first in the ranking.
    msg = message(crisis_text, [("low_mood", 0.95), ("anxiety_stress", 0.03)])
    intent, info = run(component, msg)
    assert intent == {"name": "suicidal_thoughts", "confidence": 1.0}, intent
    assert msg.get(INTENT_RANKING_KEY)[0] == intent
    assert [r["name"] for r in msg.get(INTENT_RANKING_KEY)] == [
        "suicidal_thoughts",
        "low_mood",
        "anxiety_stress",
    ]
    assert info["level"] == "crisis" and info["overridden"] is True
    assert info["model_intent"] == "low_mood"
    assert info["matched"] and all(crisis_text not in m for m in info["matched"])
    assert OUTPUT_KEY in msg.as_dict(only_output_properties=True)

    # (b) fail-safe: a weak signal wins when the model is unsure. The screen's intent is used
    # unless the model itself ranks a more urgent risk intent in its top 3 (danger now before
    # suicide before self-harm before abuse, the lexicon's intent_priority): then the model's.
    assert risk == "suicidal_thoughts", risk
    unsure = {
        "low confidence": ([("low_mood", 0.52), ("anxiety_stress", 0.30), ("greet", 0.1)], risk),
        "nlu_fallback": ([("nlu_fallback", 0.4), ("low_mood", 0.35), ("greet", 0.2)], risk),
        "screen's risk in top 3": ([("low_mood", 0.81), ("greet", 0.1), (risk, 0.05)], risk),
        "less urgent risk in top 3": (
            [("low_mood", 0.81), ("greet", 0.1), ("self_harm", 0.05)],
            risk,
        ),
        "less urgent risk on top": ([("self_harm", 0.9), ("low_mood", 0.05)], risk),
        "more urgent risk in top 3": (
            [("low_mood", 0.81), ("greet", 0.1), ("immediate_danger", 0.05)],
            "immediate_danger",
        ),
        "more urgent risk only 4th": (
            [("low_mood", 0.5), ("greet", 0.2), ("thank_you", 0.1), ("immediate_danger", 0.05)],
            risk,
        ),
    }
    for case, (ranking, expected) in unsure.items():
        msg = message(possible_text, ranking)
        intent, info = run(component, msg)
        assert intent == {"name": expected, "confidence": 1.0}, (case, intent)
        names = [r["name"] for r in msg.get(INTENT_RANKING_KEY)]
        assert names[0] == expected and names.count(expected) == 1, (case, names)
        assert info["overridden"] is True and info["level"] == "possible", (case, info)
        assert info["intent"] == risk and info["model_intent"] == ranking[0][0], (case, info)

    # A blade the screen half-saw as self-harm, which the model reads as danger: danger it is.
    blade_text = "i found a blade"
    assert (screen(blade_text).level, screen(blade_text).intent) == ("possible", "self_harm")
    ranking = [("worried_about_safety", 0.9), ("immediate_danger", 0.09), ("greet", 0.01)]
    intent, info = run(component, message(blade_text, ranking))
    assert intent == {"name": "immediate_danger", "confidence": 1.0}, intent
    ranking = [("family_problems", 0.6), ("abuse_disclosure", 0.3), ("greet", 0.01)]
    intent, info = run(component, message(blade_text, ranking))
    assert intent == {"name": "self_harm", "confidence": 1.0}, intent
    # A crisis-level screen result is never replaced by the model's reading.
    ranking = [("low_mood", 0.5), ("self_harm", 0.3), ("greet", 0.1)]
    intent, info = run(component, message(crisis_text, ranking))
    assert intent == {"name": "suicidal_thoughts", "confidence": 1.0}, intent

    # ... and not when the model is sure of something else.
    ranking = [("low_mood", 0.91), ("anxiety_stress", 0.05), ("greet", 0.02)]
    msg = message(possible_text, ranking)
    intent, info = run(component, msg)
    assert intent == {"name": "low_mood", "confidence": 0.91}, intent
    assert [r["name"] for r in msg.get(INTENT_RANKING_KEY)] == [n for n, _ in ranking]
    assert info["overridden"] is False and info["model_intent"] == "low_mood"

    # No risk: nothing changes, but the model's own intent is still reported.
    msg = message(none_text, [("ask_services", 0.4), ("nlu_fallback", 0.3)])
    intent, info = run(component, msg)
    assert intent == {"name": "ask_services", "confidence": 0.4}, intent
    expected = {
        "level": "none",
        "intent": None,
        "matched": [],
        "model_intent": "ask_services",
        "overridden": False,
    }
    assert {k: info.get(k) for k in expected} == expected, info

    # Veto: no risk and a harmless reading ("this homework is killing me"): the model's risk
    # intent gives way to its best other intent.
    harmless = "this homework is killing me"
    assert screen(harmless).level == "none", screen(harmless)
    msg = message(harmless, [("suicidal_thoughts", 0.6), ("anxiety_stress", 0.3), ("greet", 0.1)])
    intent, info = run(component, msg)
    assert intent == {"name": "anxiety_stress", "confidence": 0.3}, intent
    assert [r["name"] for r in msg.get(INTENT_RANKING_KEY)] == ["anxiety_stress", "greet"]
    assert info["vetoed"] is True and info["model_intent"] == "suicidal_thoughts", info

    # Someone else's risk: at the possible level, the model's "worried about someone" stands...
    friend = "my friend keeps saying she wants to die"
    assert screen(friend).level == "possible", screen(friend)
    ranking = [("suicidal_thoughts", 0.7), ("worried_about_someone", 0.2), ("low_mood", 0.05)]
    intent, info = run(component, message(friend, ranking))
    assert intent == {"name": "worried_about_someone", "confidence": 1.0}, intent
    assert info["someone_else"] is True and info["overridden"] is False, info
    # ... but not when the words are about the young person themself.
    own = (
        "mum doesnt speak english so i do the letters. "
        "i dont want to be alive anymore and its been like that for months"
    )
    assert screen(own).level == "possible", screen(own)
    ranking = [("worried_about_someone", 0.99), ("family_problems", 0.01)]
    intent, info = run(component, message(own, ranking))
    assert intent == {"name": "suicidal_thoughts", "confidence": 1.0}, intent
    assert info["someone_else"] is False

    # The kind direct question: a possible signal next to a game, or a suicide reading of the
    # model alone at low confidence, is unclear; danger now is never a question.
    intent, info = run(component, message("kms this game is so laggy", [("out_of_scope", 0.6)]))
    assert intent["name"] == "suicidal_thoughts" and info["check"] is True, (intent, info)
    hyperbole = "this queue is taking forever, im actually dying"
    assert screen(hyperbole).level == "none", screen(hyperbole)
    intent, info = run(component, message(hyperbole, [("suicidal_thoughts", 0.47), ("greet", 0.3)]))
    assert intent["name"] == "suicidal_thoughts" and info["check"] is True, info
    intent, info = run(component, message(hyperbole, [("suicidal_thoughts", 0.8), ("greet", 0.1)]))
    assert info["check"] is False, info
    intent, info = run(component, message(crisis_text, [("low_mood", 0.9)]))
    assert info["check"] is False, info

    # An "/intent" payload and an empty message are left alone.
    for text in ("/affirm", ""):
        msg = message(text, [("affirm", 1.0)])
        intent, info = run(component, msg)
        assert intent == {"name": "affirm", "confidence": 1.0} and info is None, (text, info)

    print("OK")


if __name__ == "__main__":
    main()
