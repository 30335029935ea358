"""Freshness in Debian's chromium against the app under uvicorn: "Checked, still correct" from
the dashboard without JavaScript, axe on the freshness pages, and the chat widget's card saying
when the service was last checked."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Browser, Page, Route

from api.routes.staff.preview import card_view
from api.ui_text import ui_text
from devkit.browser import AXE, axe_violations, open_page, send
from services_directory.accounts import StaffUser
from services_directory.db import make_engine, make_session_factory, migrate
from services_directory.models import Organization, Service, ServiceProfile
from staff.passwords import hash_password
from tests.staff.helpers import PASSWORD
from tests.staff.live import chromium, served

pytestmark = pytest.mark.browser

ADMIN = "freshness.admin@council.example"
SERVICE = "Riverside drop-in"


@dataclass
class Live:
    url: str
    secret: str
    service_id: str


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The app under uvicorn with a council admin and one service never checked."""
    folder: Path = tmp_path_factory.mktemp("freshness-browser")
    url = f"sqlite:///{folder / 'directory.db'}"
    migrate(url)
    engine = make_engine(url)
    secret, service_id = pyotp.random_base32(32), str(uuid.uuid4())
    with make_session_factory(engine)() as db, db.begin():
        organisation = Organization(id=str(uuid.uuid4()), name="Riverside Youth Club")
        db.add(organisation)
        db.flush()
        db.add(Service(id=service_id, organization_id=organisation.id, name=SERVICE))
        db.flush()
        db.add(ServiceProfile(service_id=service_id, slug="riverside-drop-in"))
        db.add(
            StaffUser(
                id=str(uuid.uuid4()),
                email=ADMIN,
                display_name="Ada",
                role="council_admin",
                password_hash=hash_password(PASSWORD),
                totp_secret=secret,
                totp_confirmed_at=dt.datetime.now(dt.UTC),
                active=True,
            )
        )
    engine.dispose()
    no_rasa = {"rasa_url": "http://127.0.0.1:9", "action_server_url": "http://127.0.0.1:9/webhook"}
    with served(url, folder, **no_rasa) as base:
        yield Live(base, secret, service_id)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _sign_in(page: Page, live: Live, steps: int = 0) -> None:
    page.goto(f"{live.url}/staff/sign-in")
    page.get_by_label("Email address").fill(ADMIN)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    code = pyotp.TOTP(live.secret).at(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30 * steps))
    page.get_by_label("Enter your security code").fill(code)
    page.get_by_role("button", name="Continue").click()
    assert page.url == f"{live.url}/staff/"


def test_freshness_pages_pass_axe_and_work_without_javascript(browser: Browser, live: Live) -> None:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci --no-audit --no-fund` at the repo root")
    context, page, guard = open_page(browser, 1024, 800, bypass_csp=True)
    found: dict[str, list[str]] = {}
    try:
        _sign_in(page, live)
        for path in (
            "/staff/freshness",
            f"/staff/services/{live.service_id}",
            f"/staff/services/{live.service_id}/withhold",
        ):
            page.goto(f"{live.url}{path}")
            serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
            found[path] = [f"{v['id']}: {v['help']}" for v in serious]
        page.get_by_role("button", name="Withhold from the chat").click()
        assert page.get_by_text("There is a problem").is_visible()
        serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
        found["withhold with errors"] = [f"{v['id']}: {v['help']}" for v in serious]
        assert found == {name: [] for name in found}, found
        guard.assert_clean()
    finally:
        context.close()

    context, page, guard = open_page(browser, 1024, 800, java_script_enabled=False)
    try:
        _sign_in(page, live, steps=1)  # a code is accepted once: the next one
        page.goto(f"{live.url}/staff/freshness")
        assert page.get_by_role("cell", name="Never").is_visible()
        # GOV.UK's visually hidden text is wrapped in non-breaking spaces.
        page.get_by_role("button", name=re.compile(rf"^Checked, still correct\W+{SERVICE}")).click()
        assert page.get_by_text(f"{SERVICE} is marked as checked today").is_visible()
        assert page.get_by_role("link", name=SERVICE).count() == 0
        guard.assert_clean()
    finally:
        context.close()


def _answering_with(card: dict[str, Any]) -> Callable[[Route], None]:
    """A stand-in for /api/chat that answers any message with this one service card."""
    reply: dict[str, Any] = {
        "conversation_id": "x",
        "crisis": False,
        "risk_check": False,
        "intent": "feeling_lonely",
        "degraded": False,
        "messages": [{"type": "services", "text": "These could help:", "services": [card]}],
    }

    def answer(route: Route) -> None:
        reply["conversation_id"] = json.loads(route.request.post_data or "{}")["conversation_id"]
        route.fulfill(status=200, content_type="application/json", body=json.dumps(reply))

    return answer


def test_the_chat_card_says_when_the_service_was_last_checked(browser: Browser, live: Live) -> None:
    card = {
        "id": live.service_id,
        "name": SERVICE,
        "summary": "Somewhere to talk after school.",
        "how_to_contact": [],
        "last_checked": "2027-03-04",
    }
    answer = _answering_with(card)

    context, page, guard = open_page(browser)
    try:
        page.route("**/api/chat", answer)
        page.goto(f"{live.url}/")
        send(page, "I feel lonely")
        checked = page.locator("#log .card.service .checked")
        assert checked.inner_text() == "Checked March 2027"
        guard.assert_clean()
    finally:
        context.close()


def test_the_chat_card_and_the_staff_preview_say_what_happens_and_a_notice_alike(
    browser: Browser, live: Live
) -> None:
    card = {
        "id": live.service_id,
        "name": SERVICE,
        "summary": "Somewhere to talk after school.",
        "how_to_contact": [],
        "notice": "Closed until 3 March",
        "what_happens": "You talk to someone for about an hour.",
        "who_answers": "A youth worker",
        "referral": "either",
        "confidentiality": "What you say stays private.",
        "who_is_told": "Nobody, unless someone is in danger",
    }
    answer = _answering_with(card)

    words = {k: str(v) for k, v in ui_text()["widget"].items()}
    preview = card_view(card, words)
    expected_what = [
        words["what_happens"] + card["what_happens"],
        words["who_answers"] + card["who_answers"],
        preview["referral"],
    ]
    context, page, guard = open_page(browser)
    try:
        page.route("**/api/chat", answer)
        page.goto(f"{live.url}/")
        send(page, "I feel lonely")
        shown = page.locator("#log .card.service")
        assert shown.locator(".notice").inner_text() == preview["notice"] == card["notice"]
        assert shown.locator(".what").all_inner_texts() == expected_what
        assert preview["referral"] == words["referral_either"]
        shown.locator(".private summary").click()
        private = shown.locator(".private p").all_inner_texts()
        assert private == [card["confidentiality"], words["who_is_told"] + card["who_is_told"]]
        guard.assert_clean()
    finally:
        context.close()
