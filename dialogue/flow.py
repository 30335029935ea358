"""What the bot does next: the dialogue's decisions, as plain steps, with no Rasa or web imports.

Every custom action first asks `read_in_context` whether the message must be read in the light of
what came before (risk adding up over turns, the answer to "are you safe right now?", a question
about the card just shown, the answer to a question the bot asked). Only when it need not does
the action do its own job (`start_need`, `take_answer`, ...). The steps are carried out by
`bot/actions/steps.py`, which adds the directory's contacts and services.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from dialogue.ages import age_band, as_age
from dialogue.cards import HELPER, card_book
from dialogue.intents import NEED_INTENTS, RISK_INTENTS, SAFEGUARDING_TIER, SERVICE_NEEDS
from dialogue.risk import accumulated, adds_up
from dialogue.someone_else import SOMEONE_ELSE, other_in_danger
from dialogue.state import (
    FOLLOWUP_TURNS,
    QUESTIONS,
    RISK_CHECK,
    SAFETY,
    SKIPPED,
    Conversation,
    Turn,
)

# Services come first, with the need; then, one per turn, the questions that make them fit
# better (age, then area), each optional and asked only while unknown.
REFINING = ("age", "locality")
# How sure the model must be before a message in the middle of a question starts a new topic.
NEW_TOPIC_CONFIDENCE = 0.6
# Messages that are about something else than the question asked: their own actions answer them
# (and the rules go back to the question where it makes sense).
ASIDE_INTENTS = {
    "ask_tips", "ask_confidentiality", "bot_challenge", "what_can_you_do", "greet", "thank_you",
    "tell_more", "something_else", "show_more", "goodbye", "find_trusted_adult",
    "talk_to_someone_now", "worried_about_someone",
}  # fmt: skip
ASIDE_CONFIDENCE = 0.5
YES_INTENTS = {"affirm", "im_safe"}
NO_INTENTS = {"deny"}
UNSURE_INTENTS = {"skip_question"}
_SECRET = re.compile(r"\b(?:secret|promise|promised|not to tell|dont tell|never talk to me)\b")


@dataclass(frozen=True)
class Say:
    """Utter a domain response."""

    response: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ShowCard:
    """The crisis or safeguarding card of `kind`; `words` replaces the card's own words."""

    kind: str
    words: str | None = None
    danger_first: bool = False  # 999 first, whatever the card's order


@dataclass(frozen=True)
class ShowContacts:
    """The crisis lines that fit their age, under the words of `response` (not a crisis card)."""

    response: str


@dataclass(frozen=True)
class AskRiskCheck:
    """The kind direct question: are you thinking about ending your life or hurting yourself?
    With Yes / No / Not sure and the crisis contacts."""


@dataclass(frozen=True)
class ShowServices:
    """Services that fit the conversation (the next ones when `more`); `live`: people to talk
    to now, open right now, by call, text or chat; `follow_up`: the usual "more, or something
    else?" after them (not when the next question follows instead); `refine`: after an answer,
    the cards only if they changed."""

    more: bool = False
    live: bool = False
    follow_up: bool = True
    refine: bool = False


Step = Say | ShowCard | ShowServices | AskRiskCheck | ShowContacts


# --- reading a message in context ------------------------------------------------------------


def starts_new_topic(turn: Turn) -> bool:
    """True when the message plainly starts something else rather than answering."""
    if turn.intent not in NEED_INTENTS | RISK_INTENTS:
        return False
    return turn.pressed or turn.confidence >= NEW_TOPIC_CONFIDENCE


def yes_no(turn: Turn) -> str | None:
    """ "yes", "no" or "unsure", from the words first and the intent second."""
    if turn.answer.yes_no:
        return turn.answer.yes_no
    if turn.intent in YES_INTENTS:
        return "yes"
    if turn.intent in NO_INTENTS:
        return "no"
    if turn.intent in UNSURE_INTENTS or turn.answer.refused:
        return "unsure"
    return None


