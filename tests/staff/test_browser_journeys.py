"""The staff journeys of issue 16 in Debian's chromium, against the app served by uvicorn with a
clock the test moves and a real SMTP server on a free port (SQLite, and a scratch PostgreSQL
database when TEST_DATABASE_URL is set): an admin invites a reviewer by e-mail, whose link sets a
password and two-factor, then sign out and in; axe on the set-up and two-factor pages; an idle
session expires; the reminder digest command e-mails an organisation's overdue service; and every
staff action leaves its audit entry, in order, with its actor."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pyotp
import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, select

from api.main import create_app
from api.routes.staff.deps import get_clock
from devkit.browser import AXE, axe_violations, open_page
from devkit.stack import free_port
from services_directory.accounts import StaffAuditEvent, StaffUser
from services_directory.db import make_engine, make_session_factory, migrate
from services_directory.models import Service
from settings.app import Settings
from staff.policy import Role
from tests.services_directory.dbtest import BACKENDS, REPO
from tests.staff.conftest import Inbox
from tests.staff.helpers import PASSWORD, FakeClock, make_organisation, make_user
from tests.staff.live import chromium, scratch_database, serving

pytestmark = pytest.mark.browser

ADMIN, EDITOR = "admin@council.example", "editor@riverside.example"  # made in the database
REVIEWER, NEW_EDITOR = "nia@council.example", "ed@riverside.example"  # invited in the browser
CLUB, OVERDUE = "Riverside Youth Club", "Riverside drop-in (example)"
DIGEST = "reminder digest"  # the digest's actor label
EXPIRED = "You were signed out because you had not used the pages for a while"


@dataclass
class Live:
    url: str
    database_url: str
    engine: Engine
    smtp_port: int
    inbox: Inbox
    clock: FakeClock  # the app's clock (get_clock)
    service_id: str  # the overdue service
    secrets: dict[str, str]  # e-mail address: TOTP secret
    states: dict[str, Any] = field(default_factory=dict)  # cookies of each account signed in
    expected: list[tuple[str, str]] = field(default_factory=list)  # (action, actor) so far

    def expect(self, *entries: tuple[str, str]) -> None:
        self.expected.extend(entries)

    def audit(self) -> list[StaffAuditEvent]:
        with make_session_factory(self.engine)() as db:
            return list(db.scalars(select(StaffAuditEvent).order_by(StaffAuditEvent.id)))

    def assert_audited(self) -> None:
        """Every action so far has its entry, in order, and nothing else was logged."""
        assert [(e.action, e.actor_label) for e in self.audit()] == self.expected

    def mail_to(self, to: str, subject: str) -> str:
        """The text of the (last) e-mail the SMTP server received for `to` about `subject`."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            found = [m for m in self.inbox.messages if m["To"] == to and subject in m["Subject"]]
            if found:
                payload = found[-1].get_payload(decode=True)
                assert isinstance(payload, bytes)
                return payload.decode()
            time.sleep(0.05)
        raise AssertionError(f"no e-mail to {to} about {subject!r}: {self.inbox.messages}")


