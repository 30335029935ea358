"""The safety screen as a Rasa pipeline component, in the Rasa runtime, without a trained model:
where the recipe places it, the crisis override, the fail-safe on a weak signal and whose risk
intent it takes, the veto of a harmless reading, someone else's risk, the kind direct question,
and `/intent` payloads left alone. The model's predictions are made up."""

from __future__ import annotations

import pytest
import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.data import TrainingType
from rasa.shared.nlu.constants import INTENT_RANKING_KEY

from bot.components.safety_screen import (
    CHECKABLE,
    OUTPUT_KEY,
    SafetyScreen,
    model_alone,
    model_is_unsure,
    more_urgent_model_reading,
    someone_else_reading,
    top_risk_intent,
)
from safety_screen import RISK_INTENTS, screen
from tests.rasa_runtime.conftest import ROOT, message, ranking_names, run

COMPONENT = "bot.components.safety_screen.SafetyScreen"
CONFIG = SafetyScreen.get_default_config()
CRISIS_TEXT = "i just want to kms tbh"
POSSIBLE_TEXT = "im not suicidal, just really low"
NONE_TEXT = "what youth clubs are there near me"


def entries(*ranking: tuple[str, float]) -> list[dict]:
    return [{"name": n, "confidence": c} for n, c in ranking]


def test_the_premises_the_screen_gives_these_levels():
    assert screen(CRISIS_TEXT).level == "crisis"
    assert screen(POSSIBLE_TEXT).level == "possible"
    assert screen(POSSIBLE_TEXT).intent == "suicidal_thoughts"
    assert screen(NONE_TEXT).level == "none"


def test_the_component_runs_last_after_the_fallback_classifier():
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    names = [step["name"] for step in config["pipeline"]]
    assert names[-1] == COMPONENT
    assert names.index("FallbackClassifier") < names.index(COMPONENT)
    assert names.index("LogisticRegressionClassifier") < names.index(COMPONENT)
    registered = DefaultV1Recipe._registered_components["SafetyScreen"]
    assert DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER in registered.types
    assert not registered.is_trainable
    graphs = DefaultV1Recipe().graph_config_for_recipe(config, {}, TrainingType.NLU)
    nodes = graphs.predict_schema.nodes
    ours = [name for name, node in nodes.items() if node.uses is SafetyScreen]
    assert len(ours) == 1
    before = nodes[ours[0]].needs.get("messages", "")
    if "RiskMeaning" in before:  # the second reader for risk sits between them
        before = nodes[before].needs.get("messages", "")
    assert "FallbackClassifier" in before


# --- the pure decisions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("top", "ranking", "unsure"),
    [
        (("nlu_fallback", 0.4), entries(("nlu_fallback", 0.4), ("low_mood", 0.3)), True),
        (("low_mood", 0.52), entries(("low_mood", 0.52), ("greet", 0.3)), True),
        (
            ("low_mood", 0.81),
            entries(("low_mood", 0.81), ("greet", 0.1), ("self_harm", 0.05)),
            True,
        ),
        (
            ("low_mood", 0.91),
            entries(("low_mood", 0.91), ("greet", 0.05), ("thank_you", 0.02)),
            False,
        ),
        (("self_harm", 0.9), entries(("self_harm", 0.9), ("low_mood", 0.05)), True),
    ],
)
def test_model_is_unsure(top, ranking, unsure):
    intent = {"name": top[0], "confidence": top[1]}
    assert model_is_unsure(intent, ranking, CONFIG, POSSIBLE_TEXT) is unsure


def test_a_someone_else_reading_of_the_young_persons_own_words_is_unsure():
    own = "i dont want to be alive anymore"
    intent = {"name": "worried_about_someone", "confidence": 0.99}
    assert model_is_unsure(intent, entries(("worried_about_someone", 0.99)), CONFIG, own)
    friend = "my friend keeps saying she wants to die"
    assert not model_is_unsure(intent, entries(("worried_about_someone", 0.99)), CONFIG, friend)


def test_the_highest_risk_intent_in_the_top_three():
    assert top_risk_intent(entries(("low_mood", 0.5), ("self_harm", 0.3)), CONFIG) == "self_harm"
    fourth = entries(("a", 0.4), ("b", 0.3), ("c", 0.2), ("self_harm", 0.1))
    assert top_risk_intent(fourth, CONFIG) is None


