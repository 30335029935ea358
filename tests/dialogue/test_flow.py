"""The dialogue's decisions, without Rasa: each kind of message in each context."""

from __future__ import annotations

from typing import Any

import pytest

from dialogue.answers import read_answer
from dialogue.flow import (
    AskRiskCheck,
    Say,
    ShowCard,
    ShowServices,
    crisis,
    misunderstood,
    read_in_context,
    resume,
    risk_response,
    someone_else,
    start_need,
    take_answer,
)
from dialogue.state import RISK_CHECK, SAFETY, SKIPPED, Conversation, Turn

LOCALITIES = {"riverside": "riverside", "millfield": "millfield"}


def turn(
    intent: str | None,
    text: str = "",
    confidence: float = 0.9,
    signals: tuple[float, ...] = (0.0,),
    screen: dict[str, Any] | None = None,
    ranking: tuple[tuple[str, float], ...] = (),
    entities: dict[str, str] | None = None,
) -> Turn:
    return Turn(
        intent=intent,
        confidence=confidence,
        text=text,
        entities=entities or {},
        screen=screen or {},
        ranking=ranking or ((str(intent), confidence),),
        signals=signals,
        answer=read_answer(text, LOCALITIES, {"E1", "E14"}),
    )


def responses(steps) -> list[str]:
    return [s.response if isinstance(s, Say) else type(s).__name__ for s in steps]


def after_card(kind: str = "suicide") -> Conversation:
    """The conversation right after a crisis card that asked "are you safe right now?"."""
    convo = Conversation(risk_expressed=True, risk_kind=kind, awaiting=SAFETY, asked_at=1)
    convo.start_turn(2)
    return convo


# --- after the crisis card -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("intent", "text"),
    [("deny", "no"), ("deny", "not really"), ("im_safe", "no im not safe"), ("deny", "nah")],
)
def test_not_safe_gets_999_first_and_the_contacts_again(intent, text):
    convo = after_card()
    reading = read_in_context(turn(intent, text, signals=(1.0, 0.0)), convo)
    assert reading.reply == [ShowCard("suicide", words="utter_not_safe", danger_first=True)]
    assert convo.awaiting is None and convo.risk_expressed


@pytest.mark.parametrize(("intent", "text"), [("affirm", "idk"), ("skip_question", "kinda")])
def test_unsure_gets_a_gentle_card(intent, text):
    reading = read_in_context(turn(intent, text, signals=(1.0, 0.0)), after_card())
    assert reading.reply == [ShowCard("suicide", words="utter_safety_unsure", danger_first=True)]


@pytest.mark.parametrize(("intent", "text"), [("im_safe", "yeah im ok for now"), ("affirm", "")])
def test_safe_is_met_warmly(intent, text):
    reading = read_in_context(turn(intent, text, signals=(1.0, 0.0)), after_card())
    assert responses(reading.reply) == ["utter_im_safe"]


def test_a_retraction_is_met_warmly_and_risk_stays_held():
    convo = after_card("self_harm")
    reading = read_in_context(turn("im_safe", "jk lol im fine", signals=(1.0, 0.0)), convo)
    assert responses(reading.reply) == ["utter_retraction"]
    assert convo.risk_expressed


def test_the_safety_question_is_answered_only_by_the_next_message():
    convo = Conversation(risk_expressed=True, risk_kind="suicide", awaiting=SAFETY, asked_at=1)
    convo.start_turn(3)  # a turn went by (an aside), the question is no longer waiting
    assert convo.awaiting is None


def test_short_replies_after_a_disclosure_never_reset_to_the_menu():
    convo = Conversation(risk_expressed=True, risk_kind="suicide")
    for intent in ("affirm", "deny", "skip_question"):
        assert responses(take_answer(turn(intent, "ok"), convo, set())) == ["utter_still_here"]
    assert responses(misunderstood(turn("nlu_fallback", "??"), convo, 3)) == ["utter_listening"]


def test_signals_over_turns_add_up_to_the_crisis_response():
    convo = Conversation()
    signals = (0.5, 0.5)
    reading = read_in_context(turn("low_mood", "after tonight", signals=signals), convo)
    assert reading.reply and isinstance(reading.reply[0], ShowCard)
    assert convo.risk_expressed and convo.awaiting == SAFETY


# --- cards ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("intent", "matched", "kind"),
    [
        ("suicidal_thoughts", ["st_kms"], "suicide"),
        ("self_harm", ["sh_i_cut"], "self_harm"),
        ("immediate_danger", ["sh_i_cut", "dn_bleeding"], "injury"),
        ("immediate_danger", ["dn_weapon"], "danger_now"),
        ("abuse_disclosure", ["ab_images_shared"], "sextortion"),
        ("abuse_disclosure", ["ab_meet_adult"], "grooming"),
        ("abuse_disclosure", ["ab_county_lines", "ab_gang_possible"], "exploitation"),
        ("abuse_disclosure", ["ab_touch_possible"], "sexual_abuse"),
        ("abuse_disclosure", ["hs_nowhere_to_sleep"], "no_safe_place"),
        ("abuse_disclosure", ["ab_physical"], "abuse"),
        ("abuse_disclosure", [], "abuse"),
        ("suicidal_thoughts", [], "suicide"),
    ],
)
def test_the_card_fits_the_risk(intent, matched, kind):
    convo = Conversation()
    steps = crisis(turn(intent, "x", screen={"matched": matched}), convo)
    assert steps[0] == ShowCard(kind)
    assert convo.risk_kind == kind and convo.risk_expressed


