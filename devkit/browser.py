"""Driving Debian's chromium with Playwright: the launch flags, a guard that blocks and records
every request that is not to 127.0.0.1, and small helpers for talking to the chat page."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route
from playwright.sync_api import Request as PwRequest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "var" / "artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
REPLY_TIMEOUT_MS = 60_000

BOT = "#log > li.msg.bot"


def launch(playwright: Playwright) -> Browser:
    """Debian's chromium (never a downloaded browser)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@dataclass
class Guard:
    """What a browser context tried that it should not have."""

    offsite: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def route(self, route: Route, request: PwRequest) -> None:
        """Let loopback through; record and block everything else."""
        if urlsplit(request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.offsite.append(request.url)
            route.abort("blockedbyclient")

    def watch(self, page: Page) -> None:
        """Record script errors, CSP violations and any alert/confirm/prompt."""
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on(
            "console",
            lambda msg: (
                self.errors.append(f"console: {msg.text}")
                if msg.type == "error"
                and ("Content Security Policy" in msg.text or "Trusted" in msg.text)
                else None
            ),
        )

        def dialog(d: Any) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)

    def assert_clean(self) -> None:
        assert self.offsite == [], f"requests off loopback were attempted: {self.offsite}"
        assert self.errors == [], self.errors
        assert self.dialogs == [], f"a dialog opened: {self.dialogs}"


def open_page(
    browser: Browser, width: int = 375, height: int = 740, **options: Any
) -> tuple[BrowserContext, Page, Guard]:
    """A fresh context (own sessionStorage) with the loopback guard, and one page in it."""
    guard = Guard()
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    context.route("**/*", guard.route)
    page = context.new_page()
    guard.watch(page)
    return context, page, guard


def bot_count(page: Page) -> int:
    return page.locator(BOT).count()


def wait_for_reply(page: Page, before: int) -> None:
    """Until more bot messages than `before` are shown and the typing indicator is gone."""
    page.wait_for_function(
        """n => document.querySelectorAll('#log > li.msg.bot').length > n
               && document.getElementById('typing').hidden""",
        arg=before,
        timeout=REPLY_TIMEOUT_MS,
    )


def send(page: Page, text: str) -> None:
    """Type a message, press Enter and wait for the reply."""
    before = bot_count(page)
    page.fill("#text", text)
    page.press("#text", "Enter")
    wait_for_reply(page, before)


def choose(page: Page, title: str) -> None:
    """Press the quick-reply button `title` and wait for the reply."""
    before = bot_count(page)
    page.locator("#log .choices").get_by_role("button", name=title, exact=True).last.click()
    wait_for_reply(page, before)


def last_choices(page: Page) -> list[str]:
    return page.locator("#log .choices button").all_inner_texts()


def until_services(page: Page, need: str = "I feel really lonely") -> None:
    """Say `need`, then skip the optional questions until service cards are shown."""
    send(page, need)
    for _ in range(4):
        if page.locator("#log .cards .card").count():
            return
        skips = [t for t in last_choices(page) if t in ("Rather not say", "Any is fine")]
        assert skips, f"no way to skip the question: {last_choices(page)}"
        choose(page, skips[0])
    assert page.locator("#log .cards .card").count(), "no service cards after the questions"


def session_storage(page: Page) -> dict[str, str]:
    return page.evaluate("() => Object.fromEntries(Object.entries(sessionStorage))")


def first_load_bytes(page: Page, url: str) -> tuple[int, dict[str, int]]:
    """Bytes transferred (headers and bodies, as the network saw them) to load `url`."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    urls: dict[str, str] = {}
    sizes: dict[str, int] = {}
    cdp.on(
        "Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"])
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(
            urls.get(e["requestId"], e["requestId"]), int(e["encodedDataLength"])
        ),
    )
    page.goto(url, wait_until="networkidle")
    cdp.detach()
    return sum(sizes.values()), sizes


def wait_for_scroll_to_settle(page: Page) -> None:
    """Until the page's scroll position has not moved for 10 animation frames.

    Replies scroll into view smoothly; measured mid-scroll, a link half under the sticky header
    looks like a too-small touch target.
    """
    page.evaluate(
        """() => new Promise(resolve => {
            let last = window.scrollY, still = 0;
            const tick = () => {
              still = window.scrollY === last ? still + 1 : 0;
              last = window.scrollY;
              if (still >= 10) resolve(); else requestAnimationFrame(tick);
            };
            requestAnimationFrame(tick);
        })"""
    )


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.x A/AA and best-practice violations on the page at rest."""
    wait_for_scroll_to_settle(page)
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {
              runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                              'wcag22aa', 'best-practice']},
            });
            return result.violations.map(v => ({
              id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
            }));
        }"""
    )
