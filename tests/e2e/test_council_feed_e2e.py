"""A council's own feed reaches a young person's chat: in Debian's chromium a council admin
uploads the feed, reads the report, publishes, and maps the feed's term to a need; the next
conversation in `/api/chat` (the real Rasa server, action server and API as processes, on a
directory of their own) offers the council's service for that need, and did not before."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from devkit.stack import Stack, build_curated_directory
from services_directory.db import make_engine, make_session_factory
from staff.policy import Role
from tests.staff.helpers import make_user
from tests.staff.live import chromium, signed_in

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

ADMIN = "admin@council.example"
# A young person, typed as young people type: the need, then their age and their area.
TURNS = ("i think im gay and i dont know who to talk to about it", "15", "northgate")
GROUP = "6c1d2e3f-0000-4000-8000-00000000a001"
TERM = "LGBTQ+ youth groups"


def _feed() -> dict[str, Any]:
    """A council's feed in ORUK v1, as councils publish it: the council's own term, a service
    area, a place with a postcode in the borough, an HTML description."""
    return {
        "totalElements": 1,
        "content": [
            {
                "id": GROUP,
                "name": "Northgate Rainbow Youth Group",
                "description": "<p>A weekly group for LGBTQ+ young people&nbsp;aged 13 to 19, "
                "run by youth workers.</p>",
                "status": "active",
                "url": "https://example.org/northgate-rainbow",
                "organization": {"id": "e2e-org", "name": "Eastbridge Council Youth Service"},
                "service_areas": [{"id": "e2e-sa", "service_area": "Northgate"}],
                "service_at_locations": [
                    {
                        "id": "e2e-sal",
                        "location": {
                            "id": "e2e-loc",
                            "name": "Northgate Youth Hub",
                            "physical_addresses": [
                                {
                                    "id": "e2e-addr",
                                    "address_1": "2 Hatherby Road",
                                    "city": "Eastbridge",
                                    "postal_code": "E2 7AA",
                                }
                            ],
                        },
                    }
                ],
                "service_taxonomys": [
                    {
                        "id": "e2e-st",
                        "taxonomy": {"id": "e2e-77", "name": TERM, "vocabulary": "councilTerms"},
                    }
                ],
            }
        ],
    }


@dataclass
class Live:
    stack: Stack
    secret: str | None
    feed: Path
    states: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("council-feed")
    url = build_curated_directory(folder / "directory.db")
    engine = make_engine(url)
    with make_session_factory(engine)() as db, db.begin():
        secret = make_user(db, ADMIN, Role.COUNCIL_ADMIN).totp_secret
    engine.dispose()
    feed = folder / "council-feed.json"
    feed.write_text(json.dumps(_feed()), "utf-8")
    # Plain http on loopback: the staff cookies may not be Secure here.
    stack = Stack(workdir=folder, database_url=url, extra_env={"STAFF_COOKIE_SECURE": "false"})
    try:
        stack.start()
        yield Live(stack, secret, feed)
    finally:
        stack.stop_all()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _offered(stack: Stack) -> set[str]:
    """The ids of every service card of one conversation of TURNS."""
    conversation, ids = uuid.uuid4().hex, set()
    for text in TURNS:
        reply = httpx.post(
            f"{stack.api_url}/api/chat",
            json={"conversation_id": conversation, "text": text},
            timeout=30,
        ).json()
        assert reply["crisis"] is False and reply["degraded"] is False, reply
        ids |= {
            c["id"] for m in reply["messages"] if m["type"] == "services" for c in m["services"]
        }
    assert ids, "the bot offered no service at all"
    return ids


def test_import_publish_map_and_the_bot_offers_the_councils_service(
    browser: Browser, live: Live
) -> None:
    url = live.stack.api_url
    with signed_in(browser, url, ADMIN, live.secret, live.states) as page:
        page.get_by_role("link", name="Imports").first.click()
        page.get_by_label("File").set_input_files(str(live.feed))
        page.get_by_role("button", name="Upload and check").click()
        expect(page.locator("#counts")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Ready to publish")).to_be_visible()
        page.get_by_role("button", name="Publish").first.click()
        expect(page.get_by_text(f"Published by {ADMIN}")).to_be_visible(timeout=30_000)

        # Published, but the feed's terms mean nothing to the bot yet.
        assert GROUP not in _offered(live.stack)

        page.goto(f"{url}/staff/")
        page.get_by_role("link", name="Crosswalk to young people's needs").click()
        page.get_by_role("link", name=TERM).click()
        needs = page.get_by_role("group", name="Needs this term means")
        for ticked in needs.locator("input:checked").all():
            ticked.uncheck()  # whatever the page suggested: the council means this one
        needs.locator('input[value="identity_lgbtq"]').check()
        page.get_by_role("button", name="Save and apply").click()
        expect(page.locator(".govuk-notification-banner")).to_be_visible()

    assert GROUP in _offered(live.stack)
