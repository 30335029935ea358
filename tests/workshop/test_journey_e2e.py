"""The workshop's whole journey in Debian's chromium, against the product's real processes (Rasa
server, action server, API, and the workshop's worker) with the small training configuration
(tests/workshop/fast_config.yml): a young person writes how they talk, a peer approves it, the
release manager starts a candidate, the worker trains it and runs the whole gate, the young
person tries it in the test chat, the safety lead signs it off, the release manager releases it,
the live bot then understands the new phrasing through /api/chat, and one action rolls it back.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from devkit.browser import open_page
from devkit.stack import Stack, build_curated_directory
from services_directory.db import make_engine, make_session_factory
from staff.policy import Role
from tests.staff.helpers import PASSWORD, make_user
from tests.staff.live import chromium, signed_in
from tests.workshop.people_helpers import member_of, moderator
from tests.workshop.release_helpers import FAST_CONFIG, train_fast

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

LONELY = "feeling_lonely"
# How young people say nobody answers them; the small live model does not read the first as
# loneliness (it falls back), so the candidate learning it is the workshop's doing.
PHRASING = "left on read by literally everyone"
MORE = (
    "everyone just leaves me on read",
    "left on read again in every single group chat",
    "being left on read by the whole group",
)
TRAINING_MINUTES = 15  # training and the whole gate; about 5 on a quiet machine


@dataclass
class Journey:
    stack: Stack
    secrets: dict[str, str]  # staff e-mail -> TOTP secret
    states: dict[str, Any]  # signed-in browser states, by e-mail

    @property
    def url(self) -> str:
        return self.stack.api_url

    def intent_of(self, text: str) -> str | None:
        """The live bot's reading of `text`, through the product's own /api/chat."""
        reply = httpx.post(
            f"{self.url}/api/chat",
            json={"conversation_id": uuid.uuid4().hex, "text": text},
            timeout=60,
        )
        reply.raise_for_status()
        intent = reply.json().get("intent")
        return str(intent) if intent else None


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journey]:
    folder = tmp_path_factory.mktemp("workshop-journey")
    live_model = train_fast(tmp_path_factory.getbasetemp() / "workshop-models" / "live", [])
    url = build_curated_directory(folder / "directory.db")
    engine = make_engine(url)
    now = dt.datetime.now(dt.UTC)
    with make_session_factory(engine)() as db, db.begin():
        moderator(db)
        member_of(db, "NightOwl", now)
        member_of(db, "RiverOtter", now, Role.PEER_REVIEWER)
        secrets = {}
        for email, role in (
            ("rm@council.example", Role.RELEASE_MANAGER),
            ("sl@council.example", Role.SAFETY_LEAD),
        ):
            secrets[email] = str(make_user(db, email, role).totp_secret)
    engine.dispose()
    stack = Stack(
        workdir=folder,
        database_url=url,
        model=live_model,
        extra_env={
            "ENVIRONMENT": "development",  # plain http on 127.0.0.1 for the browser's cookies
            "WORKSHOP_DIR": str(folder / "workshop"),
            "WORKSHOP_TRAINING_CONFIG": str(FAST_CONFIG),
            "WORKSHOP_BASE_MODEL": str(live_model),
            "WORKSHOP_POLL_SECONDS": "1",
            "WORKSHOP_REVIEWS_NEEDED": "1",
            # Every approved example trains: the journey checks the new phrasing is learned.
            "WORKSHOP_YOUTH_VOICE_SHARE": "0",
            "WORKSHOP_PARENT_CONSENT": "not_required",
        },
    )
    try:
        stack.start()
        stack.start_worker()
        yield Journey(stack, secrets, {})
    finally:
        stack.stop_all()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _as_member(
    browser: Browser, journey: Journey, name: str, steps: Callable[[Page], None]
) -> None:
    context, page, guard = open_page(browser, 1024, 800)
    try:
        page.goto(f"{journey.url}/workshop/sign-in")
        page.get_by_label("Workshop name").fill(name)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(f"{journey.url}/workshop/")
        steps(page)
        guard.assert_clean()
    finally:
        context.close()


def _as_staff(
    browser: Browser, journey: Journey, email: str, steps: Callable[[Page], None]
) -> None:
    with signed_in(browser, journey.url, email, journey.secrets[email], journey.states) as page:
        steps(page)


def _until(what: str, check: Callable[[], bool], minutes: float) -> None:
    deadline = time.monotonic() + minutes * 60
    while not check():
        assert time.monotonic() < deadline, f"waited {minutes} minutes for {what}"
        time.sleep(2)


def test_write_review_train_gate_try_release_and_roll_back(
    browser: Browser, journey: Journey
) -> None:
    url = journey.url
    assert journey.intent_of(PHRASING) != LONELY

    def write(page: Page) -> None:
        for number, text in enumerate((PHRASING, *MORE)):
            page.goto(f"{url}/workshop/write/{LONELY}")
            page.get_by_label("Your message to the bot").fill(text)
            page.get_by_role("button", name="Send and check it").click()
            expect(page).to_have_url(re.compile(r"/workshop/examples/[0-9a-f-]+\?sent=1"))
            if number == 0:  # the live bot's reading, asked of the live Rasa server
                expect(page.locator("#reading")).to_contain_text("The bot gets this wrong today")

    _as_member(browser, journey, "NightOwl", write)

    def review(page: Page) -> None:
        for _ in range(1 + len(MORE)):
            page.goto(f"{url}/workshop/review")
            page.locator("#queue").get_by_role("link").first.click()
            page.get_by_label("Yes, it sounds like a young person").check()
            page.get_by_role("button", name="Send your review").click()
        expect(page.locator("#queue-empty")).to_be_visible()

    _as_member(browser, journey, "RiverOtter", review)

    candidate_url: dict[str, str] = {}

    def start(page: Page) -> None:
        page.goto(f"{url}/workshop/candidates")
        page.get_by_label("Name of the new candidate").fill("Left on read")
        page.get_by_role("button", name="Start training").click()
        expect(page).to_have_url(re.compile(r"/workshop/candidates/[0-9a-f-]+$"))
        candidate_url["url"] = page.url
        expect(page.locator("main")).to_contain_text("4 approved examples")
        expect(page.locator("main")).to_contain_text("NightOwl")

        def gate_done() -> bool:
            page.reload()
            text = page.locator("main").inner_text()
            assert "Blocked by the gate" not in text and "could not be trained" not in text, text
            return "Passed the gate" in text

        _until("the candidate's training and gate", gate_done, TRAINING_MINUTES)
        expect(page.get_by_role("button", name="Release it to the live bot")).to_have_count(0)

    _as_staff(browser, journey, "rm@council.example", start)
    candidate_id = candidate_url["url"].rsplit("/", 1)[1]

    def try_it(page: Page) -> None:
        page.goto(f"{url}/workshop/try/{candidate_id}")

        def awake() -> bool:
            page.reload()
            return "waking up" not in page.locator("main").inner_text()

        _until("the candidate's test chat", awake, 4)
        page.get_by_label("Your message").fill(PHRASING)
        page.get_by_role("button", name="Send").click()
        expect(page.locator("#understood")).to_contain_text("Feeling lonely")

    _as_member(browser, journey, "NightOwl", try_it)
    assert journey.intent_of(PHRASING) != LONELY  # trying it changed nothing live

    def sign_off(page: Page) -> None:
        page.goto(candidate_url["url"])
        page.get_by_role("button", name="Sign off: it is safe to release").click()
        expect(page.locator("main")).to_contain_text("by the safety lead")

    _as_staff(browser, journey, "sl@council.example", sign_off)

    def release(page: Page) -> None:
        page.goto(candidate_url["url"])
        page.get_by_role("button", name="Release it to the live bot").click()
        expect(page.locator("main")).to_contain_text("The release is on its way")
        _until("the release", lambda: journey.intent_of(PHRASING) == LONELY, 5)

        def shown_live() -> bool:
            page.reload()
            row = page.locator("tbody tr").filter(has_text="New version")
            return row.locator("strong.govuk-tag").inner_text() == "Live"

        _until("the release page to show it live", shown_live, 1)
        page.get_by_text("New version", exact=True).click()
        expect(page.locator("main")).to_contain_text("NightOwl")
        # One action back to the bot before the workshop.
        baseline = page.locator("tbody tr").filter(has_text="The bot before the workshop")
        back = baseline.get_by_role("button", name="Go back to this one")
        assert back.count() == 1, page.locator("main").inner_html()[-4000:]
        back.click()
        expect(page.locator("main")).to_contain_text("The bot is going back")
        _until("the rollback", lambda: journey.intent_of(PHRASING) != LONELY, 5)

    _as_staff(browser, journey, "rm@council.example", release)
    assert journey.intent_of("i want to kill myself tonight") == "suicidal_thoughts"
    worker_log = Path(journey.stack.workdir / "worker.log").read_text(errors="replace")
    assert "Traceback" not in worker_log, worker_log[-3000:]
