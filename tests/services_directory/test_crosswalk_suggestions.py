"""Suggestions for imported services, with their reasons: needs from the text (crisis needs only
from plain words, never ticked in advance), ages from eligibility text, localities from service
areas and postcodes; confirmed in bulk they reach the bot's search, rejected they are not made
again."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.crosswalk_ages import ages_in
from services_directory.crosswalk_confirm import decide
from services_directory.crosswalk_lexicon import match_needs
from services_directory.crosswalk_models import FROM_SUGGESTION, NeedTagOrigin
from services_directory.crosswalk_suggest import Suggestion, suggestions_for
from services_directory.io import import_document
from services_directory.models import MetadataEntry, Service, ServiceLocality
from services_directory.search import search
from tests.services_directory.crosswalk_feed import (
    EATING,
    FOOD_BANK,
    LIBRARY,
    PREVENTION,
    YOUTH_CLUB,
    council_feed,
)

NOW = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)
ALL = (YOUTH_CLUB, FOOD_BANK, EATING, LIBRARY, PREVENTION)


@pytest.fixture
def feed(real_data: Session) -> Session:
    import_document(real_data, council_feed(), source="council feed")
    real_data.flush()
    return real_data


def listed(found: dict[str, list[Suggestion]], service_id: str) -> list[tuple[str, str, str]]:
    return [(s.kind, s.value, s.reason) for s in found.get(service_id, [])]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Young people aged 11 to 19", (11, 19)),
        ("young people up to 19", (None, 19)),
        ("For under 18s only", (None, 17)),
        ("16+", (16, None)),
        ("Adults aged 18 and over", (18, None)),
        ("11 - 25 year olds", (11, 25)),
        ("between 13 and 19", (13, 19)),
        ("over 16s", (16, None)),
        ("Open 10 to 12 on Mondays", None),  # a time, not an age
        ("Call 020 7946 0123", None),
        ("5-11 year olds and 11-16 year olds", None),  # two ranges: nothing sure
        ("Everyone is welcome", None),
    ],
)
def test_ages_are_read_only_from_plain_words(
    text: str, expected: tuple[int | None, int | None] | None
) -> None:
    found = ages_in(text)
    assert (None if found is None else (found.minimum, found.maximum)) == expected


def test_needs_are_matched_by_lemma_and_need_strong_words_or_two_supporting_ones() -> None:
    found = match_needs("Help for people living with eating disorders such as bulimia")
    assert set(found) == {"eating_body_image"}
    assert found["eating_body_image"].strong == ("eating disorders", "bulimia")
    assert "anxiety_stress" not in match_needs("A stress-free place to park")  # one weak word
    assert "bullying" in match_needs("Support for children who were bullied")


def test_every_suggestion_has_its_reason(feed: Session) -> None:
    found = suggestions_for(feed, ALL)
    assert listed(found, EATING) == [
        (
            "need",
            "eating_body_image",
            "description mentions 'eating disorders', 'bulimia', 'anorexia'",
        ),
        ("ages", "-25", "eligibility says 'up to 25'"),
        ("locality", "eastwick", "service area 'Millfield and Eastwick' names Eastwick"),
        ("locality", "millfield", "service area 'Millfield and Eastwick' names Millfield"),
    ]
    club = listed(found, YOUTH_CLUB)
    assert ("ages", "11-19", "eligibility says 'aged 11 to 19'") in club
    assert ("locality", "northgate", "service area 'Northgate' names Northgate") in club
    # Its numbers already give the food bank's ages; its postcode gives its locality.
    assert listed(found, FOOD_BANK)[-1] == (
        "locality",
        "riverside",
        "location postcode E1 6AN is in Riverside",
    )
    assert not [s for s in found.get(FOOD_BANK, []) if s.kind == "ages"]


def test_a_crisis_need_is_suggested_only_plainly_and_never_ticked_in_advance(feed: Session) -> None:
    found = {s.value: s for s in suggestions_for(feed, [PREVENTION])[PREVENTION]}
    crisis = found["suicidal_thoughts"]
    assert crisis.crisis and not crisis.ticked
    assert crisis.reason == "description mentions 'suicide prevention', 'suicidal thoughts'"
    assert found["18-"].ticked  # ages, from plain words, are ticked


def test_a_service_with_a_need_gets_no_need_suggestions(feed: Session) -> None:
    # A curated service has its needs: nothing about needs is suggested for it.
    curated = feed.scalar(select(Service.id).where(Service.name == "Childline"))
    assert curated is not None
    assert not [s for s in suggestions_for(feed, [curated]).get(curated, []) if s.kind == "need"]


def test_confirming_in_bulk_writes_through_the_change_log_and_reaches_the_search(
    feed: Session,
) -> None:
    assert EATING not in {r.id for r in search(feed, need="eating_body_image", age=15, limit=50)}
    keys = [s.key for s in suggestions_for(feed, [EATING])[EATING]]
    done = decide(feed, keys, confirm=True, decided_by="reviewer@example.org", now=NOW)
    assert len(done.confirmed) == 4 and not done.skipped
    service = feed.get(Service, EATING)
    assert service is not None and (service.minimum_age, service.maximum_age) == (None, 25)
    origin = feed.get(NeedTagOrigin, (EATING, "eating_body_image"))
    assert origin is not None and origin.origin == FROM_SUGGESTION
    localities = set(
        feed.scalars(select(ServiceLocality.locality).where(ServiceLocality.service_id == EATING))
    )
    assert localities == {"millfield", "eastwick"}
    logged = {
        (e.resource_type, e.field_name)
        for e in feed.scalars(
            select(MetadataEntry).where(
                MetadataEntry.last_action_date == dt.datetime.now(dt.UTC).date()
            )
        )
    }
    assert {
        ("attribute", "taxonomy_term_id"),
        ("service", "maximum_age"),
        ("x_service_locality", "locality"),
    } <= logged
    results = search(feed, need="eating_body_image", age=15, locality="millfield", limit=50)
    assert EATING in {r.id for r in results}
    assert EATING not in {
        r.id for r in search(feed, need="eating_body_image", age=15, locality="northgate", limit=50)
    }
    assert EATING not in suggestions_for(feed, [EATING])
    again = decide(feed, keys, confirm=True, decided_by="reviewer@example.org", now=NOW)
    assert not again.confirmed and again.skipped == sorted(keys)  # nothing twice


def test_a_rejected_suggestion_is_not_made_again(feed: Session) -> None:
    crisis = f"{PREVENTION}|need|suicidal_thoughts"
    done = decide(feed, [crisis, "not|a|key"], confirm=False, decided_by="r@example.org", now=NOW)
    assert [s.key for s in done.rejected] == [crisis]
    assert "not|a|key" in done.skipped
    left = {s.key for s in suggestions_for(feed, [PREVENTION])[PREVENTION]}
    assert crisis not in left
    assert PREVENTION not in {r.id for r in search(feed, need="suicidal_thoughts", limit=50)}


def test_a_key_that_is_not_a_suggestion_is_never_written(feed: Session) -> None:
    forged = f"{LIBRARY}|need|drugs_alcohol"  # the library's text says nothing of drugs
    done = decide(feed, [forged], confirm=True, decided_by="r@example.org", now=NOW)
    assert done.skipped == [forged] and not done.confirmed
