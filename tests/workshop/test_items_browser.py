"""Writing and review in Debian's chromium, against the app served by uvicorn (SQLite, and a
scratch PostgreSQL database when TEST_DATABASE_URL is set), with a real local HTTP server
standing in for Rasa's /model/parse: a young person writes, is refused for a sentence too close
to a test set, writes their own, sees the checks at once; two peers approve it; a moderator
reads the alerts and suggestions. axe finds no serious or critical issue on any of these pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from api.main import create_app
from devkit.browser import AXE, axe_violations, open_page
from devkit.stack import free_port
from services_directory.db import make_engine, make_session_factory, migrate
from settings.app import Settings
from staff.policy import Role
from tests.services_directory.dbtest import BACKENDS
from tests.staff.helpers import PASSWORD
from tests.staff.live import chromium, scratch_database, serving
from tests.workshop.item_helpers import FRESH, fake_rasa, held_out_sentence
from tests.workshop.people_helpers import member_of

pytestmark = pytest.mark.browser

MODERATOR = "mod@council.example"


@dataclass
class Live:
    url: str
    found: dict[str, list[str]] = field(default_factory=dict)  # axe's findings by page

    def check(self, page: Page, name: str) -> None:
        """axe on the page: its serious or critical violations, kept under `name`."""
        serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
        self.found[name] = [f"{v['id']}: {v['help']} {v['nodes']}" for v in serious]


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp(f"workshop-items-{request.param}")
    with scratch_database(request.param, folder, prefix="ww_items") as url:
        migrate(url)
        engine = make_engine(url)
        with make_session_factory(engine)() as db, db.begin():
            import datetime as dt

            now = dt.datetime.now(dt.UTC)
            member_of(db, "NightOwl", now)  # makes the moderator who invites, too
            member_of(db, "RiverOtter", now, Role.PEER_REVIEWER)
            member_of(db, "SkyLark", now, Role.PEER_REVIEWER)
        engine.dispose()
        with fake_rasa(intents={FRESH["bullying"]: "family_problems"}) as rasa:
            port = free_port()
            settings = Settings(
                environment="development",  # plain http on 127.0.0.1
                database_url=url,
                public_base_url=f"http://127.0.0.1:{port}",
                mail_outbox_dir=folder / "outbox",
                rasa_url=rasa.url,
            )
            with serving(create_app(settings), port) as base:
                yield Live(base)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _signed_in(browser: Browser, live: Live, name: str, width: int = 1024) -> Any:
    # axe-core is injected as an inline script, so these contexts alone bypass the CSP.
    context, page, guard = open_page(browser, width, 800, bypass_csp=True)
    page.goto(f"{live.url}/workshop/sign-in")
    page.get_by_label("Workshop name").fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live.url}/workshop/")
    return context, page, guard


def _approve(browser: Browser, live: Live, name: str, check: bool) -> None:
    context, page, guard = _signed_in(browser, live, name)
    try:
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Review").click()
        if check:
            live.check(page, "review queue")
        page.locator("#queue").get_by_role("link").first.click()
        expect(page.locator("#example-words")).to_contain_text("tiktoks")
        if check:
            live.check(page, "review an example")
        page.get_by_label("Yes, it sounds like a young person").check()
        page.get_by_label("Why? (optional)").fill("sounds just like my year")
        page.get_by_role("button", name="Send your review").click()
        expect(page.locator("#queue-empty")).to_be_visible()
        guard.assert_clean()
    finally:
        context.close()


def test_write_see_the_checks_and_peers_approve(browser: Browser, live: Live) -> None:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci --no-audit --no-fund` at the repo root")
    context, young, guard = _signed_in(browser, live, "NightOwl", 375)  # a phone
    try:
        young.get_by_role("link", name="Write in your own words").click()  # the menu is folded
        live.check(young, "prompts")
        young.get_by_role("link", name="Being bullied").click()
        expect(young.locator("main")).to_contain_text("Imagine this")
        live.check(young, "write")
        # A test sentence: refused, without saying which.
        young.get_by_label("Your message to the bot").fill(held_out_sentence("bullying"))
        young.get_by_role("button", name="Send and check it").click()
        expect(young.locator("#check-problems")).to_contain_text("too close to one of our test")
        live.check(young, "write: refused")
        young.get_by_label("Your message to the bot").fill(FRESH["bullying"])
        young.get_by_role("button", name="Send and check it").click()
        expect(young).to_have_url(re.compile(r"/workshop/examples/[0-9a-f-]+\?sent=1"))
        expect(young.locator("#reading")).to_contain_text("The bot gets this wrong today")
        expect(young.locator("#existing-examples li").first).to_be_visible()
        live.check(young, "example sent")
        young.goto(f"{live.url}/workshop/write/bullying/conversation")
        live.check(young, "write a conversation")
        young.goto(f"{live.url}/workshop/wording/new")
        live.check(young, "suggest wording")
        guard.assert_clean()
    finally:
        context.close()

    _approve(browser, live, "RiverOtter", check=True)
    _approve(browser, live, "SkyLark", check=False)

    context, young, guard = _signed_in(browser, live, "NightOwl")
    try:
        young.goto(f"{live.url}/workshop/examples")
        expect(young.locator("#my-examples")).to_contain_text("Approved")
        live.check(young, "your examples")
        guard.assert_clean()
    finally:
        context.close()

    context, staff, guard = open_page(browser, 1024, 800, bypass_csp=True)
    try:
        staff.goto(f"{live.url}/staff/sign-in")
        staff.get_by_label("Email address").fill(MODERATOR)
        staff.get_by_label("Password", exact=True).fill(PASSWORD)
        staff.get_by_role("button", name="Sign in").click()
        for path, name in (
            ("/workshop/alerts", "alerts"),
            ("/workshop/wording", "suggested wording"),
            ("/workshop/review/disagreements", "disagreements"),
        ):
            staff.goto(f"{live.url}{path}")
            expect(staff.locator("h1")).to_be_visible()
            live.check(staff, name)
        guard.assert_clean()
    finally:
        context.close()
    assert {name: found for name, found in live.found.items() if found} == {}
