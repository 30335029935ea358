"""axe on every staff page: signed in as a council admin and as an organisation editor, the test
follows every link under /staff/ from the home page (in Debian's chromium, against the app served
by uvicorn, SQLite and PostgreSQL) and runs axe on each page it reaches. Every GET page route of
the app must be reached by someone, so a new page cannot escape the check: if one is not linked
from anywhere with the data below, give the directory the record that makes it appear."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser
from sqlalchemy import select

from devkit.browser import AXE
from services_directory.curated import curated_id, load_curated
from services_directory.db import make_engine, make_session_factory, migrate
from services_directory.io import import_document
from services_directory.io.staging import check_batch, create_batch
from services_directory.models import Organization, Service
from staff import drafts
from staff.policy import Role
from staff.service_document import read_document
from tests.services_directory.crosswalk_feed import council_feed
from tests.services_directory.dbtest import BACKENDS
from tests.services_directory.feeds.messy import messy_feed
from tests.staff.crawl import crawl, page_routes
from tests.staff.helpers import make_user
from tests.staff.live import chromium, scratch_database, served, signed_in

pytestmark = pytest.mark.browser

TRUST = "Eastbridge Youth Wellbeing Trust (example)"
OWN, PUBLISHED = "eastbridge-youth-counselling", "eastbridge-bereavement-group"
EDITOR, REVIEWER = "editor@trust.example", "reviewer@council.example"
ADMIN = "admin@council.example"

# GET routes that are not pages a signed-in person browses to: style sheets and scripts, the
# identity provider's return address, and the steps before a session exists (axe checks those
# signed out: test_browser.py for sign-in and its code, test_browser_journeys.py for set-up and
# two-factor enrolment).
NOT_BROWSED = re.compile(
    r"^/staff/(assets/|sign-in(/code|/oidc/callback)?$|set-up/|two-factor$)",
)


@dataclass
class Live:
    url: str
    secrets: dict[str, str | None]
    states: dict[str, Any] = field(default_factory=dict)  # cookies of each account signed in
    reached: set[str] = field(default_factory=set)  # the routes the crawls reached


def _seed(url: str) -> dict[str, str | None]:
    """The curated directory, three accounts, a change already published (so there is a history
    to compare and restore) and another waiting for review."""
    now = dt.datetime.now(dt.UTC)
    engine = make_engine(url)
    with make_session_factory(engine)() as db, db.begin():
        load_curated(db)
        import_document(db, council_feed())  # a feed's terms and suggestions (crosswalk pages)
        trust = db.scalars(select(Organization).where(Organization.name == TRUST)).one()
        editor = make_user(db, EDITOR, Role.ORGANISATION_EDITOR, trust)
        reviewer = make_user(db, REVIEWER, Role.REVIEWER)
        admin = make_user(db, ADMIN, Role.COUNCIL_ADMIN)
        for slug, publish in ((PUBLISHED, True), (OWN, False)):
            service = db.get(Service, curated_id(slug))
            assert service is not None
            proposed = read_document(db, service) | {"name": f"{service.name} (renamed)"}
            draft = drafts.propose(db, editor, service, proposed, "A clearer name", now)
            if publish:
                assert drafts.approve(db, reviewer, draft, now)
        # A council's messy feed staged (the imports pages and a batch's report).
        batch = create_batch(
            db,
            feed_name="council",
            source="council.json",
            payload=json.dumps(messy_feed()).encode(),
            staged_by=ADMIN,
            now=now,
        )
        check_batch(db, batch.id, now)
        secrets = {user.email: user.totp_secret for user in (editor, reviewer, admin)}
    engine.dispose()
    return secrets


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp(f"staff-axe-{request.param}")
    with scratch_database(request.param, folder, prefix="staff_axe") as url:
        migrate(url)
        secrets = _seed(url)
        with served(url, folder) as base:
            yield Live(base, secrets)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize("email", [ADMIN, REVIEWER, EDITOR])
def test_axe_finds_no_serious_or_critical_violation_on_any_page(
    browser: Browser, live: Live, email: str
) -> None:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci --no-audit --no-fund` at the repo root")
    routes = page_routes("/staff", NOT_BROWSED)
    # axe-core is injected as an inline script, so this context alone bypasses the CSP.
    with signed_in(
        browser, live.url, email, live.secrets[email], live.states, bypass_csp=True
    ) as page:
        found, reached = crawl(page, live.url, "/staff/", routes)
    live.reached |= reached
    assert len(found) >= 5, found
    assert found == {path: [] for path in found}, {p: v for p, v in found.items() if v}


def test_every_staff_page_was_reached_by_someone(live: Live) -> None:
    """Runs after the crawls above (pytest keeps the order of a module's tests)."""
    if not live.reached:
        pytest.fail("the crawls did not run before this test")
    missing = sorted({r.path for r in page_routes("/staff", NOT_BROWSED)} - live.reached)
    assert missing == [], f"no link reaches these pages: {missing}"
