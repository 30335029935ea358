"""The workshop's people in Debian's chromium, against the app served by uvicorn (SQLite, and a
scratch PostgreSQL database when TEST_DATABASE_URL is set): a moderator makes an invite link, a
young person follows it, picks a workshop name and a password and agrees, the moderator records a
parent's consent, the young person signs out and in again, and withdraws their consent; axe finds
no serious or critical issue on any of these pages, nor on the moderators' other pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from api.main import create_app
from devkit.browser import AXE, axe_violations, open_page
from devkit.stack import free_port
from services_directory.accounts import StaffAuditEvent
from services_directory.db import make_engine, make_session_factory, migrate
from settings.app import Settings
from staff.policy import Role
from tests.services_directory.dbtest import BACKENDS
from tests.staff.helpers import PASSWORD, make_user
from tests.staff.live import chromium, scratch_database, serving

pytestmark = pytest.mark.browser

MODERATOR = "mod@council.example"
CRISIS = ("0800 1111", "85258", "116 123", "999")


@dataclass
class Live:
    url: str
    database_url: str
    found: dict[str, list[str]] = field(default_factory=dict)  # axe's findings by page

    def check(self, page: Page, name: str) -> None:
        """axe on the page: its serious or critical violations, kept under `name`."""
        serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
        self.found[name] = [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in serious]

    def actions(self) -> list[tuple[str, str]]:
        engine = make_engine(self.database_url)
        try:
            with make_session_factory(engine)() as db:
                entries = db.scalars(select(StaffAuditEvent).order_by(StaffAuditEvent.id))
                return [(e.action, e.actor_label) for e in entries]
        finally:
            engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp(f"workshop-people-{request.param}")
    with scratch_database(request.param, folder, prefix="wp_people") as url:
        migrate(url)
        engine = make_engine(url)
        with make_session_factory(engine)() as db, db.begin():
            make_user(db, MODERATOR, Role.MODERATOR)
        engine.dispose()
        port = free_port()
        settings = Settings(
            environment="development",  # plain http on 127.0.0.1
            database_url=url,
            public_base_url=f"http://127.0.0.1:{port}",  # the invite links
            mail_outbox_dir=folder / "outbox",
            workshop_parent_consent="required",
        )
        with serving(create_app(settings), port) as base:
            yield Live(base, url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _context(browser: Browser, width: int = 1024) -> Any:
    # axe-core is injected as an inline script, so these contexts alone bypass the CSP.
    return open_page(browser, width, 800, bypass_csp=True)


def test_invite_join_with_consent_sign_in_and_withdraw(browser: Browser, live: Live) -> None:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci --no-audit --no-fund` at the repo root")
    staff_context, staff, staff_guard = _context(browser)
    young_context, young, young_guard = _context(browser, 375)  # a phone
    try:
        # The moderator signs in at the staff door and goes to the workshop.
        staff.goto(f"{live.url}/workshop/members")
        expect(staff).to_have_url(re.compile(r"/workshop/sign-in"))
        live.check(staff, "sign in")
        staff.get_by_role("link", name="sign in on the staff pages").click()
        staff.get_by_label("Email address").fill(MODERATOR)
        staff.get_by_label("Password", exact=True).fill(PASSWORD)
        staff.get_by_role("button", name="Sign in").click()
        expect(staff).to_have_url(f"{live.url}/workshop/members")
        live.check(staff, "members (empty)")
        staff.get_by_role("navigation", name="Menu").get_by_role("link", name="Home").click()
        expect(staff.locator("main")).to_contain_text("invite young people")
        live.check(staff, "home (moderator)")

        staff.goto(f"{live.url}/workshop/members/invite")
        live.check(staff, "invite")
        staff.get_by_role("button", name="Make the link").click()
        expect(staff.locator(".govuk-error-summary")).to_be_visible()
        live.check(staff, "invite with errors")
        staff.get_by_label("Youth writer").check()
        staff.get_by_label("Private note (optional)").fill("Tuesday group")
        staff.get_by_role("button", name="Make the link").click()
        link = staff.locator("#invite-link").inner_text().strip()
        assert link.startswith(f"{live.url}/workshop/join/"), link
        live.check(staff, "invite link made")

        # The young person follows it on their phone.
        young.goto(link)
        expect(young.locator("main")).to_contain_text("withdraw your consent")
        live.check(young, "join")
        young.get_by_role("button", name="Join the workshop").click()
        expect(young.locator(".govuk-error-summary")).to_be_visible()
        live.check(young, "join with errors")
        young.get_by_label("Pick a workshop name").fill("NightOwl")
        young.get_by_label("Create a password").fill(PASSWORD)
        young.get_by_label("Type your password again").fill(PASSWORD)
        young.get_by_label("I have read what happens to what I write").check()
        young.get_by_role("button", name="Join the workshop").click()
        expect(young).to_have_url(f"{live.url}/workshop/?welcome=1")
        expect(young.locator("main")).to_contain_text("Welcome to the workshop, NightOwl")
        expect(young.locator("main")).to_contain_text("parent or carer agrees")
        footer = young.locator("footer").inner_text()
        assert all(number in footer for number in CRISIS), footer
        live.check(young, "home (waiting for a parent)")

        # The moderator records the parent's consent.
        staff.goto(f"{live.url}/workshop/members")
        expect(staff.locator("main")).to_contain_text("Waiting for a parent")
        staff.get_by_role("link", name="NightOwl").click()
        live.check(staff, "member")
        staff.get_by_role("link", name="Record a parent's or carer's consent").click()
        staff.get_by_role("button", name="Record consent").click()
        expect(staff.locator(".govuk-error-summary")).to_be_visible()
        live.check(staff, "parent consent with errors")
        staff.get_by_label("How did the parent or carer give their consent?").fill(
            "Signed paper form, kept at the youth centre"
        )
        staff.get_by_role("button", name="Record consent").click()
        expect(staff.locator("main")).to_contain_text("consent is recorded")
        staff.get_by_role("link", name="NightOwl").click()
        staff.get_by_role("link", name="Withdraw consent on their behalf").click()
        live.check(staff, "withdraw on their behalf")
        staff.goto(staff.url.replace("/withdraw", "/deactivate"))
        live.check(staff, "deactivate")

        # The young person signs out and in again, now able to write.
        young.reload()
        young.get_by_role("button", name="Sign out").click()
        expect(young).to_have_url(f"{live.url}/workshop/sign-in?notice=signed-out")
        live.check(young, "signed out")
        young.get_by_label("Workshop name").fill("nightowl")
        young.get_by_label("Password", exact=True).fill(PASSWORD)
        young.get_by_role("button", name="Sign in").click()
        expect(young).to_have_url(f"{live.url}/workshop/")
        expect(young.locator("main")).to_contain_text("Write in your own words")
        live.check(young, "home (writer)")
        young.goto(f"{live.url}/staff/")
        expect(young).to_have_url(f"{live.url}/workshop/")  # never a staff page

        young.goto(f"{live.url}/workshop/account")
        live.check(young, "account")
        young.get_by_role("link", name="Withdraw your consent").click()
        expect(young.locator("main")).to_contain_text("notes will say")
        live.check(young, "withdraw")
        young.get_by_role("button", name="Yes, withdraw my consent").click()
        expect(young.locator("main")).to_contain_text("You have withdrawn your consent")
        live.check(young, "account (withdrawn)")
        staff_guard.assert_clean()
        young_guard.assert_clean()
    finally:
        staff_context.close()
        young_context.close()
    assert len(live.found) >= 18, live.found
    assert live.found == {name: [] for name in live.found}, live.found
    workshop = [entry for entry in live.actions() if entry[0].startswith("workshop.")]
    assert workshop == [
        ("workshop.member_invited", MODERATOR),
        ("workshop.member_joined", "nightowl"),
        ("workshop.consent_recorded", "nightowl"),
        ("workshop.consent_recorded", MODERATOR),
        ("workshop.consent_withdrawn", "nightowl"),
    ]