def _seed(url: str) -> tuple[str, str]:
    """A council admin (two-factor on), an editor of the club (without) and a club service last
    checked over two years ago; returns the admin's TOTP secret and the service's id."""
    migrate(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as db, db.begin():
        club = make_organisation(db, CLUB)
        secret = str(make_user(db, ADMIN, Role.COUNCIL_ADMIN).totp_secret)
        make_user(db, EDITOR, Role.ORGANISATION_EDITOR, club)
        service = Service(id=str(uuid.uuid4()), organization_id=club.id, name=OVERDUE)
        service.status, service.assured_date = "active", dt.date.today() - dt.timedelta(days=800)
        db.add(service)
        service_id = service.id
    engine.dispose()
    return secret, service_id


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    """The app, its clock overridden, on a seeded database (`_seed`); e-mail goes to a local
    SMTP server, and the links in it to this very server."""
    folder = tmp_path_factory.mktemp(f"staff-journeys-{request.param}")
    inbox, smtp_port, port, clock = Inbox(), free_port(), free_port(), FakeClock()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    try:
        with scratch_database(request.param, folder, "staff_journeys") as url:
            secret, service_id = _seed(url)
            values: dict[str, Any] = {
                "environment": "development",  # plain http on 127.0.0.1
                "database_url": url,
                "public_base_url": f"http://127.0.0.1:{port}",  # the links in e-mails
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp_port,
                "smtp_security": "none",
            }
            app = create_app(Settings(**values))
            app.dependency_overrides[get_clock] = lambda: clock
            engine = make_engine(url)
            try:
                with serving(app, port) as base:
                    yield Live(
                        base, url, engine, smtp_port, inbox, clock, service_id, {ADMIN: secret}
                    )
            finally:
                engine.dispose()
    finally:
        smtp.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _code(page: Page, live: Live, secret: str, label: str, button: str) -> None:
    """A code of `secret` at the app's clock, one time step on from the last (a code works once)."""
    live.clock.advance(seconds=30)
    page.get_by_label(label).fill(pyotp.TOTP(secret).at(live.clock.now))
    page.get_by_role("button", name=button).click()


def _credentials(page: Page, live: Live, email: str) -> None:
    """On the sign-in page: the password, then the code when the account has two-factor."""
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if email in live.secrets:
        _code(page, live, live.secrets[email], "Enter your security code", "Continue")
    live.expect(("signed_in", email))


def _sign_in(page: Page, live: Live, email: str) -> None:
    page.goto(f"{live.url}/staff/sign-in")
    _credentials(page, live, email)
    expect(page).to_have_url(f"{live.url}/staff/")


@contextmanager
def _page(browser: Browser, live: Live, email: str | None = None, **options: Any) -> Iterator[Page]:
    """A page in a context of its own: signed in as `email` (through the pages the first time,
    then with the cookies kept), or a stranger's. Closed after, its guard clean."""
    state = live.states.get(email) if email else None
    context, page, guard = open_page(browser, 1024, 800, storage_state=state, **options)
    try:
        if email and state is None:
            _sign_in(page, live, email)
            live.states[email] = context.storage_state()
        yield page
        guard.assert_clean()
    finally:
        context.close()


def _invite(browser: Browser, live: Live, email: str, role: str, organisation: str = "") -> str:
    """The admin invites `email` from Users → Invite someone; returns the link e-mailed."""
    with _page(browser, live, ADMIN) as page:
        page.goto(f"{live.url}/staff/")
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Users").click()
        page.get_by_role("button", name="Invite someone").click()
        page.get_by_label("Email address").fill(email)
        page.get_by_label(role, exact=True).check()
        if organisation:
            page.get_by_label("Organisation", exact=True).select_option(label=organisation)
        page.get_by_role("button", name="Send invitation").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            f"Invitation sent to {email}"
        )
    live.expect(("invited", ADMIN))
    body = live.mail_to(email, "Set up your account")
    match = re.search(rf"{re.escape(live.url)}/staff/set-up/[A-Za-z0-9_-]+", body)
    assert match, body
    return match.group(0)


def _set_up(page: Page, link: str, name: str) -> None:
    page.goto(link)
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Confirm your password").fill(PASSWORD)
    page.get_by_role("button", name="Set up account").click()


def test_invite_set_password_enrol_two_factor_and_sign_in(browser: Browser, live: Live) -> None:
    link = _invite(browser, live, REVIEWER, "Reviewer")
    with _page(browser, live) as page:  # the invitee's own browser
        page.goto(link)
        expect(page.locator("main")).to_contain_text(REVIEWER)
        _set_up(page, link, "Nia Reviewer")
        expect(page).to_have_url(f"{live.url}/staff/two-factor")  # a reviewer needs two-factor
        live.expect(("invitation_accepted", REVIEWER))
        secret = page.locator("#secret").inner_text().replace(" ", "")
        _code(page, live, secret, "Security code", "Turn on two-factor authentication")
        expect(page).to_have_url(f"{live.url}/staff/")
        expect(page.locator(".staff-sign-out")).to_contain_text("Signed in as Nia Reviewer")
        live.expect(("two_factor_set_up", REVIEWER), ("signed_in", REVIEWER))
        live.secrets[REVIEWER] = secret

        page.get_by_role("button", name="Sign out").first.click()
        expect(page.get_by_text("You have signed out")).to_be_visible()
        live.expect(("signed_out", REVIEWER))
        page.goto(f"{live.url}/staff/")
        expect(page).to_have_url(re.compile(r"/staff/sign-in"))
        _sign_in(page, live, REVIEWER)  # password and a new code

        response = page.goto(link)
        assert response and response.status == 404  # the link works once
        expect(page.locator("main")).to_contain_text("This link no longer works")
    live.assert_audited()


