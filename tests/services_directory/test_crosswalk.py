"""The crosswalk from a council feed's terms to the bot's needs: before a term is mapped the
search the bot's action makes never offers the imported service for a need; after it, it does.
Applying is idempotent, and taking a mapping away takes away only what the crosswalk added."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services_directory.crosswalk import apply_crosswalk
from services_directory.crosswalk_mapping import (
    InvalidMapping,
    TermKey,
    need_terms,
    remove_mapping,
    set_mapping,
)
from services_directory.crosswalk_models import FROM_CROSSWALK, NeedTagOrigin
from services_directory.crosswalk_terms import feed_terms, load_starter
from services_directory.io import import_document
from services_directory.io.writer import BACK_OFFICE_AUTHOR, ChangeLog
from services_directory.models import Attribute, MetadataEntry
from services_directory.search import search
from tests.services_directory.crosswalk_feed import (
    FOOD_BANK,
    LIBRARY,
    VOCABULARY,
    YOUTH_CLUB,
    council_feed,
)

YOUTH_CLUBS = TermKey(VOCABULARY, f"{VOCABULARY}:66")
FOOD_BANKS = TermKey(VOCABULARY, f"{VOCABULARY}:120")


@pytest.fixture
def feed(real_data: Session) -> Session:
    """The curated directory and the council's feed, imported as the CLI imports it."""
    import_document(real_data, council_feed(), source="council feed")
    real_data.flush()
    return real_data


def offered(session: Session, need: str, service_id: str, age: int = 15) -> bool:
    """Whether the bot's search offers the service for the need (the call its action makes)."""
    return service_id in {r.id for r in search(session, need=need, age=age, limit=50)}


def tags(session: Session, service_id: str) -> set[str]:
    by_term = {n.term_id: code for code, n in need_terms(session).items()}
    links = session.scalars(
        select(Attribute.taxonomy_term_id).where(Attribute.link_id == service_id)
    )
    return {by_term[t] for t in links if t in by_term}


def take_off(session: Session, attribute_id: str, updated_by: str) -> None:
    """Delete a need tag, logged in the change log as `updated_by` deletes it."""
    tag = session.get(Attribute, attribute_id)
    assert tag is not None
    session.delete(tag)
    log = ChangeLog(updated_by)
    log.add("attribute", attribute_id, "delete", "taxonomy_term_id", tag.taxonomy_term_id, None)
    log.flush(session)
    session.flush()


def log_size(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(MetadataEntry)) or 0)


def test_the_bot_offers_an_imported_service_only_once_its_term_is_mapped(feed: Session) -> None:
    assert not offered(feed, "feeling_lonely", YOUTH_CLUB)
    set_mapping(feed, YOUTH_CLUBS, "Youth clubs", ["feeling_lonely"], set_by="admin@example.org")
    report = apply_crosswalk(feed)
    assert (report.added, report.removed, report.services) == (1, 0, {YOUTH_CLUB})
    assert offered(feed, "feeling_lonely", YOUTH_CLUB)
    assert not offered(feed, "drugs_alcohol", YOUTH_CLUB)


def test_each_tag_is_logged_in_the_change_log_and_remembered_as_the_crosswalks(
    feed: Session,
) -> None:
    set_mapping(feed, FOOD_BANKS, "Food banks", ["money_worries"], set_by="admin@example.org")
    apply_crosswalk(feed)
    origin = feed.get(NeedTagOrigin, (FOOD_BANK, "money_worries"))
    assert origin is not None and origin.origin == FROM_CROSSWALK
    entry = feed.scalars(
        select(MetadataEntry).where(MetadataEntry.resource_id == origin.attribute_id)
    ).one()
    assert (entry.resource_type, entry.last_action_type) == ("attribute", "create")
    assert entry.updated_by == "services_directory crosswalk"


def test_applying_twice_changes_nothing(feed: Session) -> None:
    set_mapping(
        feed, YOUTH_CLUBS, "Youth clubs", ["feeling_lonely", "find_trusted_adult"], set_by="a"
    )
    apply_crosswalk(feed)
    before, tagged = log_size(feed), tags(feed, YOUTH_CLUB)
    report = apply_crosswalk(feed)
    assert (report.added, report.removed) == (0, 0)
    assert log_size(feed) == before and tags(feed, YOUTH_CLUB) == tagged


def test_removing_a_mapping_removes_only_the_tags_the_crosswalk_added(feed: Session) -> None:
    # A need set by hand (as a member of staff would), then the crosswalk adds another.
    hand = need_terms(feed)["find_trusted_adult"]
    feed.add(
        Attribute(
            id="hand-set-tag", link_id=YOUTH_CLUB, taxonomy_term_id=hand.term_id, link_type="need"
        )
    )
    feed.flush()
    set_mapping(
        feed, YOUTH_CLUBS, "Youth clubs", ["feeling_lonely", "find_trusted_adult"], set_by="a"
    )
    assert apply_crosswalk(feed).added == 1  # the hand-set need is already there
    assert tags(feed, YOUTH_CLUB) == {"feeling_lonely", "find_trusted_adult"}
    remove_mapping(feed, YOUTH_CLUBS)
    report = apply_crosswalk(feed)
    assert (report.added, report.removed) == (0, 1)
    assert tags(feed, YOUTH_CLUB) == {"find_trusted_adult"}
    assert feed.get(Attribute, "hand-set-tag") is not None
    assert not offered(feed, "feeling_lonely", YOUTH_CLUB)
    assert offered(feed, "find_trusted_adult", YOUTH_CLUB)