def test_only_a_more_urgent_model_reading_replaces_the_screens():
    near = entries(("low_mood", 0.8), ("greet", 0.1), ("immediate_danger", 0.05))
    assert more_urgent_model_reading(near, CONFIG, "suicidal_thoughts") == "immediate_danger"
    less = entries(("low_mood", 0.8), ("greet", 0.1), ("self_harm", 0.05))
    assert more_urgent_model_reading(less, CONFIG, "suicidal_thoughts") is None


def test_someone_elses_reading_needs_their_words_and_no_crisis_level():
    ranking = entries(("suicidal_thoughts", 0.7), ("worried_about_someone", 0.2))
    friend = "my friend keeps saying she wants to die"
    assert someone_else_reading(ranking, CONFIG, "possible", friend)
    assert someone_else_reading(ranking, CONFIG, "crisis", friend) is None
    assert someone_else_reading(ranking, CONFIG, "possible", "i want to die") is None


# --- the component on messages ------------------------------------------------------------------


def test_crisis_overrides_a_confident_model(component):
    msg = message(CRISIS_TEXT, [("low_mood", 0.95), ("anxiety_stress", 0.03)])
    intent, info = run(component, msg)
    assert intent == {"name": "suicidal_thoughts", "confidence": 1.0}
    assert ranking_names(msg) == ["suicidal_thoughts", "low_mood", "anxiety_stress"]
    assert info["level"] == "crisis" and info["overridden"] is True
    assert info["model_intent"] == "low_mood"
    assert info["matched"] and all(CRISIS_TEXT not in m for m in info["matched"])
    assert OUTPUT_KEY in msg.as_dict(only_output_properties=True)


@pytest.mark.parametrize(
    ("ranking", "expected"),
    [
        ([("low_mood", 0.52), ("anxiety_stress", 0.30), ("greet", 0.1)], "suicidal_thoughts"),
        ([("nlu_fallback", 0.4), ("low_mood", 0.35), ("greet", 0.2)], "suicidal_thoughts"),
        ([("low_mood", 0.81), ("greet", 0.1), ("suicidal_thoughts", 0.05)], "suicidal_thoughts"),
        ([("low_mood", 0.81), ("greet", 0.1), ("self_harm", 0.05)], "suicidal_thoughts"),
        ([("self_harm", 0.9), ("low_mood", 0.05)], "suicidal_thoughts"),
        ([("low_mood", 0.81), ("greet", 0.1), ("immediate_danger", 0.05)], "immediate_danger"),
        (
            [("low_mood", 0.5), ("greet", 0.2), ("thank_you", 0.1), ("immediate_danger", 0.05)],
            "suicidal_thoughts",
        ),
    ],
)
def test_a_weak_signal_wins_when_the_model_is_unsure(component, ranking, expected):
    msg = message(POSSIBLE_TEXT, ranking)
    intent, info = run(component, msg)
    assert intent == {"name": expected, "confidence": 1.0}
    names = ranking_names(msg)
    assert names[0] == expected and names.count(expected) == 1
    assert info["overridden"] is True and info["level"] == "possible"
    assert info["intent"] == "suicidal_thoughts" and info["model_intent"] == ranking[0][0]


def test_a_blade_the_screen_half_saw_is_danger_when_the_model_reads_danger(component):
    blade = "i found a blade"
    assert (screen(blade).level, screen(blade).intent) == ("possible", "self_harm")
    ranking = [("worried_about_safety", 0.9), ("immediate_danger", 0.09), ("greet", 0.01)]
    assert run(component, message(blade, ranking))[0]["name"] == "immediate_danger"
    ranking = [("family_problems", 0.6), ("abuse_disclosure", 0.3), ("greet", 0.01)]
    assert run(component, message(blade, ranking))[0]["name"] == "self_harm"
    ranking = [("low_mood", 0.5), ("self_harm", 0.3), ("greet", 0.1)]
    assert run(component, message(CRISIS_TEXT, ranking))[0]["name"] == "suicidal_thoughts"


def test_no_override_when_the_model_is_sure_of_something_else(component):
    ranking = [("low_mood", 0.91), ("anxiety_stress", 0.05), ("greet", 0.02)]
    msg = message(POSSIBLE_TEXT, ranking)
    intent, info = run(component, msg)
    assert intent == {"name": "low_mood", "confidence": 0.91}
    assert ranking_names(msg) == [n for n, _ in ranking]
    assert info["overridden"] is False and info["model_intent"] == "low_mood"


