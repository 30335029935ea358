"""The actions add to the partnership's aggregate counters when they offer services, through
`services_directory.insights.record_offer`, against the real curated directory (rolled back)."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from bot.actions.needs import ActionAcknowledgeNeed
from bot.actions.suggest_services import ActionShowMore
from services_directory.insights import NO_LOCAL_FIT, OFFERED, InsightCounter, local_services
from tests.bot.conftest import make_tracker


def counters(session_factory) -> dict[tuple[str, str, str, str], int]:
    with session_factory() as session:
        return {
            (c.metric, c.need, c.age_band, c.locality): c.count
            for c in session.scalars(select(InsightCounter))
        }


def test_offering_services_counts_the_need_age_band_and_locality(session_factory, domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "feeling_lonely", "i feel so alone", slots={"age": 16, "locality": "riverside"}
    )
    ActionAcknowledgeNeed(session_factory).run(dispatcher, tracker, domain)
    [offer] = [m["custom"] for m in dispatcher.messages if m.get("custom", {}).get("services")]
    offered = [s["id"] for s in offer["services"]]
    with session_factory() as session:
        local = local_services(session, "riverside", offered)
    expected = {(OFFERED, "feeling_lonely", "16-17", "riverside"): 1}
    if not local:
        expected[(NO_LOCAL_FIT, "feeling_lonely", "16-17", "riverside")] = 1
    assert counters(session_factory) == expected


def test_more_of_the_same_services_is_not_counted_again(session_factory, domain):
    slots = {"need": "bullying", "age": 13, "locality": "online", "contact_mode": "any"}
    dispatcher = CollectingDispatcher()
    ActionShowMore(session_factory).run(
        dispatcher, make_tracker("show_more", "more", slots={**slots, "results_offset": 1}), domain
    )
    assert any(m.get("custom", {}).get("type") == "services" for m in dispatcher.messages)
    assert counters(session_factory) == {}


def test_the_counters_hold_nothing_of_what_was_typed(session_factory, domain):
    typed = "my name is Sam and i feel lonely at 12 Acacia Road"
    ActionAcknowledgeNeed(session_factory).run(
        CollectingDispatcher(), make_tracker("feeling_lonely", typed, slots={"age": 15}), domain
    )
    found = counters(session_factory)
    assert found and all(typed not in " ".join(key) for key in found)
    assert {key[3] for key in found} == {"unknown"}