def absorb(turn: Turn, convo: Conversation, quiet: bool = False) -> tuple[set[str], list[Step]]:
    """Keep what the message tells about them (age, place, way to get in touch), wherever it
    comes; an age outside 11-25 is acknowledged once (not when `quiet`)."""
    learned: set[str] = set()
    steps: list[Step] = []
    age = as_age(turn.entities.get("age")) or turn.answer.age
    if age is not None:
        convo.age = age
        learned.add("age")
        band = age_band(age)
        if band and not convo.age_noted and not quiet:
            steps.append(Say(f"utter_age_{band}"))
            convo.age_noted = True
    place = turn.entities.get("locality") or turn.entities.get("postcode") or turn.answer.place
    if place:
        convo.locality = str(place)
        learned.add("locality")
        if place == "elsewhere" and not quiet:
            steps.append(Say("utter_place_elsewhere"))
    mode = turn.entities.get("contact_mode") or turn.answer.contact_mode
    if mode:
        convo.contact_mode = str(mode)
        learned.add("contact_mode")
    if turn.entities.get("language"):
        convo.language = str(turn.entities["language"])
    return learned, steps


@dataclass
class Reading:
    """A message read in the light of what came before.

    learned: what it told about them; prefix: steps that go first in any reply (an age outside
    11-25 acknowledged); reply: the whole reply when the context decides it, else None and the
    action does its own job after the prefix.
    """

    learned: set[str]
    prefix: list[Step]
    reply: list[Step] | None = None


def read_in_context(turn: Turn, convo: Conversation) -> Reading:
    """Read the message in the light of what came before (see the module's docstring)."""
    if turn.intent in RISK_INTENTS:
        learned, _ = absorb(turn, convo, quiet=True)  # nothing may come before the card
        # "he says i have 1 hour" after the sextortion card: the model alone reads risk, the
        # screen nothing new; it is about the card just shown, and its steps answer it.
        about_the_card = not (turn.screen or {}).get("matched") and convo.followup_kind not in {
            HELPER,
            SOMEONE_ELSE,
        }
        followup = card_followup(turn, convo) if about_the_card else None
        if followup:
            return Reading(learned, [], followup)
        return Reading(learned, [])
    learned, prefix = absorb(turn, convo)
    if convo.awaiting == RISK_CHECK:
        answered = risk_check_answer(turn, convo)
        if answered is not None:
            return Reading(learned, prefix, answered + prefix)
    if convo.awaiting == SAFETY:
        answered = safety_answer(turn, convo, learned)
        if answered is not None:
            return Reading(learned, prefix, prefix + answered)
    followup = card_followup(turn, convo)
    if followup:
        return Reading(learned, prefix, [*prefix, *followup])
    if adds_up(turn.signals) and turn.intent != SOMEONE_ELSE:
        # Worry about someone else is weighed by its own action (their danger, not the helper's).
        return Reading(learned, prefix, crisis(turn, convo, kind=convo.risk_kind) + prefix)
    aside = asides(turn, convo)
    if aside:
        return Reading(learned, prefix, prefix + aside + resume(convo))
    if convo.awaiting in QUESTIONS:
        answered = question_answer(turn, convo, learned)
        if answered is not None:
            return Reading(learned, prefix, prefix + answered)
    return Reading(learned, prefix)


def card_followup(turn: Turn, convo: Conversation) -> list[Step] | None:
    """A message about the card shown in the last few turns ("should i pay him"): its answer."""
    kind = card_book().kinds.get(convo.followup_kind or "")
    age = convo.followup_age()
    if not (kind and age is not None and age <= FOLLOWUP_TURNS and turn.text):
        return None
    response = kind.followup_for(turn.text)
    if not response:
        return None
    convo.awaiting = None
    return [Say(response)]


def asides(turn: Turn, convo: Conversation) -> list[Step]:
    """Questions any message may carry, whatever the model made of it: "is it my fault",
    "pls dont tell anyone", "can u just show me stuff"."""
    if turn.intent in NEED_INTENTS - {"ask_services"} and turn.confidence >= NEW_TOPIC_CONFIDENCE:
        return []
    if turn.answer.self_blame:
        return [Say("utter_not_your_fault")]
    if turn.answer.privacy and turn.intent != "ask_confidentiality":
        return [Say("utter_confidentiality_this_chat"), Say("utter_confidentiality_general")]
    if turn.answer.wants_services:
        convo.question_plan = []
        if convo.awaiting in QUESTIONS:
            skip(convo, str(convo.awaiting))
        convo.awaiting = None
        if convo.need or convo.search_text:
            convo.results_offset = 0
            return [ShowServices(more=bool(convo.shown_services))]
        return [Say("utter_more_of_what")]
    return []