def test_axe_on_the_set_up_and_two_factor_pages(browser: Browser, live: Live) -> None:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci --no-audit --no-fund` at the repo root")
    found: dict[str, list[str]] = {}

    def check(page: Page, name: str) -> None:
        serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
        found[name] = [f"{v['id']}: {v['help']}" for v in serious]

    link = _invite(browser, live, NEW_EDITOR, "Organisation editor", CLUB)
    # axe-core is injected as an inline script, so this context alone bypasses the CSP.
    with _page(browser, live, bypass_csp=True) as page:
        page.goto(link)
        expect(page.locator("main")).to_contain_text(f"Organisation editor at {CLUB}")
        check(page, "set up")
        page.get_by_role("button", name="Set up account").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        check(page, "set up with errors")
        _set_up(page, link, "Ed Editor")
        expect(page).to_have_url(f"{live.url}/staff/")  # an editor may go without two-factor
        live.expect(("invitation_accepted", NEW_EDITOR), ("signed_in", NEW_EDITOR))

        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Your account").click()
        page.get_by_role("link", name="Set up two-factor authentication").click()
        expect(page).to_have_url(f"{live.url}/staff/two-factor")
        check(page, "two-factor")
        page.get_by_role("button", name="Turn on two-factor authentication").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        check(page, "two-factor with errors")
        secret = page.locator("#secret").inner_text().replace(" ", "")
        page.get_by_label("Your password").fill(PASSWORD)
        _code(page, live, secret, "Security code", "Turn on two-factor authentication")
        expect(page).to_have_url(f"{live.url}/staff/account")
        live.expect(("two_factor_set_up", NEW_EDITOR), ("other_sessions_ended", NEW_EDITOR))
    assert found == {name: [] for name in found}, found
    live.assert_audited()


def test_an_idle_session_expires(browser: Browser, live: Live) -> None:
    with _page(browser, live) as page:
        _sign_in(page, live, EDITOR)
        live.clock.advance(minutes=59)
        page.goto(f"{live.url}/staff/services")  # in use: the idle time starts again
        expect(page).to_have_url(f"{live.url}/staff/services")
        live.clock.advance(minutes=61)
        live.states.clear()  # every session has now been idle for an hour
        page.goto(f"{live.url}/staff/freshness")
        expect(page).to_have_url(f"{live.url}/staff/sign-in?next=/staff/freshness&notice=expired")
        expect(page.get_by_text(EXPIRED)).to_be_visible()
        _credentials(page, live, EDITOR)  # and back to the page asked for
        expect(page).to_have_url(f"{live.url}/staff/freshness")
    live.assert_audited()


def test_the_reminder_digest_arrives_at_the_smtp_server(live: Live) -> None:
    env = os.environ | {
        "ENVIRONMENT": "development",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(live.smtp_port),
        "SMTP_SECURITY": "none",
        "PUBLIC_BASE_URL": live.url,
    }
    command = [sys.executable, "-m", "staff.digest", "--database-url", live.database_url]
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 organisation sent 2 messages listing 1 service" in done.stdout, done.stdout
    body = live.mail_to(EDITOR, f"1 service to check: {CLUB}")
    assert "Overdue:" in body and OVERDUE in body, body
    assert f"{live.url}/staff/services/{live.service_id}" in body
    live.expect(("freshness.digest_sent", DIGEST), ("freshness.digest_run", DIGEST))
    live.assert_audited()


def test_every_staff_action_left_an_audit_entry_with_its_actor(live: Live) -> None:
    entries = live.audit()
    assert [(e.action, e.actor_label) for e in entries] == live.expected
    with make_session_factory(live.engine)() as db:
        ids = {user.email: user.id for user in db.scalars(select(StaffUser))}
    for entry in entries:  # a person's entries carry their account; the digest's none
        assert entry.actor_id == ids.get(entry.actor_label), (entry.action, entry.actor_label)