def test_sextortion_card_gives_the_steps_and_a_question_about_paying_gets_them_again():
    convo = Conversation()
    steps = crisis(turn("abuse_disclosure", "x", screen={"matched": ["ab_images_shared"]}), convo)
    assert responses(steps) == [
        "ShowCard",
        "utter_card_sextortion_steps",
        "utter_safeguarding_sharing",
    ]
    convo.start_turn(2)
    follow = read_in_context(turn("money_worries", "should i just pay", signals=(1.0, 0.1)), convo)
    assert responses(follow.reply) == ["utter_card_sextortion_steps"]


def test_a_question_about_the_card_read_as_risk_by_the_model_alone_gets_the_cards_steps():
    convo = Conversation()
    crisis(turn("abuse_disclosure", "x", screen={"matched": ["ab_images_shared"]}), convo)
    convo.start_turn(2)
    # The model alone calls it abuse; the screen found nothing new: it is about the card.
    follow = read_in_context(turn("abuse_disclosure", "he says i have 1 hour"), convo)
    assert responses(follow.reply) == ["utter_card_sextortion_steps"]
    # With a new risk the screen recognised, the card comes again, whatever the card was.
    convo.start_turn(3)
    screened = turn("abuse_disclosure", "he hit me", screen={"matched": ["ab_hit"]})
    assert read_in_context(screened, convo).reply is None


# --- someone else -----------------------------------------------------------------------------


def test_worry_about_a_friend_gets_guidance_not_the_users_crisis_card():
    convo = Conversation()
    steps = someone_else(
        turn(
            "worried_about_someone",
            "my friend keeps saying she wants to die",
            screen={"level": "possible"},
            signals=(0.5,),
        ),
        convo,
    )
    assert responses(steps) == ["utter_someone_else", "ShowServices"]
    assert not convo.risk_expressed and convo.need == "worried_about_someone"


def test_a_friend_in_danger_now_gets_the_helpers_card_that_never_asks_if_they_are_safe():
    convo = Conversation()
    message = "my mate posted goodbye on his story and isnt answering"
    steps = someone_else(
        turn("worried_about_someone", message, screen={"level": "possible"}, signals=(0.5,)), convo
    )
    assert steps[0] == ShowCard("helper")
    assert convo.awaiting is None and convo.risk_expressed


def test_a_promise_not_to_tell_is_answered():
    steps = someone_else(
        turn("worried_about_someone", "she made me promise not to tell"), Conversation()
    )
    assert "utter_someone_else_secret" in responses(steps)


# --- questions and answers --------------------------------------------------------------------


def test_a_need_gets_services_first_then_questions_that_make_them_fit_better():
    convo = Conversation()
    steps = start_need(turn("feeling_lonely", "i feel so alone"), convo)
    assert steps == [
        Say("utter_ack_feeling_lonely"),
        ShowServices(follow_up=False),
        Say("utter_ask_age"),
    ]
    assert convo.question_plan == ["locality"] and convo.awaiting == "age"
    convo.end_turn(1)
    convo.start_turn(2)
    answer = read_in_context(turn("inform", "fourteen"), convo)
    assert answer.reply == [ShowServices(follow_up=False, refine=True), Say("utter_ask_locality")]
    assert convo.age == 14 and convo.awaiting == "locality"
    convo.end_turn(2)
    convo.start_turn(3)
    answer = read_in_context(turn("inform", "E1 4NS i think"), convo)
    assert answer.reply == [ShowServices(refine=True)] and convo.locality == "E1 4NS"
    assert convo.awaiting is None


def test_a_question_they_skip_leaves_the_services_shown():
    convo = Conversation(need="bullying", age=14, awaiting="locality", asked_at=2, reasked=True)
    convo.start_turn(3)
    reading = read_in_context(turn("nlu_fallback", "hmm idk", confidence=0.2), convo)
    assert responses(reading.reply) == ["utter_skip_ok", "utter_services_follow_up"]
    assert convo.locality == SKIPPED and convo.awaiting is None


def test_after_a_disclosure_a_need_gets_services_and_no_questions():
    convo = Conversation(risk_expressed=True)
    assert responses(start_need(turn("low_mood", "i feel awful"), convo)) == [
        "utter_ack_low_mood",
        "ShowServices",
    ]
    assert convo.awaiting is None


def test_answers_given_before_they_are_asked_are_not_asked_again():
    convo = Conversation()
    reading = read_in_context(turn("feeling_lonely", "im 14 and lonely, in millfield"), convo)
    steps = start_need(turn("feeling_lonely", "im 14 and lonely, in millfield"), convo)
    assert reading.learned == {"age", "locality"}
    assert steps == [Say("utter_ack_feeling_lonely"), ShowServices()]
    assert convo.awaiting is None


