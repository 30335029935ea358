"""The imports journey in Debian's chromium, against the app served by uvicorn (SQLite, and
PostgreSQL when TEST_DATABASE_URL is set): a council admin uploads a messy feed, the batch's page
refreshes by itself until the report is ready, publishing takes one button and the services are
then in the Open Referral API; axe finds no serious or critical violation on the pages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from devkit.browser import AXE, axe_violations
from services_directory.db import make_engine, make_session_factory, migrate
from services_directory.io.records import stable_uuid
from staff.policy import Role
from tests.services_directory.dbtest import BACKENDS
from tests.services_directory.feeds.messy import write_feed
from tests.staff.helpers import make_user
from tests.staff.live import chromium, scratch_database, served, signed_in

pytestmark = pytest.mark.browser
ADMIN = "admin@council.example"


@dataclass
class Live:
    url: str
    secret: str | None
    feed: Path
    states: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp(f"imports-{request.param}")
    with scratch_database(request.param, folder, prefix="h1_imports") as url:
        migrate(url)
        engine = make_engine(url)
        with make_session_factory(engine)() as db, db.begin():
            secret = make_user(db, ADMIN, Role.COUNCIL_ADMIN).totp_secret
        engine.dispose()
        with served(url, folder) as base:
            yield Live(base, secret, write_feed(folder))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _upload(page: Page, live: Live) -> None:
    page.goto(f"{live.url}/staff/")
    page.get_by_role("link", name="Imports").first.click()
    page.get_by_label("File").set_input_files(str(live.feed))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator("#counts")).to_be_visible(timeout=15_000)


def test_upload_report_publish(browser: Browser, live: Live) -> None:
    with signed_in(browser, live.url, ADMIN, live.secret, live.states) as page:
        _upload(page, live)
        expect(page.get_by_text("Ready to publish")).to_be_visible()
        expect(page.locator("#rows")).to_contain_text("is missing")
        page.get_by_role("link", name="Cleaned (").click()
        expect(page.locator("#rows")).to_contain_text("non-breaking space removed")
        page.get_by_role("button", name="Publish 4 valid services").click()
        expect(page.get_by_text("Published by admin@council.example")).to_be_visible(timeout=15_000)
        service_id = stable_uuid("oruk-v1", "service", "svc-1")
        response = page.request.get(f"{live.url}/openreferral/services/{service_id}")
        assert response.ok
        assert response.json()["description"].startswith("Free drop-in for young people.")


def test_axe_finds_no_serious_or_critical_violations(browser: Browser, live: Live) -> None:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci --no-audit --no-fund` at the repo root")
    found: dict[str, list[str]] = {}

    def check(page: Page, name: str) -> None:
        serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
        found[name] = [f"{v['id']}: {v['help']}" for v in serious]

    # axe-core is injected as an inline script, so this context alone bypasses the CSP.
    with signed_in(browser, live.url, ADMIN, live.secret, live.states, bypass_csp=True) as page:
        _upload(page, live)
        check(page, "report")
        page.goto(f"{live.url}/staff/imports")
        check(page, "imports")
    assert found == dict.fromkeys(found, [])
