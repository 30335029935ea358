"""Reviewing examples, on a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set):
no one approves their own items; peers review everyday examples and a staff moderator the crisis
and safeguarding ones; two reviews that agree decide, a disagreement goes to a moderator and is
listed; a random share of approved examples is frozen into the youth-voice set at approval."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from services_directory.accounts import StaffAuditEvent
from staff.errors import InvalidChange
from staff.policy import Role
from tests.staff import conftest as staff_fixtures
from tests.staff.helpers import FakeClock, make_user
from tests.workshop.item_helpers import FRESH, RULES, peer, send, the_moderator, writer
from workshop.item_models import (
    APPROVE,
    APPROVED,
    DISAGREEMENT,
    PENDING,
    REJECT,
    REJECTED,
    WorkshopItem,
)
from workshop.items import approved_training_items, youth_voice_set
from workshop.people import withdraw_consent
from workshop.review import ReviewRules, disagreements, queue, review, reviews_of, why_not

# The staff tests' fixtures: a database per backend whose writes are rolled back, a clock.
engine, db_pair, db, clock, committing = (
    staff_fixtures.engine,
    staff_fixtures.db_pair,
    staff_fixtures.db,
    staff_fixtures.clock,
    staff_fixtures.committing,
)


def _item(db: Session, clock: FakeClock, intent: str = "feeling_lonely") -> WorkshopItem:
    author = writer(db, f"writer_{intent}", clock())
    item = send(db, author, clock(), intent=intent).item
    assert item is not None
    return item


def _author(db: Session, item: WorkshopItem):
    from services_directory.accounts import StaffUser

    user = db.get(StaffUser, item.author_id)
    assert user is not None
    return user


def test_no_one_approves_their_own_items(db: Session, clock: FakeClock) -> None:
    # A peer reviewer writes, then tries to approve what they wrote: refused, and not offered.
    reviewer = peer(db, "otter", clock())
    item = send(db, reviewer, clock()).item
    assert item is not None
    assert item not in queue(db, reviewer)
    with pytest.raises(InvalidChange, match="your own"):
        review(db, reviewer, item, APPROVE, clock(), rules=RULES)
    assert reviews_of(db, item) == [] and item.status == PENDING
    # Staff too: a moderator's own crisis example waits for another moderator.
    staff = the_moderator(db)
    prompt_item = send(db, staff, clock(), intent="self_harm").item
    assert prompt_item is not None
    with pytest.raises(InvalidChange, match="your own"):
        review(db, staff, prompt_item, APPROVE, clock(), rules=RULES)
    other = make_user(db, "second-mod@council.example", Role.MODERATOR)
    review(db, other, prompt_item, APPROVE, clock(), rules=RULES)
    assert prompt_item.status == APPROVED


def test_two_peers_who_agree_decide_an_everyday_example(db: Session, clock: FakeClock) -> None:
    item = _item(db, clock)
    first, second = peer(db, "badger", clock()), peer(db, "stoat", clock())
    review(db, first, item, APPROVE, clock(), rules=RULES)
    assert item.status == PENDING and item not in queue(db, first)
    with pytest.raises(InvalidChange, match="already reviewed"):
        review(db, first, item, APPROVE, clock(), rules=RULES)
    review(db, second, item, APPROVE, clock(), rules=RULES)
    assert item.status == APPROVED and item.decided_at is not None
    assert [t.id for t in approved_training_items(db)] == [item.id]
    assert approved_training_items(db, exclude_members={item.author_id}) == []
    audit = db.scalars(select(StaffAuditEvent.action).where(StaffAuditEvent.record_id == item.id))
    assert list(audit).count("workshop.example_reviewed") == 2


def test_a_disagreement_is_listed_and_a_moderator_settles_it(db: Session, clock: FakeClock) -> None:
    item = _item(db, clock)
    yes, no = peer(db, "vole", clock()), peer(db, "shrew", clock())
    review(db, yes, item, APPROVE, clock(), rules=RULES)
    clock.advance(minutes=5)
    review(db, no, item, REJECT, clock(), rules=RULES, reason="sounds like an adult wrote it")
    assert item.status == DISAGREEMENT
    third = peer(db, "mole", clock())
    assert "moderator" in (why_not(db, third, item) or "")
    listed = disagreements(db, third)
    assert [(i.id, [r.decision for r in rs]) for i, rs in listed] == [(item.id, [APPROVE, REJECT])]
    staff = the_moderator(db)
    assert item in queue(db, staff)
    review(db, staff, item, REJECT, clock(), rules=RULES)
    assert item.status == REJECTED
    assert [i.id for i, _ in disagreements(db, staff)] == [item.id]  # it stays visible


def test_crisis_and_safeguarding_examples_need_a_staff_moderator(
    db: Session, clock: FakeClock
) -> None:
    crisis = _item(db, clock, "self_harm")
    reviewer = peer(db, "hare", clock())
    assert crisis not in queue(db, reviewer)
    with pytest.raises(InvalidChange, match="staff moderator"):
        review(db, reviewer, crisis, APPROVE, clock(), rules=RULES)
    staff = the_moderator(db)
    review(db, staff, crisis, APPROVE, clock(), rules=RULES)
    assert crisis.status == APPROVED  # one moderator's review decides


def test_a_writer_without_the_reviewer_role_reviews_nothing(db: Session, clock: FakeClock) -> None:
    item = _item(db, clock)
    other_writer = writer(db, "magpie", clock())
    assert "can't review" in (why_not(db, other_writer, item) or "")


def test_a_disclosure_is_never_reviewed(db: Session, clock: FakeClock) -> None:
    author = writer(db, "linnet", clock())
    text = "im not making this up, my mum hits me every night, please help"
    item = send(db, author, clock(), text, intent="family_problems").item
    assert item is not None
    staff = the_moderator(db)
    assert item not in queue(db, staff)
    with pytest.raises(InvalidChange, match="already been decided"):
        review(db, staff, item, APPROVE, clock(), rules=RULES)


def test_a_share_of_approved_examples_is_frozen_into_the_youth_voice_set(
    db: Session, clock: FakeClock
) -> None:
    always = ReviewRules(reviews_needed=1, youth_voice_share=1.0)
    never = ReviewRules(reviews_needed=1, youth_voice_share=0.0)
    reviewer = peer(db, "swift", clock())
    frozen = _item(db, clock)
    review(db, reviewer, frozen, APPROVE, clock(), rules=always)
    kept_for_training = send(db, _author(db, frozen), clock(), intent="bullying").item
    assert kept_for_training is not None
    review(db, reviewer, kept_for_training, APPROVE, clock(), rules=never)
    voice = youth_voice_set(db)
    assert [(v.item_id, v.text, v.intent) for v in voice] == [
        (frozen.id, FRESH["feeling_lonely"], "feeling_lonely")
    ]
    assert [t.id for t in approved_training_items(db)] == [kept_for_training.id]


def test_the_share_frozen_is_drawn_at_approval_time(db: Session, clock: FakeClock) -> None:
    rules = ReviewRules(reviews_needed=1, youth_voice_share=0.2)
    expected_draws = random.Random(18)
    expected = [expected_draws.random() < 0.2 for _ in range(12)]
    reviewer, author = peer(db, "dunnock", clock()), writer(db, "siskin", clock())
    rng = random.Random(18)
    items = []
    for n in range(12):
        item = send(db, author, clock(), f"{FRESH['feeling_lonely']} {'x' * (n + 1)}").item
        assert item is not None
        review(db, reviewer, item, APPROVE, clock(), rules=rules, rng=rng)
        items.append(item)
    frozen = {v.item_id for v in youth_voice_set(db)}
    assert [item.id in frozen for item in items] == expected
    assert 0 < len(frozen) < 12
    assert frozen.isdisjoint(t.id for t in approved_training_items(db))


def test_a_member_who_withdrew_is_left_out_of_training(db: Session, clock: FakeClock) -> None:
    item = _item(db, clock)
    staff = the_moderator(db)
    review(db, staff, item, APPROVE, clock(), rules=RULES)
    author = _author(db, item)
    withdraw_consent(db, author, author, clock())
    from workshop.people import withdrawn_member_ids

    assert approved_training_items(db, exclude_members=withdrawn_member_ids(db)) == []


def test_two_reviews_at_the_same_moment_cannot_both_count(committing) -> None:
    """Two database clients update the same example: the second to commit fails, so a decision
    is never taken on a count of reviews that missed one."""
    first, second = committing(), committing()
    with first.begin():
        author = make_user(first, "race-writer", Role.YOUTH_WRITER)
        first.add(
            WorkshopItem(
                id="race-item",
                author_id=author.id,
                kind="message",
                intent="bullying",
                tier="need",
                text=FRESH["bullying"],
                turns=[],
            )
        )
    # Both requests load the example before either has reviewed it (ending the read).
    one, other = first.get(WorkshopItem, "race-item"), second.get(WorkshopItem, "race-item")
    assert one is not None and other is not None
    first.commit()
    second.commit()
    one.reviews_count += 1
    first.commit()
    other.reviews_count += 1
    with pytest.raises(StaleDataError):
        second.commit()
    second.rollback()