def safety_answer(turn: Turn, convo: Conversation, learned: set[str]) -> list[Step] | None:
    """After "are you safe right now?": stay with them, whatever the answer."""
    answer = yes_no(turn)
    kind = convo.risk_kind or "suicide"
    if turn.answer.retracted and answer != "no":
        convo.awaiting = None
        return [Say("utter_retraction")]
    if answer == "no":
        convo.awaiting = None
        return [ShowCard(kind, words="utter_not_safe", danger_first=True)]
    if answer == "unsure":
        convo.awaiting = None
        return [ShowCard(kind, words="utter_safety_unsure", danger_first=True)]
    if answer == "yes":
        convo.awaiting = None
        return [Say("utter_im_safe")]
    convo.awaiting = None
    if starts_new_topic(turn) or turn.intent in ASIDE_INTENTS:
        return None
    if learned:
        # "im 17": not an answer to the question, but what they told us is used.
        return after_information(convo)
    return [Say("utter_still_here")]


def risk_check_answer(turn: Turn, convo: Conversation) -> list[Step] | None:
    """The answer to the direct question: yes or not sure get the crisis response; no goes back
    to where they were, warmly, and the same signal is not asked about again."""
    # "I'm fine" / "I'm safe" answer the check with a no.
    answer = "no" if turn.answer.fine or turn.intent == "im_safe" else yes_no(turn)
    if answer in {"yes", "unsure"} and not turn.answer.retracted:
        return crisis(turn, convo, kind=convo.risk_kind or "suicide")
    if answer == "no" or turn.answer.retracted:
        convo.awaiting = None
        convo.risk_kind = None
        return [Say("utter_risk_check_no")]
    convo.awaiting = None
    if starts_new_topic(turn):
        return None
    # Not an answer: no pressure, and the people who can help stay in view.
    return [ShowContacts("utter_risk_check_unanswered")]


def question_answer(turn: Turn, convo: Conversation, learned: set[str]) -> list[Step] | None:
    """An answer to the question the bot asked, given in whatever words."""
    question = str(convo.awaiting)
    if question in learned:
        return continue_search(convo)
    if turn.intent in ASIDE_INTENTS and turn.confidence >= ASIDE_CONFIDENCE:
        return None  # answered by its own action; the question is asked again where it fits
    if turn.answer.why_ask or turn.intent == "ask_why":
        convo.reasked = True
        return [Say(f"utter_why_{question}"), Say(f"utter_ask_{question}")]
    if turn.intent == "ask_services" and (convo.need or convo.search_text):
        convo.question_plan = []
        skip(convo, question)
        return [ShowServices()]
    if learned:
        return continue_search(convo)
    if turn.answer.refused or yes_no(turn) in {"no", "unsure"}:
        return [Say("utter_skip_ok"), *skip_and_go_on(convo, question)]
    if starts_new_topic(turn):
        convo.awaiting = None
        return None
    if not convo.reasked:
        convo.reasked = True
        return [Say(f"utter_reask_{question}")]
    return skip_and_go_on(convo, question)


def skip_and_go_on(convo: Conversation, question: str) -> list[Step]:
    """Skip the question; then the next one (the services shown still stand), or the usual
    "more, or something else?"."""
    skip(convo, question)
    following = next_question(convo)
    if following:
        return [Say(f"utter_ask_{following}")]
    return [Say("utter_services_follow_up")]


def skip(convo: Conversation, question: str) -> None:
    """They would rather not say: never asked again in this conversation."""
    if getattr(convo, question) is None:
        setattr(convo, question, SKIPPED)


def plan_questions(convo: Conversation) -> list[str]:
    """The refining questions not answered or skipped yet."""
    return [q for q in REFINING if not convo.known(q)]


