"""Freshness in the directory: review dates (monthly for crisis lines), withheld services left out
of the chat's search, the card's `last_checked`, and nothing of it in the Open Referral output."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy.orm import Session

from services_directory.freshness import (
    ReviewState,
    ServiceReview,
    add_months,
    freshness_of,
    last_checked,
    london_today,
)
from services_directory.openreferral import get_service
from services_directory.search import search, service_card
from tests.staff.freshness_world import NEED, NOON, TODAY, build_world, days_ago


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2027, 1, 31), 1, dt.date(2027, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),
        (dt.date(2026, 3, 15), 12, dt.date(2027, 3, 15)),
        (dt.date(2026, 12, 5), 1, dt.date(2027, 1, 5)),
        (dt.date(2028, 2, 29), 12, dt.date(2029, 2, 28)),
    ],
)
def test_add_months_keeps_the_day_or_the_end_of_the_month(
    day: dt.date, months: int, expected: dt.date
) -> None:
    assert add_months(day, months) == expected


def test_the_later_of_assured_date_and_last_verified_counts() -> None:
    assert last_checked(dt.date(2027, 1, 2), dt.date(2026, 5, 1)) == dt.date(2027, 1, 2)
    assert last_checked(None, dt.date(2026, 5, 1)) == dt.date(2026, 5, 1)
    assert last_checked(None, None) is None


def test_yearly_by_default_and_monthly_for_crisis_lines() -> None:
    checked = dt.date(2027, 2, 3)
    yearly = freshness_of(checked, None, crisis=False)
    monthly = freshness_of(checked, None, crisis=True)
    assert yearly.next_review == dt.date(2028, 2, 3)
    assert monthly.interval_months == 1 and monthly.next_review == dt.date(2027, 3, 3)
    assert monthly.state(TODAY) == ReviewState.OVERDUE and monthly.days_overdue(TODAY) == 12
    assert yearly.state(TODAY) == ReviewState.CURRENT
    assert freshness_of(checked, None, crisis=True, review_interval_months=6).next_review == (
        dt.date(2027, 8, 3)
    )


def test_due_within_30_days_overdue_after_and_the_withholding_limit() -> None:
    def state(days: int) -> ReviewState:
        return freshness_of(days_ago(days), None, crisis=False).state(TODAY)

    assert state(365 - 31) == ReviewState.CURRENT  # next review in 31 days
    assert state(365 - 30) == ReviewState.DUE
    assert state(365) == ReviewState.DUE  # due today
    assert state(366) == ReviewState.OVERDUE
    late = freshness_of(days_ago(365 + 31), None, crisis=False)
    assert late.past_limit(TODAY, 30) and not late.past_limit(TODAY, 31)
    never = freshness_of(None, None, crisis=False)
    assert never.next_review is None and never.state(TODAY) == ReviewState.OVERDUE
    assert never.past_limit(TODAY, 3650)


def test_today_is_the_london_date() -> None:
    late_evening_utc = dt.datetime(2027, 6, 30, 23, 30, tzinfo=dt.UTC)  # 00:30 BST on 1 July
    assert london_today(late_evening_utc) == dt.date(2027, 7, 1)


def test_a_withheld_service_leaves_the_search_and_comes_back(session: Session) -> None:
    world = build_world(session)
    sid = world.id("Long overdue")
    before = [r.id for r in search(session, need=NEED, limit=20, now=NOON)]
    assert sid in before
    session.add(ServiceReview(service_id=sid, withheld_from_bot=True, withheld_reason="stale"))
    session.flush()
    after = [r.id for r in search(session, need=NEED, limit=20, now=NOON)]
    assert sid not in after and set(after) == set(before) - {sid}
    # The staff preview of that one service still has its card.
    assert service_card(session, sid, NOON) is not None
    # Still published to Open Referral, with nothing of the extension in it.
    published = get_service(session, sid)
    assert published["id"] == sid and "withheld" not in json.dumps(published)
    review = session.get(ServiceReview, sid)
    assert review is not None
    review.withheld_from_bot = False
    session.flush()
    assert sid in [r.id for r in search(session, need=NEED, limit=20, now=NOON)]


def test_every_card_carries_when_it_was_last_checked(session: Session) -> None:
    world = build_world(session)
    results = {r.id: r.to_message_dict() for r in search(session, need=NEED, limit=20, now=NOON)}
    assert results[world.id("Crisis line")]["last_checked"] == "2027-02-03"
    assert results[world.id("Never checked")]["last_checked"] is None
    card = service_card(session, world.id("Due soon"), NOON)
    assert card is not None and card.to_message_dict()["last_checked"] == "2026-04-04"
