"""Custom actions with a real directory: assert on both the events and what the user sees."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import sessionmaker

from bot.actions.answers import ActionAnswer, ActionExplainWhy
from bot.actions.confidentiality import ActionExplainConfidentiality
from bot.actions.conversation import ActionGoodbye, ActionHandleMisunderstanding, ActionResume
from bot.actions.crisis import ActionCrisisResponse, ActionSomeoneElse
from bot.actions.needs import ActionAcknowledgeNeed
from bot.actions.search import search_arguments
from bot.actions.suggest_services import ActionShowMore, ActionTips
from bot.actions.talk_now import ActionTalkToSomeoneNow
from dialogue.state import SAFETY, Conversation
from services_directory.curated import load_curated
from services_directory.db import make_engine, make_session_factory, migrate
from tests.bot.conftest import make_tracker
from tests.services_directory.dbtest import LOCAL_FIXTURES

CRISIS_NUMBERS = {"999", "111", "0800 1111", "116 123", "85258"}


def route_values(contacts: list[dict[str, Any]]) -> set[str]:
    return {r["value"] for c in contacts for r in c["routes"]}


def custom_messages(dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    return [m["custom"] for m in dispatcher.messages if m.get("custom")]


def said(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("response") or m["custom"]["type"] for m in dispatcher.messages]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def user_event(intent: str, level: str = "none", matched: list[str] | None = None) -> dict:
    parse = {
        "intent": {"name": intent, "confidence": 1.0},
        "intent_ranking": [{"name": intent, "confidence": 1.0}],
        "safety_screen": {"level": level, "matched": matched or []},
    }
    return {"event": "user", "parse_data": parse}


def card_of(dispatcher: CollectingDispatcher) -> dict[str, Any]:
    card = dispatcher.messages[0]["custom"]
    assert card["type"] == "crisis"
    return card


@pytest.mark.parametrize(
    ("intent", "kind"),
    [
        ("suicidal_thoughts", "suicide"),
        ("self_harm", "self_harm"),
        ("immediate_danger", "danger_now"),
    ],
)
def test_crisis_response_is_the_card_that_fits_with_every_crisis_line(
    session_factory, domain, intent, kind
):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent, text="x", events=[user_event(intent, "crisis")])
    events = ActionCrisisResponse(session_factory).run(dispatcher, tracker, domain)
    card = card_of(dispatcher)
    assert card["kind"] == kind
    assert 1 <= len(card["contacts"]) <= 4
    assert route_values(card["contacts"] + card.get("more_contacts", [])) >= CRISIS_NUMBERS
    assert {b["payload"] for b in card["buttons"]} >= {"/im_safe", "/talk_to_someone_now"}
    assert "bot" in card["text"]  # honest that it is a bot
    slots = slot_events(events)
    assert slots["risk_expressed"] is True and slots["risk_kind"] == kind
    assert slots["awaiting"] == SAFETY


def test_danger_now_puts_999_first(session_factory, domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("immediate_danger", text="x", events=[user_event("immediate_danger")])
    ActionCrisisResponse(session_factory).run(dispatcher, tracker, domain)
    assert card_of(dispatcher)["contacts"][0]["phone"] == "999"


def test_sextortion_gets_its_own_card_and_steps(session_factory, domain):
    dispatcher = CollectingDispatcher()
    event = user_event("abuse_disclosure", "crisis", ["ab_images_shared"])
    tracker = make_tracker("abuse_disclosure", text="x", events=[event])
    tracker.latest_message = event["parse_data"] | {"text": "x"}
    ActionCrisisResponse(session_factory).run(dispatcher, tracker, domain)
    card = card_of(dispatcher)
    names = " ".join(c["name"] for c in card["contacts"])
    assert card["kind"] == "sextortion"
    assert "Report Remove" in names and "CEOP" in names
    assert all("not your fault" in v["text"] for v in domain["responses"]["utter_card_sextortion"])
    assert said(dispatcher)[1:] == ["utter_card_sextortion_steps", "utter_safeguarding_sharing"]


def test_a_19_year_old_is_never_offered_childline(session_factory, domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "suicidal_thoughts", text="x", slots={"age": 19}, events=[user_event("suicidal_thoughts")]
    )
    ActionCrisisResponse(session_factory).run(dispatcher, tracker, domain)
    card = card_of(dispatcher)
    everyone = card["contacts"] + card.get("more_contacts", [])
    assert "Childline" not in {c["name"] for c in everyone}
    assert route_values(everyone) >= CRISIS_NUMBERS - {"0800 1111"}


def test_crisis_response_survives_an_unreadable_directory(domain):
    def broken_factory():
        raise RuntimeError("database is down")

    dispatcher = CollectingDispatcher()
    tracker = make_tracker("self_harm", text="x", events=[user_event("self_harm")])
    ActionCrisisResponse(broken_factory).run(dispatcher, tracker, domain)
    card = card_of(dispatcher)
    assert route_values(card["contacts"] + card.get("more_contacts", [])) >= CRISIS_NUMBERS


def after_the_card(text: str, intent: str) -> tuple[CollectingDispatcher, dict[str, Any]]:
    slots = {"risk_expressed": True, "risk_kind": "suicide", "awaiting": SAFETY, "asked_at": 1}
    events = [user_event("suicidal_thoughts", "crisis"), user_event(intent)]
    return CollectingDispatcher(), {"tracker": make_tracker(intent, text, slots, events)}


def test_typed_no_after_the_card_gets_999_and_the_contacts_again(session_factory, domain):
    dispatcher, kwargs = after_the_card("no", "deny")
    events = ActionAnswer(session_factory).run(dispatcher, kwargs["tracker"], domain)
    card = card_of(dispatcher)
    assert card["contacts"][0]["phone"] == "999"
    assert card["text"] in {v["text"] for v in domain["responses"]["utter_not_safe"]}
    assert slot_events(events)["awaiting"] is None


def test_typed_safe_after_the_card_is_met_warmly(session_factory, domain):
    dispatcher, kwargs = after_the_card("yeah im ok for now", "im_safe")
    ActionAnswer(session_factory).run(dispatcher, kwargs["tracker"], domain)
    assert said(dispatcher) == ["utter_im_safe"]


def test_worry_about_a_friend_gets_guidance_and_services(session_factory, domain):
    dispatcher = CollectingDispatcher()
    text = "my friend keeps saying she wants to die"
    tracker = make_tracker(
        "worried_about_someone", text, events=[user_event("worried_about_someone", "possible")]
    )
    events = ActionSomeoneElse(session_factory).run(dispatcher, tracker, domain)
    assert said(dispatcher)[:2] == ["utter_someone_else", "services"]
    assert "risk_expressed" not in slot_events(events)


def test_a_friend_in_danger_now_gets_the_helpers_card(session_factory, domain):
    dispatcher = CollectingDispatcher()
    text = "my mate posted goodbye on his story and isnt answering"
    tracker = make_tracker(
        "worried_about_someone", text, events=[user_event("worried_about_someone", "possible")]
    )
    events = ActionSomeoneElse(session_factory).run(dispatcher, tracker, domain)
    card = card_of(dispatcher)
    assert card["kind"] == "helper" and card["contacts"][0]["phone"] == "999"
    assert "are you safe" not in card["text"].lower()
    assert slot_events(events).get("awaiting") is None


def test_a_need_gets_services_then_a_question_not_already_answered(session_factory, domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("bullying", "people keep picking on me", slots={"age": 14})
    events = ActionAcknowledgeNeed(session_factory).run(dispatcher, tracker, domain)
    assert said(dispatcher) == [
        "utter_ack_bullying",
        "services",
        "utter_trusted_adult_hint_bullying",
        "buttons",  # the area question, a button for each locality
    ]
    area = custom_messages(dispatcher)[-1]
    titles = [b["title"] for b in area["buttons"]]
    assert titles[1:-1] == ["Northgate", "Riverside", "Millfield", "Eastwick"]
    assert area["text"] in {v["text"] for v in domain["responses"]["utter_ask_locality"]}
    slots = slot_events(events)
    assert slots["need"] == "bullying" and slots["awaiting"] == "locality"


def test_acknowledge_need_asks_nothing_already_known(session_factory, domain):
    tracker = make_tracker(
        "low_mood",
        "feeling rubbish",
        slots={"age": 15, "locality": "online", "contact_mode": "text"},
    )
    dispatcher = CollectingDispatcher()
    ActionAcknowledgeNeed(session_factory).run(dispatcher, tracker, domain)
    assert said(dispatcher)[:2] == ["utter_ack_low_mood", "services"]
    assert said(dispatcher)[-1] == "utter_services_follow_up"


def test_browsing_uses_their_words_as_the_search(session_factory, domain):
    tracker = make_tracker("ask_services", text="any youth clubs near me")
    events = ActionAcknowledgeNeed(session_factory).run(CollectingDispatcher(), tracker, domain)
    slots = slot_events(events)
    assert slots.get("need") is None and slots["search_text"] == "any youth clubs near me"


def test_a_typed_age_answers_the_question_and_moves_on(session_factory, domain):
    slots = {
        "need": "feeling_lonely",
        "awaiting": "age",
        "asked_at": 1,
        "question_plan": [],
        "locality": "online",
    }
    tracker = make_tracker(
        "inform", "fourteen", slots, [user_event("feeling_lonely"), user_event("inform")]
    )
    dispatcher = CollectingDispatcher()
    events = ActionAnswer(session_factory).run(dispatcher, tracker, domain)
    assert slot_events(events)["age"] == 14
    services = custom_messages(dispatcher)[0]
    assert services["type"] == "services" and 1 <= len(services["services"]) <= 3
    assert said(dispatcher)[-1] == "utter_services_follow_up"


def test_why_do_you_ask_is_answered_honestly(session_factory, domain):
    slots = {"need": "feeling_lonely", "awaiting": "age", "asked_at": 1}
    tracker = make_tracker(
        "ask_why",
        "why do u need my age",
        slots,
        [user_event("feeling_lonely"), user_event("ask_why")],
    )
    dispatcher = CollectingDispatcher()
    ActionExplainWhy(session_factory).run(dispatcher, tracker, domain)
    assert said(dispatcher) == ["utter_why_age", "utter_ask_age"]


def test_search_arguments_follow_the_conversation():
    convo = Conversation(need="feeling_lonely", age=14, locality="riverside", contact_mode="text")
    assert search_arguments(convo) == {
        "need": "feeling_lonely",
        "text": None,
        "age": 14,
        "language": None,
        "contact_modes": ["text"],
        "locality": "riverside",
    }
    postcode = search_arguments(Conversation(locality="E14 2AB", age="skipped"))
    assert postcode["postcode"] == "E14 2AB" and postcode["age"] is None
    assert search_arguments(Conversation(locality="online"))["remote_only"] is True
    assert search_arguments(Conversation(locality="elsewhere"))["national_only"] is True
    assert search_arguments(Conversation(contact_mode="not_call"))["contact_modes"] == [
        "text",
        "webchat",
        "email",
    ]


def test_show_more_gives_different_services(session_factory, domain):
    first = CollectingDispatcher()
    slots = {"need": "low_mood", "age": 16, "locality": "online", "contact_mode": "any"}
    events = ActionAcknowledgeNeed(session_factory).run(
        first, make_tracker("low_mood", "so low", slots=slots), domain
    )
    more = CollectingDispatcher()
    ActionShowMore(session_factory).run(
        more, make_tracker("show_more", slots={**slots, **slot_events(events)}), domain
    )
    before = {c["id"] for c in custom_messages(first)[0]["services"]}
    after = {c["id"] for c in custom_messages(more)[0]["services"]}
    assert after and not before & after


def test_tips_fit_the_need(session_factory, domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("ask_tips", "any tips tho", slots={"need": "sleep_problems"})
    ActionTips(session_factory).run(dispatcher, tracker, domain)
    assert said(dispatcher) == ["utter_tips_sleep_problems", "utter_tips_follow_up"]


TUESDAY = dt.datetime(2026, 12, 8, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def test_directory(tmp_path_factory) -> sessionmaker:
    """The directory of the test fixtures: two 24/7 lines and a chat open 18:00-23:00."""
    url = f"sqlite:///{tmp_path_factory.mktemp('fixtures') / 'd.db'}"
    migrate(url)
    factory = make_session_factory(make_engine(url))
    with factory() as session, session.begin():
        load_curated(session, LOCAL_FIXTURES / "curated")
    return factory


@pytest.mark.parametrize(("hour", "evening_chat"), [(10, False), (19, True)])
def test_talk_to_someone_now_offers_only_what_is_open_at_that_time(
    test_directory, domain, hour, evening_chat
):
    dispatcher = CollectingDispatcher()
    clock = lambda: TUESDAY.replace(hour=hour)  # noqa: E731 - the injected clock
    ActionTalkToSomeoneNow(test_directory, clock=clock).run(
        dispatcher, make_tracker("talk_to_someone_now", "someone now"), domain
    )
    message = custom_messages(dispatcher)[0]
    assert message["type"] == "services"
    assert all(card["open_now"] is True for card in message["services"])
    assert ("Evening Chat" in {c["name"] for c in message["services"]}) is evening_chat


def test_talk_to_someone_now_with_nothing_open_gives_the_24_7_crisis_lines(tmp_path, domain):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    migrate(url)  # an empty directory: nothing fits, nothing is open
    dispatcher = CollectingDispatcher()
    ActionTalkToSomeoneNow(make_session_factory(make_engine(url))).run(
        dispatcher, make_tracker("talk_to_someone_now", slots={"age": 15}), domain
    )
    message = custom_messages(dispatcher)[0]
    assert message["type"] == "contacts" and route_values(message["contacts"]) >= CRISIS_NUMBERS


def test_confidentiality_covers_this_chat_and_each_shown_service(session_factory, domain):
    dispatcher = CollectingDispatcher()
    shown = [{"id": "1", "name": "Childline", "confidentiality": "Private unless..."}]
    ActionExplainConfidentiality(session_factory).run(
        dispatcher,
        make_tracker("ask_confidentiality", "is it private", slots={"shown_services": shown}),
        domain,
    )
    assert said(dispatcher)[0] == "utter_confidentiality_this_chat"
    assert said(dispatcher)[-1] == "utter_confidentiality_service"
    assert dispatcher.messages[-1]["service_name"] == "Childline"


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("will they tell my mum", "utter_telling_family"),
        ("if i tell school will they take me away from my family", "utter_telling_taken_away"),
        ("what happens if i tell childline about my uncle", "utter_telling_childline"),
        ("if i tell a teacher what happens", "utter_telling_school"),
    ],
)
def test_what_happens_when_you_tell(session_factory, domain, text, answer):
    dispatcher = CollectingDispatcher()
    ActionExplainConfidentiality(session_factory).run(
        dispatcher, make_tracker("ask_confidentiality", text), domain
    )
    assert said(dispatcher) == [answer, "utter_telling_you_decide"]


def test_second_misunderstanding_in_a_row_offers_a_human(session_factory, domain):
    action = ActionHandleMisunderstanding(session_factory)
    once = CollectingDispatcher()
    action.run(
        once,
        make_tracker("nlu_fallback", events=[user_event("greet"), user_event("nlu_fallback")]),
        domain,
    )
    assert said(once) == ["utter_misunderstood"]
    twice = CollectingDispatcher()
    action.run(
        twice,
        make_tracker(
            "out_of_scope", events=[user_event("nlu_fallback"), user_event("out_of_scope")]
        ),
        domain,
    )
    assert said(twice) == ["utter_human_route"]


def test_an_aside_goes_back_to_the_question(session_factory, domain):
    slots = {"awaiting": "age", "asked_at": 1, "need": "bullying"}
    dispatcher = CollectingDispatcher()
    events = ActionResume(session_factory).run(
        dispatcher,
        make_tracker(
            "bot_challenge", "r u a bot", slots, [user_event("bullying"), user_event("x")]
        ),
        domain,
    )
    assert said(dispatcher) == ["utter_ask_age"]
    assert slot_events(events)["asked_at"] == 2


def test_goodbye_keeps_the_crisis_contacts_one_tap_away(session_factory, domain):
    plain = CollectingDispatcher()
    ActionGoodbye(session_factory).run(plain, make_tracker("goodbye"), domain)
    message = custom_messages(plain)[0]
    assert message["type"] == "contacts" and route_values(message["contacts"]) >= CRISIS_NUMBERS
    after_risk = CollectingDispatcher()
    ActionGoodbye(session_factory).run(
        after_risk, make_tracker("goodbye", slots={"risk_expressed": True}), domain
    )
    stay = custom_messages(after_risk)[0]["text"]
    assert stay in {v["text"] for v in domain["responses"]["utter_goodbye_stay"]}
