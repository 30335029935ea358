"""Search: needs, typos, age and area, open now, crisis order, reasons and bad arguments."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from sqlalchemy.orm import Session

from services_directory.errors import DirectoryError, InvalidSearch
from services_directory.search import SearchResult, search
from tests.services_directory.dbtest import DATA

TUESDAY_10AM = dt.datetime(2026, 11, 24, 10, 0)
SATURDAY_11AM = dt.datetime(2026, 11, 28, 11, 0)
BANK_HOLIDAY_MONDAY_10AM = dt.datetime(2026, 8, 31, 10, 0)
ORDINARY_MONDAY_10AM = dt.datetime(2026, 9, 7, 10, 0)
TUESDAY_8PM = dt.datetime(2026, 11, 24, 20, 0)


def slugs(results: list[SearchResult]) -> list[str]:
    return [r.slug for r in results]


def test_lonely_14_year_old_gets_services_that_fit(real_data: Session) -> None:
    results = search(real_data, need="feeling_lonely", age=14, limit=5, now=TUESDAY_10AM)
    assert results, "no service for a lonely 14-year-old"
    for result in results:
        assert result.ages
        assert result.how_to_contact, f"{result.slug} has no way to get in touch"
        assert "helps with" in result.reasons[0]
    # Every result is open to a 14-year-old according to the directory's own data.
    entries = {
        e["slug"]: e
        for f in ("national_services.yml", "local_sample_services.yml")
        for e in yaml.safe_load((DATA / f).read_text(encoding="utf-8"))
    }
    for result in results:
        entry = entries[result.slug]
        assert (entry.get("minimum_age") or 0) <= 14 <= (entry.get("maximum_age") or 120)


def test_lonely_free_text_for_14_year_old(real_data: Session) -> None:
    results = search(real_data, text="i feel so lonely", age=14, limit=5, now=TUESDAY_10AM)
    assert results
    assert all("matches what you typed" in r.reasons for r in results)


def test_every_contract_need_has_services_in_the_real_data(real_data: Session) -> None:
    contract = (
        yaml.safe_load(
            (DATA.parents[2] / "shared" / "contracts" / "intents.yml").read_text(encoding="utf-8")
        )
        if (DATA.parents[2] / "shared").exists()
        else None
    )
    if contract is None:
        pytest.skip("shared/contracts not found")
    for intent, spec in contract["intents"].items():
        if spec["tier"] in {"need", "crisis", "safeguarding"}:
            assert search(real_data, need=intent, limit=1), f"no service for {intent}"


def test_need_filters_and_ranks_by_taxonomy(curated: Session) -> None:
    results = search(curated, need="feeling_lonely", limit=10, now=TUESDAY_10AM)
    assert set(slugs(results)) == {
        "young-adults-club-northgate",
        "teen-counselling-riverside",
        "evening-chat",
        "test-helpline",
    }
    assert results[0].reasons[0] == "helps with loneliness"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("councelling", "teen-counselling-riverside"),
        ("bullyed", "anti-bullying-online"),
        ("anxiaty", "teen-counselling-riverside"),
        ("im so lonley", "young-adults-club-northgate"),
    ],
)
def test_free_text_tolerates_typos(curated: Session, typed: str, expected: str) -> None:
    results = search(curated, text=typed, limit=5, now=TUESDAY_10AM)
    assert expected in slugs(results)
    assert all("matches what you typed" in r.reasons for r in results)


def test_text_that_matches_nothing_finds_nothing(curated: Session) -> None:
    assert search(curated, text="xylophone quartz", now=TUESDAY_10AM) == []


def test_age_filter_respects_eligibility(curated: Session) -> None:
    twelve = slugs(search(curated, need="feeling_lonely", age=12, limit=10, now=TUESDAY_10AM))
    assert "young-adults-club-northgate" not in twelve  # 16-25
    assert "evening-chat" not in twelve  # 13-25
    assert "teen-counselling-riverside" in twelve and "test-helpline" in twelve  # 11-18, any age
    twenty = slugs(search(curated, need="feeling_lonely", age=20, limit=10, now=TUESDAY_10AM))
    assert "teen-counselling-riverside" not in twenty
    assert "young-adults-club-northgate" in twenty


def test_locality_keeps_national_and_local_services_of_that_locality(curated: Session) -> None:
    found = search(curated, need="feeling_lonely", locality="riverside", limit=10, now=TUESDAY_10AM)
    assert "young-adults-club-northgate" not in slugs(found)  # Northgate only
    assert {"teen-counselling-riverside", "evening-chat", "test-helpline"} <= set(slugs(found))
    local = next(r for r in found if r.slug == "teen-counselling-riverside")
    assert "near you in Riverside" in local.reasons


def test_postcode_maps_to_locality(curated: Session) -> None:
    by_postcode = search(
        curated, need="feeling_lonely", postcode="e9 7hd", limit=10, now=TUESDAY_10AM
    )
    assert "young-adults-club-northgate" in slugs(by_postcode)
    assert "teen-counselling-riverside" not in slugs(by_postcode)
    outside = search(curated, need="feeling_lonely", postcode="M1 1AE", limit=10, now=TUESDAY_10AM)
    assert set(slugs(outside)) == {"evening-chat", "test-helpline"}  # national only


def test_open_now_on_a_weekday(curated: Session) -> None:
    results = search(curated, need="feeling_lonely", open_now=True, limit=10, now=TUESDAY_10AM)
    assert set(slugs(results)) == {"teen-counselling-riverside", "test-helpline"}
    counselling = next(r for r in results if r.slug == "teen-counselling-riverside")
    assert counselling.open_now is True and "open now" in counselling.reasons
    assert counselling.hours == "Mon-Fri 9am-5pm (closed on bank holidays)"


def test_open_now_at_the_weekend(curated: Session) -> None:
    results = search(curated, need="feeling_lonely", open_now=True, limit=10, now=SATURDAY_11AM)
    assert set(slugs(results)) == {"young-adults-club-northgate", "test-helpline"}


def test_open_now_on_a_bank_holiday(curated: Session) -> None:
    holiday = search(
        curated, need="feeling_lonely", open_now=True, limit=10, now=BANK_HOLIDAY_MONDAY_10AM
    )
    assert "teen-counselling-riverside" not in slugs(holiday)
    ordinary = search(
        curated, need="feeling_lonely", open_now=True, limit=10, now=ORDINARY_MONDAY_10AM
    )
    assert "teen-counselling-riverside" in slugs(ordinary)


def test_contact_mode_hours_of_their_own(curated: Session) -> None:
    # The club opens on Saturdays, but its web chat runs on weekday evenings.
    results = search(
        curated,
        need="feeling_lonely",
        age=17,
        locality="northgate",
        contact_modes=["webchat"],
        limit=5,
        now=TUESDAY_8PM,
    )
    assert set(slugs(results)) == {"young-adults-club-northgate", "evening-chat"}
    club = next(r for r in results if r.slug == "young-adults-club-northgate")
    assert club.open_now is False
    chat = next(r for r in club.how_to_contact if r.mode == "webchat")
    assert chat.open_now is True
    assert "you can chat online" in club.reasons and "open now" in club.reasons


def test_crisis_services_come_first_in_crisis_order(curated: Session) -> None:
    results = search(curated, need="suicidal_thoughts", limit=5, now=TUESDAY_10AM)
    assert slugs(results)[:2] == ["test-helpline", "test-textline"]
    assert all(r.crisis for r in results[:2]) and not results[2].crisis
    abuse = search(curated, need="abuse_disclosure", limit=5, now=TUESDAY_10AM)
    assert slugs(abuse)[:2] == ["test-helpline", "test-textline"]


def test_contact_mode_language_and_free_filters(curated: Session) -> None:
    texts = search(
        curated, contact_modes=["text"], need="talk_to_someone_now", age=14, now=TUESDAY_10AM
    )
    assert slugs(texts) == ["test-textline"]
    assert "you can text" in texts[0].reasons
    route = texts[0].how_to_contact[0]
    assert (route.mode, route.href, route.label) == (
        "text",
        "sms:85000?&body=HELLO",
        "Text HELLO to 85000",
    )
    polish = search(curated, need="feeling_lonely", language="polish", now=TUESDAY_10AM)
    assert slugs(polish) == ["evening-chat"]
    assert "speaks Polish" in polish[0].reasons
    paid = slugs(search(curated, need="bullying", free_only=True, limit=10, now=TUESDAY_10AM))
    assert "anti-bullying-online" not in paid and paid == ["teen-counselling-riverside"]
    in_person = search(
        curated,
        need="feeling_lonely",
        contact_modes=["drop_in", "in_person_appointment"],
        limit=10,
        now=TUESDAY_10AM,
    )
    assert set(slugs(in_person)) == {"young-adults-club-northgate", "teen-counselling-riverside"}


def test_limit_offset_and_message_shape(curated: Session) -> None:
    everything = search(curated, need="feeling_lonely", limit=10, now=TUESDAY_10AM)
    second = search(curated, need="feeling_lonely", limit=1, offset=1, now=TUESDAY_10AM)
    assert slugs(second) == slugs(everything)[1:2]
    message = everything[0].to_message_dict()
    assert set(message) == {
        "id",
        "slug",
        "name",
        "summary",
        "why",
        "how_to_contact",
        "open_now",
        "hours",
        "ages",
        "what_happens",
        "confidentiality",
        "url",
        "sample",
        "last_checked",
        "who_answers",
        "referral",
        "who_is_told",
        "notice",
    }
    for route in message["how_to_contact"]:
        assert set(route) == {"mode", "label", "href", "value", "open_now"}
        assert route["href"] is None or route["href"].startswith(
            ("tel:", "sms:", "https:", "mailto:")
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"need": "feeling_sleepy"}, "unknown need"),
        ({"age": 121}, "age must be"),
        ({"age": -1}, "age must be"),
        ({"age": "14"}, "age must be"),
        ({"locality": "atlantis"}, "unknown locality"),
        ({"postcode": "not a postcode"}, "not a UK postcode"),
        ({"contact_modes": ["pigeon"]}, "unknown contact mode"),
        ({"language": "klingon"}, "unknown language"),
        ({"limit": 0}, "limit must be"),
        ({"limit": 51}, "limit must be"),
        ({"offset": -1}, "offset must be"),
        ({"locality": "riverside", "postcode": "E9 1AA"}, "not in riverside"),
    ],
)
def test_invalid_arguments_raise_a_clear_error(
    curated: Session, kwargs: dict, message: str
) -> None:
    with pytest.raises(InvalidSearch, match=message) as raised:
        search(curated, **kwargs)
    assert isinstance(raised.value, DirectoryError)


def test_plain_arguments_only_and_no_chat_words(curated: Session) -> None:
    """The directory takes its own words: the chat's answers ("online is fine", "any", a chat
    preference) are translated by the conversation core, not here."""
    assert search(curated, need="feeling_lonely", now=TUESDAY_10AM)
    online = search(curated, need="feeling_lonely", remote_only=True, limit=10, now=TUESDAY_10AM)
    assert "young-adults-club-northgate" in slugs(online)  # has a web chat
    chat = search(
        curated, need="feeling_lonely", contact_modes=["webchat"], limit=10, now=TUESDAY_10AM
    )
    assert set(slugs(chat)) == {"young-adults-club-northgate", "evening-chat"}
    for slot_value in ({"locality": "online"}, {"locality": "skipped"}, {"contact_modes": ["any"]}):
        with pytest.raises(InvalidSearch):
            search(curated, need="feeling_lonely", **slot_value)


def test_index_follows_the_change_log(curated: Session) -> None:
    from services_directory.io import import_file
    from tests.services_directory.dbtest import FIXTURES

    assert search(curated, text="counselling", limit=10, now=TUESDAY_10AM)
    before = {r.name for r in search(curated, text="counselling", limit=10, now=TUESDAY_10AM)}
    import_file(curated, FIXTURES / "oruk3" / "service_full.json")
    after = {r.name for r in search(curated, text="counselling", limit=10, now=TUESDAY_10AM)}
    assert after - before == {"Community Counselling"}