def next_question(convo: Conversation) -> str | None:
    """Take the next planned question still unknown off the plan and wait for its answer."""
    while convo.question_plan:
        question = convo.question_plan.pop(0)
        if not convo.known(question):
            convo.awaiting = question
            convo.reasked = False
            return question
    convo.awaiting = None
    return None


def show_and_ask(convo: Conversation, refine: bool = False) -> list[Step]:
    """Services that fit what is known, then the next question that would make them fit
    better; `refine`: only cards that changed are shown again."""
    question = next_question(convo)
    if question:
        return [ShowServices(follow_up=False, refine=refine), Say(f"utter_ask_{question}")]
    return [ShowServices(refine=refine)]


def continue_search(convo: Conversation) -> list[Step]:
    """After an answer: services that fit it better, and the next question if there is one."""
    return show_and_ask(convo, refine=True)


def after_information(convo: Conversation) -> list[Step]:
    """They told us something (an age, a place) when nothing was asked: use it."""
    if convo.need or convo.search_text:
        # The "anything else?" of the last services still stands: not asked again.
        convo.results_offset = 0
        return [ShowServices(refine=True, follow_up=False)]
    return [Say("utter_noted_ask_need")]


# --- each action's own job --------------------------------------------------------------------


def start_need(turn: Turn, convo: Conversation, need: str | None = None) -> list[Step]:
    """Acknowledge what they are going through, then at most two questions, then services."""
    need = need or str(turn.intent)
    browsing = need == "ask_services"
    convo.need = None if browsing else need
    convo.search_text = turn.text if browsing and turn.text else None
    convo.results_offset = 0
    convo.shown_services = []
    # After a disclosure, no questions: what can help, and nothing asked.
    convo.question_plan = [] if convo.risk_expressed else plan_questions(convo)
    return [Say(f"utter_ack_{need}"), *show_and_ask(convo)]


def take_answer(turn: Turn, convo: Conversation, learned: set[str]) -> list[Step]:
    """yes / no / not sure / an answer, when no question was waiting for it."""
    need = ranked_need(turn)
    if need and not convo.need:
        # "im 14 and lonely, in millfield": an answer that also says what is going on.
        return start_need(turn, convo, need)
    if learned:
        return after_information(convo)
    if turn.answer.retracted or turn.intent == "im_safe":
        if convo.risk_expressed:
            return [Say("utter_retraction" if turn.answer.retracted else "utter_im_safe")]
        return [Say("utter_glad_ok")]
    answer = yes_no(turn)
    if convo.risk_expressed:
        return [Say("utter_still_here")]
    if convo.need or convo.search_text:
        # Talking about something already: no need to start again from the topic menu.
        return [Say("utter_anything_else")]
    if answer == "yes":
        return [Say("utter_affirm")]
    return [Say("utter_deny")]


def ranked_need(turn: Turn, at_least: float = 0.15) -> str | None:
    """A need the model ranks in its top 3 (for messages it read mainly as an answer)."""
    return next(
        (n for n, c in turn.ranking[:3] if n in SERVICE_NEEDS and c >= at_least),
        None,
    )


def misunderstood(turn: Turn, convo: Conversation, misses_in_a_row: int) -> list[Step]:
    """Not understood, or not something the bot is for: one kind line, never a pile of them."""
    if convo.risk_expressed:
        return [Say("utter_listening")]
    if misses_in_a_row >= 2:
        return [Say("utter_human_route")]
    if turn.intent == "out_of_scope":
        return [Say("utter_out_of_scope")]
    return [Say("utter_misunderstood")]


def resume(convo: Conversation) -> list[Step]:
    """After an aside ("r u a bot"), go back to the question they were asked, once."""
    if convo.awaiting not in QUESTIONS:
        return []
    if convo.reasked:
        return skip_and_go_on(convo, str(convo.awaiting))
    convo.reasked = True
    return [Say(f"utter_ask_{convo.awaiting}")]


