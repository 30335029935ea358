"""The bot-ready list's "only not ready" filter (worked out in SQL) agrees with the blockers
shown for each service (worked out in Python), across every page."""

from __future__ import annotations

from sqlalchemy.orm import Session

from staff.bot_ready import PER_PAGE, BotReadyFilters, BotReadyRow, bot_ready_page
from staff.policy import Actor, Role
from tests.services_directory.crosswalk_feed import EATING, FOOD_BANK
from tests.staff.crosswalk_world import build

ADMIN = Actor("admin", Role.COUNCIL_ADMIN, None)


def every_row(db: Session, not_ready_only: bool) -> list[BotReadyRow]:
    rows: list[BotReadyRow] = []
    page = bot_ready_page(db, ADMIN, BotReadyFilters(not_ready_only=not_ready_only))
    rows += page.rows
    for number in range(2, page.pages + 1):
        found = bot_ready_page(
            db, ADMIN, BotReadyFilters(not_ready_only=not_ready_only, page=number)
        )
        rows += found.rows
    assert len(rows) == page.total and len({r.service_id for r in rows}) == page.total
    return rows


def test_the_not_ready_filter_agrees_with_the_blockers(db: Session) -> None:
    build(db)
    everything = every_row(db, False)
    not_ready = every_row(db, True)
    assert {r.service_id for r in not_ready} == {r.service_id for r in everything if not r.ready}
    assert all(r.blockers for r in not_ready)
    food = next(r for r in everything if r.service_id == FOOD_BANK)
    assert food.blockers == ["needs"]  # ages from its numbers; offered by its postcode
    eating = next(r for r in everything if r.service_id == EATING)
    assert eating.blockers == ["needs", "ages"]
    assert len(everything) > PER_PAGE