def asked(question: str) -> Conversation:
    convo = Conversation(need="bullying", awaiting=question, asked_at=1, question_plan=["locality"])
    convo.start_turn(2)
    return convo


def test_why_do_you_need_my_age_gets_an_honest_answer_and_the_question_again():
    convo = asked("age")
    reading = read_in_context(turn("skip_question", "why do u need my age"), convo)
    assert responses(reading.reply) == ["utter_why_age", "utter_ask_age"]


def test_a_refusal_is_accepted_and_never_asked_again():
    convo = asked("age")
    reading = read_in_context(turn("skip_question", "not telling u"), convo)
    assert responses(reading.reply) == ["utter_skip_ok", "utter_ask_locality"]
    assert convo.age == SKIPPED


def test_an_answer_that_does_not_fit_is_asked_once_more_then_skipped():
    convo = asked("age")
    first = read_in_context(turn("nlu_fallback", "bananas", confidence=0.2), convo)
    assert responses(first.reply) == ["utter_reask_age"]
    convo.end_turn(2)
    convo.start_turn(3)
    second = read_in_context(turn("nlu_fallback", "bananas again", confidence=0.2), convo)
    assert responses(second.reply) == ["utter_ask_locality"] and convo.age == SKIPPED


def test_a_new_topic_in_the_middle_of_a_question_starts_it():
    convo = asked("age")
    reading = read_in_context(turn("money_worries", "theres no food at home", 0.95), convo)
    assert reading.reply is None and convo.awaiting is None


def test_an_age_outside_11_to_25_is_acknowledged_once():
    convo = Conversation()
    message = turn("inform", "im 27 is this for me")
    reading = read_in_context(message, convo)
    assert reading.reply is None
    steps = reading.prefix + take_answer(message, convo, reading.learned)
    assert responses(steps) == ["utter_age_older", "utter_noted_ask_need"]
    again = read_in_context(turn("inform", "yeah 27"), convo)
    assert "utter_age_older" not in responses(again.prefix)
    young = Conversation()
    assert responses(read_in_context(turn("inform", "im 10"), young).prefix) == [
        "utter_age_younger"
    ]


def test_an_aside_goes_back_to_the_question_once():
    convo = asked("age")
    assert responses(resume(convo)) == ["utter_ask_age"]
    assert responses(resume(convo)) == ["utter_ask_locality"] and convo.age == SKIPPED


def test_misunderstood_twice_offers_a_human():
    convo = Conversation()
    assert responses(misunderstood(turn("nlu_fallback"), convo, 1)) == ["utter_misunderstood"]
    assert responses(misunderstood(turn("out_of_scope"), convo, 1)) == ["utter_out_of_scope"]
    assert responses(misunderstood(turn("nlu_fallback"), convo, 2)) == ["utter_human_route"]


def test_changes_report_a_question_taken_off_the_plan():
    convo = Conversation(question_plan=["age", "locality"])
    before = convo.as_slots()
    convo.question_plan.pop(0)
    assert convo.changes(before) == {"question_plan": ["locality"]}


# --- the kind direct question -------------------------------------------------------------------


def unclear(text: str = "kms this game is so laggy", signals=(0.5,)) -> Turn:
    screen = {"level": "possible", "matched": ["st_kms"], "check": True}
    return turn("suicidal_thoughts", text, screen=screen, signals=signals)


def test_an_unclear_signal_gets_the_check_not_the_card():
    convo = Conversation()
    assert risk_response(unclear(), convo) == [AskRiskCheck()]
    assert convo.awaiting == RISK_CHECK and not convo.risk_expressed


def test_after_a_disclosure_or_earlier_signs_an_unclear_signal_gets_the_card():
    assert isinstance(risk_response(unclear(), Conversation(risk_expressed=True))[0], ShowCard)
    assert isinstance(risk_response(unclear(signals=(0.6, 0.5)), Conversation())[0], ShowCard)


@pytest.mark.parametrize(("intent", "text"), [("affirm", "yeah"), ("skip_question", "not sure")])
def test_yes_or_not_sure_to_the_check_gets_the_card(intent, text):
    convo = Conversation()
    risk_response(unclear(), convo)
    convo.end_turn(1)
    convo.start_turn(2)
    reply = read_in_context(turn(intent, text), convo).reply
    assert reply and isinstance(reply[0], ShowCard) and convo.risk_expressed


@pytest.mark.parametrize(("intent", "text"), [("deny", "no"), ("im_safe", "lol im fine tho")])
def test_no_to_the_check_goes_back_warmly_and_is_not_asked_again(intent, text):
    convo = Conversation()
    risk_response(unclear(), convo)
    convo.end_turn(1)
    convo.start_turn(2)
    assert responses(read_in_context(turn(intent, text), convo).reply) == ["utter_risk_check_no"]
    assert not convo.risk_expressed
    again = risk_response(unclear(signals=(0.5, 0.0, 0.0, 0.5)), convo)
    assert not any(isinstance(step, (AskRiskCheck, ShowCard)) for step in again)
