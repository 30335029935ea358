"""The reports queue and the insights page in Debian's chromium, served by uvicorn: axe on each,
marking a report as fixed and narrowing the insights without JavaScript, the CSV downloaded, and
no request leaving the machine."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from devkit.browser import AXE, axe_violations, open_page
from services_directory.accounts import StaffUser
from services_directory.db import make_engine, make_session_factory, migrate
from services_directory.feedback import file_report
from services_directory.insights import CounterKey, increment, week_start
from services_directory.models import Organization, Service
from staff.passwords import hash_password
from tests.staff.helpers import PASSWORD
from tests.staff.live import chromium, served

pytestmark = pytest.mark.browser


@dataclass
class Live:
    url: str
    report_service: str


def _account(email: str, role: str, organisation_id: str | None) -> StaffUser:
    return StaffUser(
        id=str(uuid.uuid4()),
        email=email,
        display_name=email.split("@")[0].title(),
        role=role,
        organisation_id=organisation_id,
        password_hash=hash_password(PASSWORD),
        active=True,
    )


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """An editor with a report on their service, a read-only account, and a few weeks' counts."""
    folder: Path = tmp_path_factory.mktemp("feedback-browser")
    url = f"sqlite:///{folder / 'directory.db'}"
    migrate(url)
    engine = make_engine(url)
    this_week = week_start()
    with make_session_factory(engine)() as db, db.begin():
        organisation = Organization(id=str(uuid.uuid4()), name="Riverside Youth Club")
        db.add(organisation)
        db.flush()
        service = Service(
            id=str(uuid.uuid4()),
            organization_id=organisation.id,
            name="Riverside drop-in",
            status="active",
        )
        db.add(service)
        db.flush()
        db.add(_account("editor@riverside.example", "organisation_editor", organisation.id))
        db.add(_account("reader@council.example", "read_only", None))
        file_report(db, service.id, "number_wrong", "rang twice, no answer")
        keys = []
        for weeks_ago, times in ((0, 30), (1, 12), (2, 4)):
            week = this_week - dt.timedelta(weeks=weeks_ago)
            keys += [CounterKey(week, "offered", "bullying", "11-15", "riverside")] * times
        keys += [CounterKey(this_week, "helped_yes", service_id=service.id)] * 14
        increment(db, keys)
    engine.dispose()
    with served(url, folder) as base:
        yield Live(base, service.id)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/staff/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.url == f"{base}/staff/"


def _serious(page: Page) -> list[str]:
    return [
        f"{v['id']}: {v['help']}"
        for v in axe_violations(page)
        if v["impact"] in ("serious", "critical")
    ]


def test_axe_on_the_queue_and_the_insights(browser: Browser, live: Live) -> None:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci --no-audit --no-fund` at the repo root")
    # axe-core is injected as an inline script, so this context alone bypasses the CSP.
    context, page, guard = open_page(browser, 1024, 800, bypass_csp=True)
    try:
        _sign_in(page, live.url, "reader@council.example")
        page.goto(f"{live.url}/staff/insights")
        assert page.get_by_role("heading", name="Insights", exact=True).is_visible()
        assert page.locator("svg[role=img]").count() >= 7
        insights = _serious(page)
        page.goto(f"{live.url}/staff/insights?start=soon")
        with_errors = _serious(page)
        assert (insights, with_errors) == ([], [])
        guard.assert_clean()
    finally:
        context.close()
    context, page, guard = open_page(browser, 1024, 800, bypass_csp=True)
    try:
        _sign_in(page, live.url, "editor@riverside.example")
        page.goto(f"{live.url}/staff/feedback")
        assert page.get_by_text("rang twice, no answer").is_visible()
        assert _serious(page) == []
        guard.assert_clean()
    finally:
        context.close()


def test_without_javascript_a_report_is_marked_fixed(browser: Browser, live: Live) -> None:
    context, page, guard = open_page(browser, 390, 800, java_script_enabled=False)
    try:
        _sign_in(page, live.url, "editor@riverside.example")
        page.goto(f"{live.url}/staff/feedback")
        page.get_by_role("button", name="Mark as fixed").click()
        assert page.get_by_text("The report is marked as fixed").is_visible()
        assert page.get_by_text("No reports to look at.").is_visible()
        page.goto(f"{live.url}/staff/feedback?show=fixed")
        assert page.get_by_text("rang twice, no answer").is_visible()
        guard.assert_clean()
    finally:
        context.close()


def test_without_javascript_the_weeks_narrow_and_the_csv_downloads(
    browser: Browser, live: Live
) -> None:
    context, page, guard = open_page(browser, 390, 800, java_script_enabled=False)
    try:
        _sign_in(page, live.url, "reader@council.example")
        page.goto(f"{live.url}/staff/insights")
        this_week = week_start().isoformat()
        page.get_by_label("From", exact=True).fill(this_week)
        page.get_by_label("To", exact=True).fill(this_week)
        page.get_by_role("button", name="Show these weeks").click()
        assert page.get_by_text("Showing 1 week:").is_visible()
        with page.expect_download() as download:
            page.get_by_role("button", name="Download these numbers (CSV)").click()
        text = Path(download.value.path()).read_text(encoding="utf-8")
        assert text.startswith("section,breakdown,category,count")
        assert "Riverside drop-in,Did this help? Yes,14" in text
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"horizontal scrolling on a phone: {overflow}"
        guard.assert_clean()
    finally:
        context.close()
