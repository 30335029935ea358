"""The safety screen inside Rasa's NLU pipeline: a crisis is never lost to a low confidence.

Runs last in the pipeline (after the intent classifier and FallbackClassifier). For each message:

- the model's own top intent is recorded before anything changes (``safety_screen.model_intent``
  in the ``/model/parse`` output), so the model can be measured on its own;
- when the deterministic screen (``safety_screen/``, the same source the API uses) says
  ``crisis``, its intent wins with confidence 1.0 and goes first in ``intent_ranking``;
- fail-safe: when the screen says ``possible`` and the model is unsure (its top intent is not a
  risk intent and has confidence < 0.75, or it is ``nlu_fallback``, or a risk intent is among the
  top 3 of the ranking), a risk intent wins the same way: the screen's, or the model's own
  highest-ranked risk intent in its top 3 when that one is more urgent (it read the whole message,
  the screen saw a word: "a blade" in someone else's hand is danger, not self-harm).

- someone else: when the risk is plainly someone else's ("my friend keeps saying she wants to
  die": a third-party subject in the screen's own words) and the model ranks
  ``worried_about_someone`` in its top 3, that intent stands instead of a risk intent, unless the
  screen says ``crisis``; the same when the model alone is unsure of a risk reading of words
  about someone else ("she made me promise not to tell"). The action then answers the helper:
  the helper's crisis card when the other person is in danger now, otherwise how to help.
- check: when the screen's signal is only possible and the message has a recognisable harmless
  reading (a game, a story, schoolwork: "kms this game is so laggy") but a risk intent is read,
  ``safety_screen.check`` is true: the dialogue asks the kind direct question instead of giving
  the crisis response (contract: ``risk_check``). The same when a possible sign of suicide or
  self-harm is read by the model, confidently, as something else ("whats the point of
  anything" as a question about the bot): unclear, so asked, not dropped.
- stand down: when the screen's signal of abuse or danger is only possible, the message has a
  recognisable harmless reading (a game, a story, a lesson: "the show had a storyline about
  sextortion") and the model reads it, at ``benign_sure_above`` or more, as something other
  than a risk (and they do not say they mean it), the model's reading stands: no card.
- over: a sign of suicide or self-harm the screen only half-saw, or the model alone read, in a
  message that says it is over ("i used to self harm, 3 years clean now": ``rules.recovered``,
  with nothing current: ``rules.current_again``) is the model's best other reading when that
  has ``fallback_below`` or more, otherwise the kind direct question; never the card. Abuse or
  danger read by the model alone (the screen found nothing) in such a message gives way to the
  model's best other reading.
- veto: when the screen found no risk but recognised a harmless reading (an idiom, a game, a
  story, schoolwork: ``safety_screen.benign``), a risk intent from the model alone gives way to
  the model's best other intent.
- the model alone: a risk intent with no risk content in the message (no screen signal, no
  warning-sign family) needs confidence. A suicide or self-harm reading stands at
  ``check_below`` or more; between ``check_floor`` and that, the dialogue asks the kind direct
  question (unless they say they mean it); below the floor it gives way to the model's best
  other intent. Abuse and danger, which cannot be asked about that way, stand from
  ``model_alone_above`` and give way below it ("i want to be called timothy" is not risk).
  When the second reader (``risk_meaning.RiskMeaning``, from the sentence vector alone) finds
  the message's meaning plainly not a risk (under ``meaning_floor``), a sure suicide or
  self-harm reading is asked about instead, and abuse or danger stands only from
  ``meaning_sure_above``. The thresholds were fitted on the development sets
  (docs/nlu-pipeline.md).

Messages without text (``/intent`` payloads) are left alone. Nothing here logs message text.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME, INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from safety_screen import CRISIS, NONE, POSSIBLE, RISK_INTENTS, load_lexicon, screen
from safety_screen.benign import asks_directly, benign_context, recovered, sincere
from safety_screen.subject import about_someone_else

logger = logging.getLogger(__name__)

OUTPUT_KEY = "safety_screen"
MEANING_KEY = "risk_meaning"  # set by bot.components.risk_meaning.RiskMeaning, when it runs
SOMEONE_ELSE = "worried_about_someone"
# The risks the kind direct question is about; danger now and abuse always get the card.
CHECKABLE = frozenset({"suicidal_thoughts", "self_harm"})


def top_risk_intent(ranking: list[dict[str, Any]], config: dict) -> str | None:
    """The risk intent the model ranks highest within its top ``risk_in_top``, if any."""
    for entry in ranking[: config["risk_in_top"]]:
        if entry.get(INTENT_NAME_KEY) in RISK_INTENTS:
            return entry.get(INTENT_NAME_KEY)
    return None


def model_is_unsure(
    intent: dict[str, Any], ranking: list[dict[str, Any]], config: dict, text: str = ""
) -> bool:
    """True when the model's own reading leaves room for a risk the screen half-saw."""
    name = intent.get(INTENT_NAME_KEY)
    confidence = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
    if name == DEFAULT_NLU_FALLBACK_INTENT_NAME:
        return True
    if name == SOMEONE_ELSE and not about_someone_else(text):
        return True  # "someone else" read into a message about the young person themself
    if name not in RISK_INTENTS and confidence < config["unsure_below"]:
        return True
    return top_risk_intent(ranking, config) is not None


