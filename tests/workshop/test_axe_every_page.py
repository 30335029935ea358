"""axe on every workshop page: signed in as each workshop role (young people through the
workshop's sign-in, staff through the staff sign-in), the test follows every link under
/workshop/ from its home page in Debian's chromium (SQLite and PostgreSQL) and runs axe on each
page; every GET page route must be reached by someone. The test chat of a candidate starts a Rasa
server of its own: the app stops it when it ends."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from devkit.browser import AXE, open_page
from services_directory.db import make_engine, make_session_factory, migrate
from staff.policy import Role
from tests.services_directory.dbtest import BACKENDS
from tests.staff.crawl import crawl, page_routes
from tests.staff.helpers import PASSWORD, make_user
from tests.staff.live import chromium, scratch_database, served, signed_in
from tests.workshop.item_helpers import send
from tests.workshop.people_helpers import member_of, moderator
from workshop.candidates import start_candidate
from workshop.training_items import TrainingItems

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "current.tar.gz"
MODERATOR, RELEASE, SAFETY = (
    "mod@council.example",
    "release@council.example",
    "safety@council.example",
)
WRITER, PEER, WAITING = "sky fox", "river otter", "quiet heron"
# Before a session exists (checked in test_people_browser.py): the sign-in and the invite link.
NOT_BROWSED = re.compile(r"^/workshop/(sign-in$|join/)")


@dataclass
class Live:
    url: str
    secrets: dict[str, str | None]
    states: dict[str, Any] = field(default_factory=dict)
    reached: set[str] = field(default_factory=set)


def _seed(url: str) -> dict[str, str | None]:
    """Three staff of the workshop; a writer, a peer reviewer and a member waiting for a
    parent's consent; an example waiting for review; a candidate with a model to try."""
    now = dt.datetime.now(dt.UTC)
    engine = make_engine(url)
    with make_session_factory(engine)() as db, db.begin():
        mod = moderator(db, MODERATOR)
        release = make_user(db, RELEASE, Role.RELEASE_MANAGER)
        safety = make_user(db, SAFETY, Role.SAFETY_LEAD)
        writer = member_of(db, WRITER, now)
        member_of(db, PEER, now, Role.PEER_REVIEWER)
        member_of(db, WAITING, now, parent=True)
        send(db, writer, now)
        candidate = start_candidate(
            db, release, "First try", "config.yml", now, items=TrainingItems()
        )
        candidate.model_path = str(MODEL)  # trained: the repository's own model stands in
        secrets = {user.email: user.totp_secret for user in (mod, release, safety)}
    engine.dispose()
    return secrets


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train`")
    folder = tmp_path_factory.mktemp(f"workshop-axe-{request.param}")
    with scratch_database(request.param, folder, prefix="workshop_axe") as url:
        migrate(url)
        secrets = _seed(url)
        with served(url, folder, workshop_dir=folder / "workshop") as base:
            yield Live(base, secrets)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize("who", [MODERATOR, RELEASE, SAFETY, WRITER, PEER])
def test_axe_finds_no_serious_or_critical_violation_on_any_page(
    browser: Browser, live: Live, who: str
) -> None:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci --no-audit --no-fund` at the repo root")
    routes = page_routes("/workshop", NOT_BROWSED)
    if who in live.secrets:  # staff sign in on the staff pages, then go to the workshop
        with signed_in(
            browser, live.url, who, live.secrets[who], live.states, bypass_csp=True
        ) as page:
            found, reached = crawl(page, live.url, "/workshop/", routes)
    else:
        # axe-core is injected as an inline script, so this context alone bypasses the CSP.
        context, page, guard = open_page(browser, 1024, 800, bypass_csp=True)
        try:
            page.goto(f"{live.url}/workshop/sign-in")
            page.get_by_label("Workshop name").fill(who)
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            assert page.url.startswith(f"{live.url}/workshop/"), page.url
            found, reached = crawl(page, live.url, "/workshop/", routes)
            guard.assert_clean()
        finally:
            context.close()
    live.reached |= reached
    assert len(found) >= 3, found
    assert found == {path: [] for path in found}, {p: v for p, v in found.items() if v}


def test_every_workshop_page_was_reached_by_someone(live: Live) -> None:
    """Runs after the crawls above (pytest keeps the order of a module's tests)."""
    if not live.reached:
        pytest.fail("the crawls did not run before this test")
    missing = sorted({r.path for r in page_routes("/workshop", NOT_BROWSED)} - live.reached)
    assert missing == [], f"no link reaches these pages: {missing}"
