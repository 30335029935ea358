"""The chat widget in Debian's chromium against the real product (Rasa, actions, API)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from devkit.browser import (
    ARTIFACTS,
    BOT,
    axe_violations,
    bot_count,
    choose,
    first_load_bytes,
    last_choices,
    send,
    session_storage,
    until_services,
)
from devkit.stack import Stack
from tests.web.conftest import PageFactory

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

STRIP = "In danger now? Call 999 · Childline 0800 1111 · Text SHOUT to 85258"
FIRST_LOAD_BUDGET = 100 * 1024
TEL = re.compile(r"^tel:\+?[0-9]{3,15}$")
FOCUSED_TEXT = "document.activeElement.textContent.replace(/\\s+/g, ' ').trim()"
SMS = re.compile(r"^sms:\+?[0-9]{3,15}(\?&?body=[A-Za-z0-9]+)?$")


def open_chat(new_page: PageFactory, stack: Stack, width: int = 375, **options) -> tuple:
    page, guard = new_page(width=width, **options)
    page.goto(f"{stack.api_url}/")
    expect(page.locator("#composer")).to_be_visible()
    return page, guard


def strip_in_view(page: Page) -> bool:
    return page.evaluate(
        """() => { const r = document.querySelector('.strip').getBoundingClientRect();
                   return r.top >= 0 && r.top < 2 && r.height > 0; }"""
    )


def test_send_a_message_and_see_the_reply(new_page: PageFactory, stack: Stack) -> None:
    page, guard = open_chat(new_page, stack)
    expect(page.locator(".strip-text")).to_have_text(STRIP)
    assert session_storage(page) == {}

    send(page, "hiya")

    expect(page.locator("#log > li.msg.user").last).to_have_text("hiya")
    reply = page.locator(BOT).last
    expect(reply).to_be_visible()
    assert last_choices(page), "the greeting offers topic buttons"
    # Announced to screen readers through the live region.
    expect(page.locator("#announce")).to_have_attribute("aria-live", "polite")
    assert page.locator("#announce p").count() >= 1
    # The id lives in sessionStorage only; no cookies at all.
    stored = session_storage(page)
    assert list(stored) == ["support-chat-id"] and re.fullmatch(
        r"[0-9a-f]{32}", stored["support-chat-id"]
    )
    assert page.context.cookies() == []
    assert page.evaluate("document.cookie") == ""
    guard.assert_clean()


def test_buttons_lead_to_service_cards_with_working_links(
    new_page: PageFactory, stack: Stack
) -> None:
    page, guard = open_chat(new_page, stack)
    until_services(page)
    choose(page, "Rather not say")  # the optional question that follows the first services

    cards = page.locator("#log .cards .card")
    assert 1 <= cards.count() <= 3
    first = cards.first
    expect(first.locator(".card-title")).not_to_be_empty()
    expect(first.locator(".summary")).not_to_be_empty()
    expect(first.locator(".why")).to_contain_text("Why this one")
    expect(first.locator(".what")).to_contain_text("What happens")
    expect(first.locator(".facts")).not_to_be_empty()  # open now / hours / ages

    tel = page.locator("#log .cards a[href^='tel:']")
    sms = page.locator("#log .cards a[href^='sms:']")
    assert tel.count() >= 1 and sms.count() >= 1, "a card to call and a card to text"
    for link in [*tel.all(), *sms.all()]:
        href = link.get_attribute("href")
        assert TEL.match(href) or SMS.match(href), href
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box and box["height"] >= 24 and box["width"] >= 24  # WCAG 2.5.8 target size
    # Every link in the conversation is tel:, sms: or https: and came from a structured field.
    hrefs = page.locator("#log a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs and all(h.startswith(("tel:", "sms:", "https:")) for h in hrefs), hrefs

    # The quick replies of earlier questions are gone; the answers stay as the user's messages.
    assert "Rather not say" in page.locator("#log > li.msg.user").all_inner_texts()
    guard.assert_clean()


def test_a_crisis_message_shows_the_crisis_card_first(new_page: PageFactory, stack: Stack) -> None:
    page, guard = open_chat(new_page, stack)
    send(page, "hiya")
    before = bot_count(page)
    send(page, "i want to kill myself")

    first_reply = page.locator(BOT).nth(before)
    expect(first_reply).to_have_class(re.compile(r"\bcrisis\b"))
    expect(first_reply.locator("a[href='tel:999']")).to_be_visible()
    expect(first_reply.locator("a[href='tel:08001111']")).to_be_visible()
    assert "Urgent help" in page.locator("#announce").inner_text()
    # The reply is scrolled into view and the crisis strip stays on screen.
    assert strip_in_view(page)
    guard.assert_clean()


def test_keyboard_only(new_page: PageFactory, stack: Stack) -> None:
    page, guard = open_chat(new_page, stack, width=1280)
    order = []
    for _ in range(12):
        page.keyboard.press("Tab")
        order.append(page.evaluate(FOCUSED_TEXT))
    assert order[:5] == ["999", "0800 1111", "85258", "Exit this page", "Start again"], order
    assert "Feeling lonely" in order
    # A quick reply pressed with the keyboard sends it; focus stays in the conversation.
    while page.evaluate(FOCUSED_TEXT) != "Feeling lonely":
        page.keyboard.press("Tab")
    focus_ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focus_ring == "solid", "visible focus"
    before = bot_count(page)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#log > li.msg.bot').length > n", arg=before, timeout=60_000
    )
    expect(page.locator("#log > li.msg.user").last).to_have_text("Feeling lonely")
    assert page.evaluate("document.activeElement.classList.contains('user')")
    # Tab moves on into the reply: the first service card's links, then on to the question's
    # choices.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('li.msg.bot') !== null")
    for _ in range(30):
        if page.evaluate("document.activeElement.closest('.choices') !== null"):
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.choices') !== null")
    guard.assert_clean()


def test_start_again_clears_the_conversation(new_page: PageFactory, stack: Stack) -> None:
    page, guard = open_chat(new_page, stack)
    send(page, "I feel really lonely")
    old_id = session_storage(page)["support-chat-id"]
    page.get_by_role("button", name="Start again").click()
    expect(page.locator("#log > li")).to_have_count(1)
    assert "support-chat-id" not in session_storage(page)
    expect(page.locator("#text")).to_be_focused()
    send(page, "hiya")
    assert session_storage(page)["support-chat-id"] != old_id
    guard.assert_clean()


def test_no_javascript_still_shows_crisis_contacts(new_page: PageFactory, stack: Stack) -> None:
    page, guard = new_page(java_script_enabled=False)
    page.goto(f"{stack.api_url}/")
    expect(page.locator(".strip-text")).to_have_text(STRIP)
    help_section = page.locator("#no-js-help")
    expect(help_section).to_be_visible()
    for href in ("tel:999", "tel:08001111", "sms:85258?&body=SHOUT"):
        expect(help_section.locator(f"a[href='{href}']")).to_be_visible()
    expect(page.locator("#composer")).to_be_hidden()
    expect(page.locator("#quick-exit")).to_have_attribute("href", re.compile(r"^https?://"))
    guard.assert_clean()


def test_reflows_at_320_px_and_200_percent_zoom(new_page: PageFactory, stack: Stack) -> None:
    # 320 CSS px wide is WCAG 1.4.10's reflow width; 640x360 is 1280x720 at 200% zoom.
    for width, height in ((320, 568), (640, 360)):
        page, guard = open_chat(new_page, stack, width=width)
        page.set_viewport_size({"width": width, "height": height})
        until_services(page)
        send(page, "i want to kill myself")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"horizontal scrolling at {width} px: {overflow}"
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        assert strip_in_view(page), "the crisis strip stays visible"
        expect(page.locator("#quick-exit")).to_be_in_viewport()
        expect(page.locator("#text")).to_be_in_viewport()
        guard.assert_clean()


def test_reduced_motion_stops_the_typing_animation(new_page: PageFactory, stack: Stack) -> None:
    page, guard = open_chat(new_page, stack, reduced_motion="reduce")
    page.evaluate("document.getElementById('typing').hidden = false")
    name = page.evaluate("getComputedStyle(document.querySelector('.dots span')).animationName")
    assert name == "none"
    guard.assert_clean()


def test_axe_finds_no_serious_or_critical_violations(
    new_page: PageFactory, stack: Stack, axe_script: str
) -> None:
    # axe-core is injected as an inline script, so this context alone bypasses the CSP.
    page, guard = open_chat(new_page, stack, bypass_csp=True)
    problems = {}
    problems["start"] = axe_violations(page)
    until_services(page)
    send(page, "i want to kill myself")
    problems["conversation"] = axe_violations(page)
    page.get_by_role("button", name="Start again").click()
    problems["restarted"] = axe_violations(page)
    serious = {
        stage: [v for v in found if v["impact"] in ("serious", "critical")]
        for stage, found in problems.items()
    }
    assert serious == {"start": [], "conversation": [], "restarted": []}, serious
    guard.assert_clean()


def test_first_load_is_at_most_100_kb(new_page: PageFactory, stack: Stack) -> None:
    page, guard = new_page()
    total, sizes = first_load_bytes(page, f"{stack.api_url}/")
    assert total <= FIRST_LOAD_BUDGET, sizes
    assert all(url.startswith(stack.api_url) or url.startswith("data:") for url in sizes), sizes
    guard.assert_clean()


@pytest.mark.parametrize("width", [375, 1280])
def test_screenshots(new_page: PageFactory, stack: Stack, width: int) -> None:
    """Saved to var/artifacts/ for people to look at: the start, service cards, the crisis card."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = 740 if width == 375 else 800
    # Reduced motion: no smooth scrolling still under way when the picture is taken.
    page, guard = open_chat(new_page, stack, width=width, reduced_motion="reduce")
    page.set_viewport_size({"width": width, "height": height})
    page.screenshot(path=ARTIFACTS / f"widget-{width}-start.png")
    until_services(page)
    page.locator("#log li[data-type='services']").last.scroll_into_view_if_needed()
    page.locator("#log li[data-type='services']").last.evaluate(
        "el => el.scrollIntoView({block: 'start'})"
    )
    page.screenshot(path=ARTIFACTS / f"widget-{width}-services.png")
    send(page, "i want to kill myself")
    page.screenshot(path=ARTIFACTS / f"widget-{width}-crisis.png")
    # The whole conversation on one picture: unstick the header and message box first, or the
    # full-page capture paints them halfway down.
    page.evaluate(
        "for (const n of document.querySelectorAll('.top, .dock')) n.style.position = 'static'"
    )
    page.screenshot(path=ARTIFACTS / f"widget-{width}-conversation.png", full_page=True)
    for name in ("start", "services", "crisis", "conversation"):
        assert (ARTIFACTS / f"widget-{width}-{name}.png").stat().st_size > 1000
    guard.assert_clean()
