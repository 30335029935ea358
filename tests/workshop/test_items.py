"""Sending an example, on a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set):
the checks on submit against the real training data and held-out test sets, the bot's reading
from a real local HTTP server standing in for Rasa, and what the candidate job reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dialogue.intents import CRISIS_TIER, NEED_INTENTS, SAFEGUARDING_TIER, intent_tiers
from services_directory.accounts import StaffAuditEvent
from tests.staff import conftest as staff_fixtures
from tests.staff.helpers import FakeClock
from tests.workshop.item_helpers import (
    FRESH,
    fake_rasa,
    held_out_sentence,
    send,
    training_sentence,
    writer,
)
from workshop import corpus
from workshop.checks import TOO_CLOSE, BotAddress, Turn, check
from workshop.disclosure import read_as_disclosure
from workshop.item_models import DISCLOSURE, PENDING, WorkshopAlert, WorkshopItem
from workshop.items import approved_training_items, checks_of, youth_voice_set
from workshop.personal import personal_details
from workshop.prompts import prompts
from workshop.reading import GETS_IT, GETS_IT_WRONG, UNREACHABLE, reading_of

ROOT = Path(__file__).resolve().parents[2]

# The staff tests' fixtures: a database per backend whose writes are rolled back, a clock.
engine, db_pair, db, clock = (
    staff_fixtures.engine,
    staff_fixtures.db_pair,
    staff_fixtures.db,
    staff_fixtures.clock,
)


def _count(db: Session, model: type) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_there_is_one_prompt_for_every_situation_a_young_person_writes_for() -> None:
    wanted = NEED_INTENTS | CRISIS_TIER | SAFEGUARDING_TIER
    assert set(prompts()) == wanted
    assert all(p.tier == intent_tiers()[p.intent] for p in prompts().values())
    assert {
        p.intent for p in prompts().values() if p.needs_moderator
    } == CRISIS_TIER | SAFEGUARDING_TIER


def test_the_prompts_never_give_away_an_example() -> None:
    sentences = corpus.training().exact | corpus.held_out().exact
    for prompt in prompts().values():
        for words in (prompt.meaning, prompt.scenario):
            assert corpus.normalise(words) not in sentences


def test_every_test_set_under_tests_is_held_out() -> None:
    covered = set(corpus.held_out_files())
    sets = {
        path
        for path in (ROOT / "tests").rglob("*.yml")
        if "fixtures" not in path.parts and path.parent.name != "workshop"
    }
    assert sets and sets <= covered, sorted(str(p) for p in sets - covered)
    assert ROOT / "tests" / "nlu" / "test_nlu.yml" in covered
    assert {p.name for p in covered} >= {
        "cases.yml",
        "warning_signs_7.yml",
        "open_world_heldout.yml",
    }


@pytest.mark.parametrize(
    "variant",
    [
        lambda s: s,  # exact
        lambda s: s.upper() + "!!!",  # normalised: case and punctuation
        lambda s: s.replace("'", "") + " x",  # near: a character or two
    ],
    ids=["exact", "normalised", "near"],
)
def test_a_submission_overlapping_a_held_out_test_item_is_refused(
    db: Session, clock: FakeClock, variant
) -> None:
    author = writer(db, "skylark", clock())
    before = _count(db, WorkshopItem)
    sentence = variant(held_out_sentence())
    submitted = send(db, author, clock(), sentence)
    assert submitted.item is None and submitted.report.refused
    assert submitted.report.too_close == [0]
    assert _count(db, WorkshopItem) == before
    # The only words said are the same for every test sentence: which one it was stays unknown.
    assert held_out_sentence() not in TOO_CLOSE
    refusal = db.scalar(select(StaffAuditEvent).order_by(StaffAuditEvent.id.desc()))
    assert refusal is not None and refusal.action == "workshop.example_refused"
    assert corpus.normalise(held_out_sentence()) not in corpus.normalise(refusal.detail)


def test_words_already_trained_on_pass_the_test_set_check_and_are_flagged() -> None:
    text = training_sentence()
    report = check([Turn(text, "feeling_lonely")], for_risk_prompt=False, bot=None)
    assert not report.refused
    assert [(d.turn, d.intent, d.score) for d in report.near_duplicates] == [
        (0, "feeling_lonely", 100.0)
    ]
    nearly = check([Turn(text + " tbh", "feeling_lonely")], for_risk_prompt=False, bot=None)
    assert nearly.near_duplicates and nearly.near_duplicates[0].example == text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("my name is Jordan and nobody at school talks to me", "name"),
        ("nobody talks to me at Riverside Academy", "school"),
        ("im 14 and i have no mates", "age"),
        ("text me on 07700 900123 im so lonely", "phone"),
        ("i live on 12 Acacia Road and feel alone", "address"),
    ],
)
def test_personal_details_block_the_submission_with_a_hint(
    db: Session, clock: FakeClock, text: str, kind: str
) -> None:
    author = writer(db, "heron", clock())
    submitted = send(db, author, clock(), text)
    assert submitted.item is None
    details = submitted.report.personal[0]
    assert kind in {d.kind for d in details}
    assert all(d.hint.startswith("Take out") for d in details)


def test_a_real_disclosure_is_kept_for_a_moderator_and_never_trained_on(
    db: Session, clock: FakeClock
) -> None:
    author = writer(db, "wren", clock())
    with fake_rasa() as rasa:
        submitted = send(
            db,
            author,
            clock(),
            "this is actually happening to me, my stepdad hits me every night please help",
            intent="family_problems",
            bot=rasa.address(),
        )
        assert rasa.seen == []  # a disclosure is not sent to the bot
    item = submitted.item
    assert item is not None and item.status == DISCLOSURE
    assert submitted.alert is not None and submitted.alert.risk == "abuse_disclosure"
    assert _count(db, WorkshopAlert) == 1
    assert "disclosure" in checks_of(db, item)
    assert approved_training_items(db) == [] and youth_voice_set(db) == []


def test_a_disclosure_with_personal_details_still_reaches_the_moderator(
    db: Session, clock: FakeClock
) -> None:
    author = writer(db, "finch", clock())
    text = "my name is Sam and im not making this up, my uncle touches me and i need help"
    submitted = send(db, author, clock(), text, intent="abuse_disclosure")
    assert submitted.item is not None and submitted.item.status == DISCLOSURE
    assert submitted.alert is not None


def test_an_example_written_for_a_crisis_prompt_is_not_taken_for_a_disclosure(
    db: Session, clock: FakeClock
) -> None:
    author = writer(db, "robin", clock())
    submitted = send(db, author, clock(), "i cut again last night and i cant stop", "self_harm")
    assert submitted.item is not None and submitted.item.status == PENDING
    assert submitted.alert is None


def test_the_bot_reading_comes_from_model_parse(db: Session, clock: FakeClock) -> None:
    author = writer(db, "kestrel", clock())
    lonely, bullying = FRESH["feeling_lonely"], FRESH["bullying"]
    with fake_rasa(intents={lonely: "feeling_lonely", bullying: "family_problems"}) as rasa:
        right = send(db, author, clock(), lonely, bot=rasa.address())
        wrong = send(db, author, clock(), bullying, intent="bullying", bot=rasa.address())
    assert [s["path"] for s in rasa.seen] == ["/model/parse", "/model/parse"]
    assert right.report.reading == GETS_IT
    assert wrong.report.reading == GETS_IT_WRONG
    assert wrong.item is not None
    detail = checks_of(db, wrong.item)["reading"].detail
    assert detail["turns"][0]["read_as"] == "family_problems"


def test_the_bot_out_of_reach_or_too_slow_is_said_plainly(db: Session, clock: FakeClock) -> None:
    author = writer(db, "plover", clock())
    with fake_rasa() as rasa:
        closed = rasa.url
    submitted = send(db, author, clock(), bot=BotAddress(closed, 1.0))
    assert submitted.item is not None and submitted.report.reading == UNREACHABLE
    with fake_rasa(delay=1.5) as slow:
        assert reading_of("hello", "greet", slow.url, timeout=0.3).outcome == UNREACHABLE


def test_a_conversation_keeps_its_turns_and_the_bot_replies_picked(
    db: Session, clock: FakeClock
) -> None:
    from workshop.items import submit
    from workshop.prompts import prompt_for

    author = writer(db, "merlin", clock())
    prompt = prompt_for("bullying")
    assert prompt is not None
    turns = [Turn(FRESH["bullying"], "bullying"), Turn("yeah thats it innit, cheers", "affirm")]
    submitted = submit(
        db, author, prompt, turns, clock(), bot=None, bot_replies=["utter_ack_bullying", None]
    )
    item = submitted.item
    assert item is not None and item.kind == "conversation"
    assert item.turns == [
        {"user": FRESH["bullying"], "intent": "bullying", "bot": "utter_ack_bullying"},
        {"user": "yeah thats it innit, cheers", "intent": "affirm", "bot": None},
    ]
    assert "utter_ack_bullying" in corpus.bot_responses()


def test_existing_examples_are_real_training_examples_of_the_intent() -> None:
    shown = corpus.examples_for("bullying")
    data = corpus.training()
    trained = {t for t, i in zip(data.texts, data.intents, strict=True) if i == "bullying"}
    assert shown and set(shown) <= trained
    assert shown == corpus.examples_for("bullying")  # the same few each time


def test_the_bots_own_training_examples_would_almost_all_pass_the_checks() -> None:
    """Written for their own situation, a third of the existing examples (every third one): the
    disclosure check takes under 1% of them for a real disclosure, and the personal-details check
    blocks under 3% (ages, as asked: "im 14 and ...")."""
    data = corpus.training()
    found = {"examples": 0, "disclosure": 0, "personal": 0}
    for text, intent in list(zip(data.texts, data.intents, strict=True))[::3]:
        prompt = prompts().get(intent or "")
        if prompt is None:
            continue
        found["examples"] += 1
        found["disclosure"] += read_as_disclosure(
            text, for_risk_prompt=prompt.expects_risk
        ).disclosure
        found["personal"] += bool(personal_details(text))
    assert found["examples"] > 1000
    assert found["disclosure"] / found["examples"] < 0.01, found
    assert found["personal"] / found["examples"] < 0.03, found