def test_no_risk_changes_nothing_but_is_reported(component):
    intent, info = run(
        component, message(NONE_TEXT, [("ask_services", 0.4), ("nlu_fallback", 0.3)])
    )
    assert intent == {"name": "ask_services", "confidence": 0.4}
    assert {k: info[k] for k in ("level", "intent", "matched", "model_intent", "overridden")} == {
        "level": "none",
        "intent": None,
        "matched": [],
        "model_intent": "ask_services",
        "overridden": False,
    }


def test_a_harmless_reading_vetoes_the_models_risk_intent(component):
    harmless = "this homework is killing me"
    assert screen(harmless).level == "none"
    msg = message(harmless, [("suicidal_thoughts", 0.6), ("anxiety_stress", 0.3), ("greet", 0.1)])
    intent, info = run(component, msg)
    assert intent == {"name": "anxiety_stress", "confidence": 0.3}
    assert ranking_names(msg) == ["anxiety_stress", "greet"]
    assert info["vetoed"] is True and info["model_intent"] == "suicidal_thoughts"


def test_someone_elses_risk_keeps_worried_about_someone(component):
    friend = "my friend keeps saying she wants to die"
    ranking = [("suicidal_thoughts", 0.7), ("worried_about_someone", 0.2), ("low_mood", 0.05)]
    intent, info = run(component, message(friend, ranking))
    assert intent == {"name": "worried_about_someone", "confidence": 1.0}
    assert info["someone_else"] is True and info["overridden"] is False
    own = (
        "mum doesnt speak english so i do the letters. "
        "i dont want to be alive anymore and its been like that for months"
    )
    assert screen(own).level == "possible"
    intent, info = run(component, message(own, [("worried_about_someone", 0.99)]))
    assert intent == {"name": "suicidal_thoughts", "confidence": 1.0}
    assert info["someone_else"] is False


def test_unclear_signals_are_marked_for_the_kind_direct_question(component):
    _, info = run(component, message("kms this game is so laggy", [("out_of_scope", 0.6)]))
    assert info["check"] is True
    hyperbole = "this queue is taking forever, im actually dying"
    assert screen(hyperbole).level == "none"
    _, info = run(component, message(hyperbole, [("suicidal_thoughts", 0.47), ("greet", 0.3)]))
    assert info["check"] is True
    _, info = run(component, message(hyperbole, [("suicidal_thoughts", 0.8), ("greet", 0.1)]))
    assert info["check"] is False
    sincere = "about to be a ghost fr and im not playing"
    _, info = run(component, message(sincere, [("suicidal_thoughts", 0.4), ("greet", 0.3)]))
    assert info["check"] is False
    _, info = run(component, message(CRISIS_TEXT, [("low_mood", 0.9)]))
    assert info["check"] is False


def test_a_warning_sign_read_confidently_as_something_else_gets_the_check(component):
    unclear = "whats the point of anything"
    assert screen(unclear).level == "possible"
    intent, info = run(component, message(unclear, [("what_can_you_do", 0.83), ("greet", 0.1)]))
    assert intent["name"] == "suicidal_thoughts" and info["check"] is True
    # "im not suicidal, just really low": a topic word they deny, not a sign to ask about.
    intent, info = run(component, message(POSSIBLE_TEXT, [("low_mood", 0.91)]))
    assert intent["name"] == "low_mood" and info["check"] is False


@pytest.mark.parametrize(
    ("name", "confidence", "level", "outcome"),
    [
        ("suicidal_thoughts", 0.95, "none", "stands"),
        ("suicidal_thoughts", 0.6, "none", "check"),
        ("self_harm", 0.36, "none", "check"),
        ("suicidal_thoughts", 0.3, "none", "gives_way"),
        ("abuse_disclosure", 0.65, "none", "stands"),
        ("abuse_disclosure", 0.55, "none", "gives_way"),
        ("immediate_danger", 0.45, "none", "gives_way"),
        ("suicidal_thoughts", 0.2, "possible", "stands"),  # risk content: the screen decides
        ("low_mood", 0.4, "none", "stands"),  # not a risk intent: nothing to decide
    ],
)
def test_a_risk_intent_from_the_model_alone_needs_confidence(name, confidence, level, outcome):
    intent = {"name": name, "confidence": confidence}
    assert model_alone(intent, level, CONFIG) == outcome


