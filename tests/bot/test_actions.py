"""Custom actions with a real directory: assert on both the events and what the user sees."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.confidentiality import ActionExplainConfidentiality
from bot.actions.conversation import ActionGoodbye, ActionHandleMisunderstanding
from bot.actions.crisis import ActionCrisisResponse
from bot.actions.needs import ActionAcknowledgeNeed
from bot.actions.service_form import ValidateServicePreferencesForm, parse_age
from bot.actions.suggest_services import ActionShowMore, ActionSuggestServices, search_arguments
from bot.actions.talk_now import ActionTalkToSomeoneNow
from tests.bot.conftest import make_tracker

CRISIS_NUMBERS = {"999", "111", "0800 1111", "116 123", "85258"}


def route_values(message: dict[str, Any]) -> set[str]:
    return {r["value"] for c in message["contacts"] for r in c["routes"]}


def custom_messages(dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    return [m["custom"] for m in dispatcher.messages if m.get("custom")]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


@pytest.mark.parametrize("intent", ["suicidal_thoughts", "self_harm", "immediate_danger"])
def test_crisis_response_is_the_crisis_card_with_every_number(session_factory, domain, intent):
    dispatcher = CollectingDispatcher()
    events = ActionCrisisResponse(session_factory).run(dispatcher, make_tracker(intent), domain)
    assert dispatcher.messages[0]["custom"]["type"] == "crisis"
    card = dispatcher.messages[0]["custom"]
    assert card["kind"] == "crisis"
    assert route_values(card) >= CRISIS_NUMBERS
    assert {b["payload"] for b in card["buttons"]} >= {"/im_safe", "/talk_to_someone_now"}
    assert "bot" in card["text"]  # honest that it is a bot
    assert events == [SlotSet("risk_expressed", True)]


def test_safeguarding_response_says_it_is_not_their_fault(session_factory, domain):
    dispatcher = CollectingDispatcher()
    ActionCrisisResponse(session_factory).run(dispatcher, make_tracker("abuse_disclosure"), domain)
    card = dispatcher.messages[0]["custom"]
    assert card["type"] == "crisis" and card["kind"] == "safeguarding"
    # Whichever variation is picked, it says it is not their fault.
    variations = {v["text"] for v in domain["responses"]["utter_safeguarding"]}
    assert card["text"] in variations
    assert all("not your fault" in v for v in variations)
    assert route_values(card) >= CRISIS_NUMBERS
    # Beyond the crisis lines: where to report images and online abuse.
    names = " ".join(c["name"] for c in card["contacts"])
    assert "Report Remove" in names and "CEOP" in names
    assert dispatcher.messages[1]["response"] == "utter_safeguarding_sharing"


def test_crisis_response_survives_an_unreadable_directory(domain):
    def broken_factory():
        raise RuntimeError("database is down")

    dispatcher = CollectingDispatcher()
    ActionCrisisResponse(broken_factory).run(dispatcher, make_tracker("self_harm"), domain)
    assert route_values(dispatcher.messages[0]["custom"]) >= CRISIS_NUMBERS


def test_acknowledge_need_plans_at_most_two_unknown_questions(domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("bullying", slots={"age": 14, "locality": None, "contact_mode": None})
    events = ActionAcknowledgeNeed().run(dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_ack_bullying"]
    slots = slot_events(events)
    assert slots["need"] == "bullying"
    assert slots["form_plan"] == ["locality", "contact_mode"]
    assert slots["questions_needed"] is True


def test_acknowledge_need_asks_nothing_already_known(domain):
    tracker = make_tracker(
        "low_mood", slots={"age": 15, "locality": "online", "contact_mode": "text"}
    )
    slots = slot_events(ActionAcknowledgeNeed().run(CollectingDispatcher(), tracker, domain))
    assert slots["form_plan"] == [] and slots["questions_needed"] is False


def test_browsing_uses_their_words_as_the_search(domain):
    tracker = make_tracker("ask_services", text="any youth clubs near me")
    slots = slot_events(ActionAcknowledgeNeed().run(CollectingDispatcher(), tracker, domain))
    assert slots["need"] is None and slots["search_text"] == "any youth clubs near me"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("14", 14), (16, 16), ("im 13", 13), ("5", None), ("99", None), ("old", None)],
)
def test_parse_age(value, expected):
    assert parse_age(value) == expected


def test_form_asks_only_the_planned_questions(domain):
    form = ValidateServicePreferencesForm()
    tracker = make_tracker("inform", slots={"form_plan": ["age", "locality"]})
    planned = form.required_slots(
        ["age", "locality", "contact_mode"], CollectingDispatcher(), tracker, domain
    )
    assert asyncio.run(planned) == ["age", "locality"]


def test_form_validation_normalises_and_accepts_skips(domain):
    form = ValidateServicePreferencesForm()
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("inform")
    assert form.validate_age("skipped", dispatcher, tracker, domain) == {"age": "skipped"}
    assert form.validate_age("15", dispatcher, tracker, domain) == {"age": 15}
    assert form.validate_age("banana", dispatcher, tracker, domain) == {"age": None}
    assert dispatcher.messages[-1]["response"] == "utter_age_not_understood"
    assert form.validate_locality("Riverside", dispatcher, tracker, domain) == {
        "locality": "riverside"
    }
    assert form.validate_locality("e1 6an", dispatcher, tracker, domain) == {"locality": "E1 6AN"}
    assert form.validate_contact_mode("TEXT", dispatcher, tracker, domain) == {
        "contact_mode": "text"
    }
    assert form.validate_contact_mode("pigeon", dispatcher, tracker, domain) == {
        "contact_mode": "any"
    }


def test_search_arguments_follow_the_slots():
    tracker = make_tracker(
        "inform",
        slots={
            "need": "feeling_lonely",
            "age": 14,
            "locality": "riverside",
            "contact_mode": "text",
        },
    )
    assert search_arguments(tracker) == {
        "need": "feeling_lonely",
        "text": None,
        "age": 14,
        "language": None,
        "contact_modes": ["text"],
        "locality": "riverside",
    }
    postcode = make_tracker("inform", slots={"locality": "E14 2AB", "age": "skipped"})
    assert search_arguments(postcode)["postcode"] == "E14 2AB"
    assert search_arguments(postcode)["age"] is None


def test_lonely_14_year_old_gets_up_to_three_fitting_services(session_factory, domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "inform", slots={"need": "feeling_lonely", "age": 14, "locality": "riverside"}
    )
    events = ActionSuggestServices(session_factory).run(dispatcher, tracker, domain)
    services = custom_messages(dispatcher)[0]
    assert services["type"] == "services"
    assert 1 <= len(services["services"]) <= 3
    for card in services["services"]:
        assert card["name"] and card["how_to_contact"] and card["what_happens"]
    slots = slot_events(events)
    assert slots["results_offset"] == len(services["services"])
    assert [s["id"] for s in slots["shown_services"]] == [c["id"] for c in services["services"]]
    assert dispatcher.messages[-1]["response"] == "utter_services_follow_up"


def test_show_more_gives_different_services(session_factory, domain):
    first = CollectingDispatcher()
    slots = {"need": "low_mood", "age": 16}
    events = ActionSuggestServices(session_factory).run(
        first, make_tracker("inform", slots=slots), domain
    )
    more = CollectingDispatcher()
    ActionShowMore(session_factory).run(
        more, make_tracker("show_more", slots={**slots, **slot_events(events)}), domain
    )
    before = {c["id"] for c in custom_messages(first)[0]["services"]}
    after = {c["id"] for c in custom_messages(more)[0]["services"]}
    assert after and not before & after


def test_talk_to_someone_now_only_offers_routes_open_now(session_factory, domain):
    dispatcher = CollectingDispatcher()
    ActionTalkToSomeoneNow(session_factory).run(
        dispatcher, make_tracker("talk_to_someone_now", slots={"age": 15}), domain
    )
    message = custom_messages(dispatcher)[0]
    if message["type"] == "services":
        assert all(card["open_now"] is True for card in message["services"])
    else:  # nothing fitting open now: the 24/7 crisis routes
        assert message["type"] == "contacts" and route_values(message) >= CRISIS_NUMBERS


def test_confidentiality_covers_this_chat_and_each_shown_service(domain):
    dispatcher = CollectingDispatcher()
    shown = [{"id": "1", "name": "Childline", "confidentiality": "Private unless..."}]
    ActionExplainConfidentiality().run(
        dispatcher, make_tracker("ask_confidentiality", slots={"shown_services": shown}), domain
    )
    responses = [m["response"] for m in dispatcher.messages]
    assert responses[0] == "utter_confidentiality_this_chat"
    assert responses[-1] == "utter_confidentiality_service"
    assert dispatcher.messages[-1]["service_name"] == "Childline"


def user_event(intent: str) -> dict[str, Any]:
    return {"event": "user", "parse_data": {"intent": {"name": intent}}}


def test_second_misunderstanding_in_a_row_offers_a_human(domain):
    action = ActionHandleMisunderstanding()
    once = CollectingDispatcher()
    action.run(
        once,
        make_tracker("nlu_fallback", events=[user_event("greet"), user_event("nlu_fallback")]),
        domain,
    )
    assert once.messages[0]["response"] == "utter_misunderstood"
    twice = CollectingDispatcher()
    action.run(
        twice,
        make_tracker(
            "out_of_scope", events=[user_event("nlu_fallback"), user_event("out_of_scope")]
        ),
        domain,
    )
    assert twice.messages[0]["response"] == "utter_human_route"


def test_goodbye_keeps_the_crisis_contacts_one_tap_away(session_factory, domain):
    plain = CollectingDispatcher()
    ActionGoodbye(session_factory).run(plain, make_tracker("goodbye"), domain)
    message = custom_messages(plain)[0]
    assert message["type"] == "contacts" and route_values(message) >= CRISIS_NUMBERS
    after_risk = CollectingDispatcher()
    ActionGoodbye(session_factory).run(
        after_risk, make_tracker("goodbye", slots={"risk_expressed": True}), domain
    )
    stay = custom_messages(after_risk)[0]["text"]
    assert stay in {v["text"] for v in domain["responses"]["utter_goodbye_stay"]}
