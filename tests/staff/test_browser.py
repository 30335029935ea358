"""The staff pages in Debian's chromium against the app served by uvicorn on a free port: signing
in with a password and a code without JavaScript, and axe on each page with it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Browser, Page

from devkit.browser import AXE, axe_violations, open_page
from services_directory.accounts import StaffUser
from services_directory.db import make_engine, make_session_factory, migrate
from services_directory.models import Organization
from staff.passwords import hash_password
from tests.staff.helpers import PASSWORD
from tests.staff.live import chromium, served

pytestmark = pytest.mark.browser


@dataclass
class LiveStaff:
    url: str
    secrets: dict[str, str]  # e-mail address: TOTP secret (one admin a test: a code works once)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStaff]:
    """The app under uvicorn with a council admin (two-factor on) in a fresh database."""
    folder: Path = tmp_path_factory.mktemp("staff-browser")
    url = f"sqlite:///{folder / 'directory.db'}"
    migrate(url)
    engine = make_engine(url)
    secrets = {f"{name}@council.example": pyotp.random_base32(32) for name in ("ada", "bo")}
    with make_session_factory(engine)() as db, db.begin():
        db.add(Organization(id=str(uuid.uuid4()), name="Riverside Youth Club"))
        for email, secret in secrets.items():
            db.add(
                StaffUser(
                    id=str(uuid.uuid4()),
                    email=email,
                    display_name=email.split("@")[0].title(),
                    role="council_admin",
                    password_hash=hash_password(PASSWORD),
                    totp_secret=secret,
                    totp_confirmed_at=dt.datetime.now(dt.UTC),
                    active=True,
                )
            )
    engine.dispose()
    with served(url, folder) as base:
        yield LiveStaff(base, secrets)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _password(page: Page, email: str) -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _code(page: Page, secret: str) -> None:
    page.get_by_label("Enter your security code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Continue").click()


def test_sign_in_and_out_without_javascript(browser: Browser, live: LiveStaff) -> None:
    context, page, guard = open_page(browser, 1024, 800, java_script_enabled=False)
    try:
        page.goto(f"{live.url}/staff/sign-in")
        page.get_by_role("button", name="Sign in").click()
        assert page.get_by_text("There is a problem").is_visible()
        assert page.locator("#email-error").inner_text().endswith("Enter your email address")
        page.goto(f"{live.url}/staff/users")
        assert page.url == f"{live.url}/staff/sign-in?next=/staff/users"
        _password(page, "ada@council.example")
        _code(page, live.secrets["ada@council.example"])
        assert page.url == f"{live.url}/staff/"
        assert page.get_by_role("heading", name="Youth support directory").is_visible()
        page.goto(f"{live.url}/staff/users")
        assert page.get_by_role("cell", name="bo@council.example").is_visible()
        page.get_by_role("button", name="Sign out").first.click()
        assert page.get_by_text("You have signed out").is_visible()
        page.goto(f"{live.url}/staff/users")
        assert page.url.startswith(f"{live.url}/staff/sign-in")
        guard.assert_clean()
    finally:
        context.close()


def test_axe_finds_no_serious_or_critical_violations(browser: Browser, live: LiveStaff) -> None:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci --no-audit --no-fund` at the repo root")
    # axe-core is injected as an inline script, so this context alone bypasses the CSP.
    context, page, guard = open_page(browser, 1024, 800, bypass_csp=True)
    found: dict[str, list[str]] = {}

    def check(name: str) -> None:
        serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
        found[name] = [f"{v['id']}: {v['help']}" for v in serious]

    try:
        page.goto(f"{live.url}/staff/sign-in")
        check("sign in")
        page.get_by_role("button", name="Sign in").click()
        check("sign in with errors")
        _password(page, "bo@council.example")
        check("code")
        _code(page, live.secrets["bo@council.example"])
        for path in ("/staff/", "/staff/users", "/staff/users/invite", "/staff/account"):
            page.goto(f"{live.url}{path}")
            check(path)
        page.get_by_role("button", name="Sign out everywhere").click()
        assert page.get_by_text("You have signed out everywhere").is_visible()
        assert found == {name: [] for name in found}, found
        guard.assert_clean()
    finally:
        context.close()