def test_an_everyday_request_read_as_risk_gives_way(component):
    text = "please call me timothy from now on"
    assert screen(text).level == "none"
    ranking = [("suicidal_thoughts", 0.33), ("out_of_scope", 0.31), ("greet", 0.1)]
    intent, info = run(component, message(text, ranking))
    assert intent["name"] == "out_of_scope" and info["check"] is False
    unsure = [("immediate_danger", 0.4), ("out_of_scope", 0.2), ("greet", 0.1)]
    intent, _ = run(component, message("where did i leave my phone", unsure))
    assert intent["name"] == "nlu_fallback"  # nothing else it could be either
    sure = [("abuse_disclosure", 0.9), ("out_of_scope", 0.05)]
    intent, _ = run(component, message("my dad hits me when hes angry", sure))
    assert intent["name"] == "abuse_disclosure"


@pytest.mark.parametrize("text", ["/affirm", ""])
def test_payloads_and_empty_messages_are_left_alone(component, text):
    msg = message(text, [("affirm", 1.0)])
    intent, info = run(component, msg)
    assert intent == {"name": "affirm", "confidence": 1.0} and info is None
    assert msg.get(INTENT_RANKING_KEY)[0]["name"] == "affirm"


def test_a_half_seen_sign_of_abuse_in_a_story_stands_down_when_the_model_reads_otherwise(
    component,
):
    story = "the show had a storyline about sextortion, it was so well done"
    assert screen(story).level == "possible" and screen(story).intent not in CHECKABLE
    intent, info = run(component, message(story, [("out_of_scope", 0.7), ("online_safety", 0.2)]))
    assert intent["name"] == "out_of_scope" and info["stood_down"] is True
    # unsure of its reading, or told it is meant: the card as before
    intent, info = run(component, message(story, [("out_of_scope", 0.4), ("online_safety", 0.3)]))
    assert intent["name"] in RISK_INTENTS and info["stood_down"] is False
    intent, _ = run(
        component, message(story + " but fr its happening to me", [("out_of_scope", 0.7)])
    )
    assert intent["name"] in RISK_INTENTS


def test_an_unsure_risk_reading_of_words_about_someone_else_is_worry_about_them(component):
    text = "she made me promise not to tell"
    assert screen(text).level == "none"
    intent, info = run(component, message(text, [("suicidal_thoughts", 0.54), ("bullying", 0.2)]))
    assert intent["name"] == "worried_about_someone" and info["someone_else"] is True
    assert info["check"] is False
    # about the young person themself, the same reading is asked about
    own = "i made a promise not to tell"
    intent, info = run(component, message(own, [("suicidal_thoughts", 0.54), ("bullying", 0.2)]))
    assert intent["name"] == "suicidal_thoughts" and info["check"] is True


@pytest.mark.parametrize(
    "text",
    [
        "i used to self harm in year 9 but im 3 years clean now, how do i explain my scars",
        "a few years ago i wanted to die but therapy helped loads, im in a good place now",
    ],
)
def test_a_sign_said_to_be_over_gets_the_question_not_the_card(component, text):
    assert screen(text).level != "crisis"
    # nothing else it could be: the kind direct question
    intent, info = run(component, message(text, [("self_harm", 0.9), ("low_mood", 0.05)]))
    assert intent["name"] in {"self_harm", "suicidal_thoughts"} and info["check"] is True
    # the model's best other reading, when it has one, stands: no card, no question
    intent, info = run(component, message(text, [("self_harm", 0.6), ("ask_tips", 0.35)]))
    assert intent["name"] == "ask_tips" and info["check"] is False


@pytest.mark.parametrize(
    "text",
    [
        "i was clean for 6 months and did it again last night",
        "i was in a good place after therapy but now i want to die",
    ],
)
def test_a_sign_that_is_back_keeps_the_card(component, text):
    intent, info = run(component, message(text, [("self_harm", 0.9), ("low_mood", 0.05)]))
    assert intent["name"] in RISK_INTENTS and info["check"] is False


def test_abuse_read_by_the_model_alone_in_a_message_said_to_be_over_gives_way(component):
    text = "got into some bad stuff at 15 but im 19 now and fine, how do i get into youth work"
    assert screen(text).level == "none"
    ranking = [("abuse_disclosure", 0.7), ("find_trusted_adult", 0.2)]
    intent, info = run(component, message(text, ranking))
    assert intent["name"] not in RISK_INTENTS and info["vetoed"] is True
    assert info["model_intent"] == "abuse_disclosure" and info["model_confidence"] == 0.7
    # something current beside it: the model's reading stands
    current = "got into some bad stuff at 15, im 19 now and fine but its started again"
    intent, _ = run(component, message(current, ranking))
    assert intent["name"] == "abuse_disclosure"