def reads_otherwise(intent: dict[str, Any], config: dict) -> bool:
    """True when the model's own top intent is something other than a risk, and it is sure."""
    name = intent.get(INTENT_NAME_KEY)
    confidence = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
    return (
        name not in RISK_INTENTS
        and name != DEFAULT_NLU_FALLBACK_INTENT_NAME
        and confidence >= config["benign_sure_above"]
    )


def best_other_confidence(ranking: list[dict[str, Any]]) -> float:
    """The confidence of the model's best reading that is not a risk (0 if there is none)."""
    for entry in ranking:
        if entry.get(INTENT_NAME_KEY) not in RISK_INTENTS:
            return float(entry.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
    return 0.0


def someone_else_reading(
    ranking: list[dict[str, Any]], config: dict, level: str, text: str
) -> dict[str, Any] | None:
    """The model's ``worried_about_someone`` entry when the risk is plainly someone else's."""
    if level == CRISIS:
        return None
    for entry in ranking[: config["risk_in_top"]]:
        if entry.get(INTENT_NAME_KEY) == SOMEONE_ELSE:
            return entry if about_someone_else(text) else None
    return None


def model_alone(
    intent: dict[str, Any], level: str, config: dict, meaning: float | None = None
) -> str:
    """What a risk intent read by the model alone (the screen found nothing) comes to:
    "stands", "check" (the kind direct question) or "gives_way" (the best other intent).

    ``meaning`` is the second reader's probability that the message means a risk at all
    (``risk_meaning.RiskMeaning``). Under ``meaning_floor`` the two readers disagree, and the
    model alone no longer decides: a sure reading of suicide or self-harm (``check_below`` or
    more) is asked about instead of carded, an unsure one gives way ("i want to transfer my
    401k"); abuse or danger, which cannot be asked about, stands only from ``meaning_sure_above``
    ("my friend took something and now shes shaking" stands; "i think i've got a flat tyre" read
    as danger at 0.67 gives way)."""
    name = intent.get(INTENT_NAME_KEY)
    if level != NONE or name not in RISK_INTENTS:
        return "stands"
    confidence = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
    if meaning is not None and meaning < config["meaning_floor"]:
        if name in CHECKABLE:
            return "check" if confidence >= config["check_below"] else "gives_way"
        return "stands" if confidence >= config["meaning_sure_above"] else "gives_way"
    if name in CHECKABLE:
        if confidence >= config["check_below"]:
            return "stands"
        return "check" if confidence >= config["check_floor"] else "gives_way"
    return "stands" if confidence >= config["model_alone_above"] else "gives_way"


def more_urgent_model_reading(
    ranking: list[dict[str, Any]], config: dict, screen_intent: str
) -> str | None:
    """The model's highest-ranked risk intent in its top ``risk_in_top``, if more urgent.

    At ``possible`` the screen saw a risk word but not what it meant ("a blade" in someone else's
    hand is danger, not self-harm). When the model, which read the whole message, ranks near the
    top a risk intent that comes before the screen's in the lexicon's ``intent_priority``
    (danger now first), the model's is taken. A less urgent reading never replaces the screen's.
    """
    name = top_risk_intent(ranking, config)
    rank = load_lexicon().intent_rank
    return name if name is not None and rank[name] < rank[screen_intent] else None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyScreen(GraphComponent, IntentClassifier):
    """Forces the crisis or safeguarding intent when the safety screen finds risk."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Below ``unsure_below`` or with a risk intent in the top ``risk_in_top``: unsure; in a
        recognised game, story or lesson, sure from ``benign_sure_above``.
        ``check_below``, ``check_floor``, ``model_alone_above``, ``meaning_floor``,
        ``meaning_sure_above``: see ``model_alone``."""
        return {
            "unsure_below": 0.75,
            "risk_in_top": 3,
            "check_below": 0.8,
            "check_floor": 0.35,
            "model_alone_above": 0.6,
            "fallback_below": 0.3,
            "benign_sure_above": 0.5,
            "meaning_floor": 0.1,
            "meaning_sure_above": 0.9,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = {**self.get_default_config(), **(config or {})}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyScreen:
        """Creates the component (nothing to train or load)."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Screen each message and, where it finds risk, put the risk intent first."""
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text.strip():
                continue
            if text.lstrip().startswith(INTENT_MESSAGE_PREFIX):
                continue  # an "/intent" payload: the button chose the intent
            try:
                self._screen(message, text)
            except Exception as exc:  # never let the screen break parsing; the API screens too
                logger.error("safety screen failed: %s", type(exc).__name__)
        return messages

    def _screen(self, message: Message, text: str) -> None:
        result = screen(text)
        intent = dict(message.get(INTENT) or {})
        ranking = list(message.get(INTENT_RANKING_KEY) or [])
        model_reading = intent.get(INTENT_NAME_KEY)
        # A harmless reading is looked for only where it can change the outcome: a possible
        # signal, or a risk read by the model.
        benign = (result.level == POSSIBLE or model_reading in RISK_INTENTS) and benign_context(
            text
        )
        # "the show had a storyline about sextortion": a half-seen sign of abuse or danger (which
        # only the card answers) in a recognised game, story or lesson, which the model reads as
        # something else, is that something else. Suicide and self-harm keep the kind question.
        stands_down = (
            result.level == POSSIBLE
            and result.intent not in CHECKABLE
            and benign
            and reads_otherwise(intent, self._config)
            and not sincere(text)
        )
        # "i used to self harm, 3 years clean now, how do i explain my scars": said to be over.
        # The model's best other reading stands when it has one; otherwise the kind question.
        over = (
            result.level != CRISIS
            and (result.intent if result.level == POSSIBLE else model_reading) in CHECKABLE
            and recovered(text)
            and not sincere(text)
        )
        settled = over and best_other_confidence(ranking) >= self._config["fallback_below"]
        # "i got into bad stuff with older boys at 15 but im 19 now and fine": abuse or danger
        # read by the model alone, in a message that says it is over, is not a crisis now.
        past_alone = (
            result.level == NONE
            and model_reading in RISK_INTENTS
            and model_reading not in CHECKABLE
            and recovered(text)
            and not sincere(text)
        )
        overridden = (
            not settled
            and result.intent in RISK_INTENTS
            and (
                result.level == CRISIS
                or (
                    result.level == POSSIBLE
                    and not stands_down
                    and model_is_unsure(intent, ranking, self._config, text)
                )
            )
        )
        # "whats the point of anything": a possible sign of suicide or self-harm that the model
        # confidently reads as something else is unclear, not nothing: the kind direct question.
        unclear = (
            not settled
            and not overridden
            and not stands_down
            and result.level == POSSIBLE
            and result.intent in CHECKABLE
            and model_reading not in RISK_INTENTS
            and asks_directly(result.matched)
        )
        overridden = overridden or unclear
        meaning = message.get(MEANING_KEY)
        alone = model_alone(
            intent, result.level, self._config, None if meaning is None else float(meaning)
        )
        # The model alone calls it a risk, the screen found none and recognised a harmless
        # reading ("this homework is killing me"): the model's best other intent stands.
        vetoed = (
            not overridden
            and result.level == NONE
            and model_reading in RISK_INTENTS
            and (benign or alone == "gives_way" or past_alone)
        ) or settled
        helper = None
        if overridden or model_reading in RISK_INTENTS:
            helper = someone_else_reading(ranking, self._config, result.level, text)
        if (
            helper is None
            and model_alone(intent, result.level, self._config) == "check"
            and about_someone_else(text)
        ):
            # an unsure risk reading, from the model alone (before the second reader), of words
            # about someone else ("she made me promise not to tell"): worry about them, not the
            # young person's own crisis
            helper = {INTENT_NAME_KEY: SOMEONE_ELSE}
        if helper is not None:
            overridden = vetoed = False
            chosen_entry = {INTENT_NAME_KEY: SOMEONE_ELSE, PREDICTED_CONFIDENCE_KEY: 1.0}
            rest = [r for r in ranking if r.get(INTENT_NAME_KEY) != SOMEONE_ELSE]
            message.set(INTENT, chosen_entry, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen_entry, *rest], add_to_output=True)
        elif overridden:
            chosen = result.intent
            if result.level == POSSIBLE and not benign and not unclear:
                # (with a harmless reading at hand the screen's own intent stays, and the
                # dialogue asks the kind direct question instead)
                chosen = more_urgent_model_reading(ranking, self._config, chosen) or chosen
            forced = {INTENT_NAME_KEY: chosen, PREDICTED_CONFIDENCE_KEY: 1.0}
            message.set(INTENT, forced, add_to_output=True)
            rest = [r for r in ranking if r.get(INTENT_NAME_KEY) != chosen]
            message.set(INTENT_RANKING_KEY, [forced, *rest], add_to_output=True)
        elif vetoed:
            others = [r for r in ranking if r.get(INTENT_NAME_KEY) not in RISK_INTENTS]
            if others:
                best_other = others[0]
                if (
                    float(best_other.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
                    < self._config["fallback_below"]
                ):
                    # Nothing else it could be: "I didn't get that", as the fallback would say.
                    best_other = {
                        INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
                        PREDICTED_CONFIDENCE_KEY: best_other.get(PREDICTED_CONFIDENCE_KEY),
                    }
                message.set(INTENT, best_other, add_to_output=True)
                message.set(INTENT_RANKING_KEY, others, add_to_output=True)
        final = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        model_only_unsure = alone == "check"
        check = (
            helper is None
            and final in CHECKABLE
            and not sincere(text)
            and (
                (result.level == POSSIBLE and (benign or unclear))
                or (model_only_unsure and model_reading == final)
                or over  # said to be over, and nothing else it could be: asked, not the card
            )
        )
        message.set(
            OUTPUT_KEY,
            {
                "level": result.level,
                "intent": result.intent,
                "matched": list(result.matched),
                "model_intent": model_reading,
                "model_confidence": float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0),
                "meaning": meaning,
                "overridden": overridden,
                "vetoed": vetoed,
                "someone_else": helper is not None,
                "check": check,
                "stood_down": stands_down,
            },
            add_to_output=True,
        )