def crisis(
    turn: Turn, convo: Conversation, kind: str | None = None, helper: bool = False
) -> list[Step]:
    """The crisis or safeguarding card that fits, first; its advice; then they are never left."""
    book = card_book()
    if kind is None or kind not in book.kinds:
        matched = list((turn.screen or {}).get("matched") or [])
        intent = turn.intent if turn.intent in RISK_INTENTS else top_risk_intent(turn)
        card = book.choose(intent, matched, helper)
    else:
        card = book.kinds[kind]
    convo.risk_expressed = True
    convo.risk_kind = card.name
    convo.set_followup(card.name)
    convo.awaiting = SAFETY if card.asks_safety else None
    convo.question_plan = []
    if card.need:
        # Services asked for later ("show me more", an age) fit what they disclosed.
        convo.need = card.need
        convo.search_text = None
        convo.results_offset = 0
    steps: list[Step] = [ShowCard(card.name)]
    if card.advice:
        steps.append(Say(card.advice))
    if turn.intent in SAFEGUARDING_TIER and card.name != HELPER:
        steps.append(Say("utter_safeguarding_sharing"))
    return steps


# Earlier signs in the conversation that make an unclear signal clear enough for the card.
PRIOR_SIGNS = 0.3


def risk_response(turn: Turn, convo: Conversation) -> list[Step]:
    """The crisis card, or the kind direct question when risk is possible but unclear: not
    after a disclosure or other signs in the conversation (then it is the card), and not again
    about a signal they already said "no" to."""
    if not (turn.screen or {}).get("check"):
        return crisis(turn, convo)
    if not unclear_risk(turn, convo):
        return checked_before(turn, convo)
    if convo.risk_expressed or accumulated(turn.signals[:-1]) >= PRIOR_SIGNS:
        return crisis(turn, convo)
    return risk_check(turn, convo)


def signal_keys(turn: Turn) -> set[str]:
    """What names an unclear signal: the screen's entries, or the model's reading when the
    screen saw nothing ("model:suicidal_thoughts")."""
    matched = set((turn.screen or {}).get("matched") or [])
    return matched or {f"model:{turn.intent}"}


def unclear_risk(turn: Turn, convo: Conversation) -> bool:
    """Risk is possible but unclear (the safety component says so), and they have not already
    answered "no" about the same signal."""
    if not (turn.screen or {}).get("check"):
        return False
    return not signal_keys(turn) <= set(convo.checked)


def risk_check(turn: Turn, convo: Conversation) -> list[Step]:
    """Ask plainly, kindly, whether they are thinking about ending their life or hurting
    themselves; the answer is read by `risk_check_answer`."""
    book = card_book()
    intent = turn.intent if turn.intent in RISK_INTENTS else top_risk_intent(turn)
    convo.risk_kind = book.choose(
        intent, list((turn.screen or {}).get("matched") or []), False
    ).name
    convo.checked = sorted(set(convo.checked) | signal_keys(turn))
    convo.awaiting = RISK_CHECK
    return [AskRiskCheck()]


def checked_before(turn: Turn, convo: Conversation) -> list[Step]:
    """An unclear signal they already said "no" about: answer what else the message says."""
    need = ranked_need(turn, at_least=0.3)
    if need:
        return start_need(turn, convo, need)
    return misunderstood(turn, convo, 0)


def top_risk_intent(turn: Turn) -> str | None:
    """The risk intent the model ranks highest, if any."""
    return next((n for n, _ in turn.ranking if n in RISK_INTENTS), None)


def someone_else(turn: Turn, convo: Conversation) -> list[Step]:
    """Worry about a friend or family member: the helper's card when they are in danger now,
    otherwise how to help, and services for people supporting someone."""
    if other_in_danger(turn, convo):
        return crisis(turn, convo, kind=HELPER)
    convo.set_followup(SOMEONE_ELSE)
    convo.need = SOMEONE_ELSE
    # Their words rank the services for people supporting someone ("drinks" -> Nacoa).
    convo.search_text = turn.text or None
    convo.results_offset = 0
    convo.shown_services = []
    convo.question_plan = []
    steps: list[Step] = [Say("utter_someone_else")]
    if _SECRET.search(turn.text.lower()):
        steps.append(Say("utter_someone_else_secret"))
    return [*steps, ShowServices()]
