"""Feedback on the service cards in Debian's chromium, against the app served by uvicorn on a
real directory database: "Did this help?" and "Something wrong with this service?" by keyboard
alone, the crisis card for a disclosure (and nothing kept), axe, and a phone's width.

No Rasa here (feedback never needs it): the cards are the real directory's, as the bot would show
them (`service_card(...).to_message_dict()`), drawn by the widget's own render.js in the page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from devkit.browser import axe_violations
from devkit.stack import build_curated_directory
from services_directory.db import make_engine, make_session_factory
from services_directory.feedback import FeedbackReport
from services_directory.insights import InsightCounter
from services_directory.models import Service
from services_directory.search import service_card
from tests.staff.live import served
from tests.web.conftest import PageFactory

pytestmark = [pytest.mark.browser]

FOCUSED = "document.activeElement ? document.activeElement.textContent.trim() : ''"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The app on its own curated directory; yields (its URL, the database URL)."""
    folder = tmp_path_factory.mktemp("feedback-widget")
    url = build_curated_directory(folder / "directory.db")
    with served(url, folder) as base:
        yield base, url


def cards(database_url: str, count: int = 2) -> list[dict]:
    """The first few local services' cards, as the chat shows them."""
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            ids = session.scalars(select(Service.id).order_by(Service.name).limit(count)).all()
            return [service_card(session, sid).to_message_dict() for sid in ids]  # type: ignore[union-attr]
    finally:
        engine.dispose()


def stored(database_url: str) -> tuple[list[FeedbackReport], dict[str, int]]:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            rows = list(session.scalars(select(FeedbackReport)))
            counts = {c.metric: c.count for c in session.scalars(select(InsightCounter))}
            return rows, counts
    finally:
        engine.dispose()


def show_cards(page: Page, base: str, services: list[dict]) -> None:
    page.goto(f"{base}/")
    expect(page.locator("#composer")).to_be_visible()
    page.evaluate(
        """async (message) => {
            const { renderMessage } = await import('/static/render.js');
            document.getElementById('log').append(renderMessage(message));
        }""",
        {"type": "services", "text": "These could help:", "services": services},
    )
    expect(page.locator("#log .card .fb")).to_have_count(len(services))


def tab_to(page: Page, text: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED) == text:
            return
    raise AssertionError(f"never reached {text!r} with Tab")


def test_feedback_by_keyboard_alone(new_page: PageFactory, site: tuple[str, str]) -> None:
    base, database_url = site
    services = cards(database_url)
    page, guard = new_page()
    show_cards(page, base, services)
    first = page.locator("#log .card").first

    # "Did this help?": one key press, then a thank-you in its place, focused and read out.
    tab_to(page, "Yes")
    assert page.evaluate("document.activeElement.closest('.card') !== null")
    page.keyboard.press("Enter")
    expect(first.locator(".fb-done")).to_have_text("Thanks for letting us know.")
    expect(first.locator(".fb-done")).to_be_focused()
    expect(first.locator(".fb-helped")).to_have_count(0)

    # "Something wrong with this service?": open, choose, type, send, all from the keyboard.
    tab_to(page, "Something wrong with this service?")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(first.locator("input[type=radio]").first).to_be_checked()
    page.keyboard.press("ArrowDown")  # to "It's closed or has moved"
    expect(first.locator("input[value=closed_or_moved]")).to_be_checked()
    page.keyboard.press("Tab")
    expect(first.locator("textarea")).to_be_focused()
    page.keyboard.type("it moved, ring me on 07700 900123")
    expect(first.locator(".fb-count")).to_have_text("You have 267 characters left")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == "Send"
    page.keyboard.press("Enter")
    expect(first.locator(".fb-done")).to_have_count(2)
    expect(first.locator(".fb-done").last).to_be_focused()

    rows, counts = stored(database_url)
    assert counts == {"helped_yes": 1, "report_closed_or_moved": 1}
    [report] = rows
    assert report.service_id == services[0]["id"] and report.reason == "closed_or_moved"
    assert report.text == "it moved, ring me on [phone]"
    guard.assert_clean()


def test_sending_without_a_choice_says_what_to_do(
    new_page: PageFactory, site: tuple[str, str]
) -> None:
    base, database_url = site
    page, guard = new_page()
    show_cards(page, base, cards(database_url, 1))
    card = page.locator("#log .card").first
    card.locator(".fb-report summary").click()
    card.get_by_role("button", name="Send").click()
    expect(card.locator(".fb-error")).to_have_text("Choose what's wrong")
    expect(card.locator("input[type=radio]").first).to_be_focused()
    described = card.locator("input[type=radio]").first.get_attribute("aria-describedby")
    assert described and card.locator(f"#{described}").count() == 1
    guard.assert_clean()


def test_a_disclosure_gets_the_crisis_card_and_is_not_kept(
    new_page: PageFactory, site: tuple[str, str]
) -> None:
    base, database_url = site
    before, counts_before = stored(database_url)
    page, guard = new_page()
    show_cards(page, base, cards(database_url, 1))
    card = page.locator("#log .card").first
    card.locator(".fb-report summary").click()
    card.get_by_label("Something else").check()
    card.locator("textarea").fill("no one answered. i want to kill myself tonight")
    card.get_by_role("button", name="Send").click()
    crisis = page.locator("#log > li.msg.crisis")
    expect(crisis).to_have_count(1)
    expect(crisis).to_be_focused()
    expect(crisis.locator("a[href='tel:999']")).to_be_visible()
    expect(crisis.locator("a[href='tel:08001111']")).to_be_visible()
    assert "Urgent help" in page.locator("#announce").inner_text()
    expect(card.locator(".fb-done")).to_contain_text("we haven't passed it on")
    after, counts_after = stored(database_url)
    assert len(after) == len(before) and counts_after == counts_before
    guard.assert_clean()


def test_axe_finds_nothing_serious_and_a_phone_does_not_scroll_sideways(
    new_page: PageFactory, site: tuple[str, str]
) -> None:
    base, database_url = site
    # axe-core is injected as an inline script, so this context alone bypasses the CSP.
    page, guard = new_page(width=320, height=568, bypass_csp=True)
    show_cards(page, base, cards(database_url))
    for summary in page.locator("#log .fb-report summary").all():
        summary.click()
    page.locator("#log .card textarea").first.fill("x" * 300)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"horizontal scrolling at 320 px: {overflow}"
    for target in page.locator("#log .fb button, #log .fb summary").all():
        box = target.bounding_box()
        assert box and box["height"] >= 24 and box["width"] >= 24  # WCAG 2.5.8
    found = axe_violations(page)
    serious = [v for v in found if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
    assert re.search(r"0 characters left", page.locator("#log .fb-count").first.inner_text())
    guard.assert_clean()


def test_the_page_without_cards_is_unchanged(new_page: PageFactory, site: tuple[str, str]):
    page, guard = new_page()
    page.goto(f"{site[0]}/")
    expect(page.locator(".fb")).to_have_count(0)
    guard.assert_clean()