def test_a_tag_removed_by_hand_is_not_added_back_while_the_mapping_stays(feed: Session) -> None:
    set_mapping(feed, YOUTH_CLUBS, "Youth clubs", ["feeling_lonely"], set_by="a")
    apply_crosswalk(feed)
    origin = feed.get(NeedTagOrigin, (YOUTH_CLUB, "feeling_lonely"))
    assert origin is not None
    take_off(feed, origin.attribute_id, BACK_OFFICE_AUTHOR)  # staff, editing this one service
    assert apply_crosswalk(feed).added == 0
    assert "feeling_lonely" not in tags(feed, YOUTH_CLUB)
    # Once the mapping goes and comes back, it is a new decision: the tag comes back.
    remove_mapping(feed, YOUTH_CLUBS)
    apply_crosswalk(feed)
    set_mapping(feed, YOUTH_CLUBS, "Youth clubs", ["feeling_lonely"], set_by="a")
    assert apply_crosswalk(feed).added == 1


def test_a_tag_an_import_took_away_is_added_back(feed: Session) -> None:
    set_mapping(feed, YOUTH_CLUBS, "Youth clubs", ["feeling_lonely"], set_by="a")
    apply_crosswalk(feed)
    origin = feed.get(NeedTagOrigin, (YOUTH_CLUB, "feeling_lonely"))
    assert origin is not None
    # An HSDS 3.0 feed lists each service's attributes whole: the import deletes the others.
    take_off(feed, origin.attribute_id, "services_directory import")
    assert apply_crosswalk(feed, [YOUTH_CLUB]).added == 1
    assert offered(feed, "feeling_lonely", YOUTH_CLUB)
    assert apply_crosswalk(feed).added == 0


def test_applying_to_some_services_leaves_the_others(feed: Session) -> None:
    set_mapping(feed, YOUTH_CLUBS, "Youth clubs", ["feeling_lonely"], set_by="a")
    set_mapping(feed, FOOD_BANKS, "Food banks", ["money_worries"], set_by="a")
    report = apply_crosswalk(feed, [FOOD_BANK])
    assert report.services == {FOOD_BANK}
    assert tags(feed, YOUTH_CLUB) == set()


def test_unknown_and_crisis_needs_are_refused(feed: Session) -> None:
    with pytest.raises(InvalidMapping, match="not one of the bot's needs: loneliness"):
        set_mapping(feed, YOUTH_CLUBS, "Youth clubs", ["loneliness"], set_by="a")
    with pytest.raises(InvalidMapping, match="by hand: suicidal_thoughts"):
        set_mapping(feed, YOUTH_CLUBS, "Youth clubs", ["suicidal_thoughts"], set_by="a")


def test_feed_terms_are_listed_with_their_services_and_a_suggestion(feed: Session) -> None:
    terms = {t.name: t for t in feed_terms(feed)}
    assert set(terms) == {"Youth clubs", "Food banks", "Libraries"}  # never the needs themselves
    food = terms["Food banks"]
    assert (food.services, food.mapped) == (1, False)
    assert [(s.need, s.reason) for s in food.suggestions] == [
        ("money_worries", "the term's name mentions 'food banks'")
    ]
    set_mapping(feed, FOOD_BANKS, "Food banks", [], set_by="a")  # "says nothing": a decision
    food = {t.name: t for t in feed_terms(feed)}["Food banks"]
    assert food.mapped and food.needs == []


def test_the_starter_crosswalk_maps_terms_it_knows_by_name(feed: Session) -> None:
    mapped = {t.name for t in load_starter(feed, set_by="a")}
    assert mapped == {"Youth clubs", "Food banks", "Libraries"}
    apply_crosswalk(feed)
    assert offered(feed, "money_worries", FOOD_BANK, age=17)
    assert tags(feed, LIBRARY) == set()
    assert load_starter(feed, set_by="a") == []


def test_importing_the_feed_again_keeps_the_tags_and_applying_after_it_changes_nothing(
    feed: Session,
) -> None:
    set_mapping(feed, YOUTH_CLUBS, "Youth clubs", ["feeling_lonely"], set_by="a")
    apply_crosswalk(feed)
    import_document(feed, council_feed(), source="council feed, again")
    # What the staged import's publish step calls afterwards, for the services it wrote.
    report = apply_crosswalk(feed, [YOUTH_CLUB, FOOD_BANK, LIBRARY])
    assert (report.added, report.removed) == (0, 0)
    assert offered(feed, "feeling_lonely", YOUTH_CLUB)
