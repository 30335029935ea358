"""Changes with review in Debian's chromium, against the app served by uvicorn on a free port
(SQLite, and PostgreSQL when TEST_DATABASE_URL is set): an editor's change is approved and
published, a crisis line's new number waits for a second reviewer, a returned change shows why,
an editor reaches no other organisation's service by address or by form, a form without its CSRF
token is refused, and axe finds no serious or critical violation on the pages of a change."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from devkit.browser import AXE, axe_violations
from services_directory.curated import curated_id, load_curated
from services_directory.db import make_engine, make_session_factory, migrate
from services_directory.drafts import ServiceDraft
from services_directory.models import Organization
from staff.policy import Role
from tests.services_directory.dbtest import BACKENDS
from tests.staff.helpers import make_user
from tests.staff.live import chromium, scratch_database, served, signed_in

pytestmark = pytest.mark.browser

TRUST = "Eastbridge Youth Wellbeing Trust (example)"
OWN, OTHER, CRISIS = "eastbridge-youth-counselling", "eastbridge-bereavement-group", "childline"
OUTSIDE = "kooth"  # a service of another organisation
EDITOR, ADMIN = "editor@trust.example", "admin@council.example"
REVIEWERS = ("reviewer@council.example", "second@council.example")


@dataclass
class Live:
    url: str
    database_url: str
    secrets: dict[str, str | None]  # e-mail address: TOTP secret (None: no two-factor)
    states: dict[str, Any] = field(default_factory=dict)  # cookies of each account signed in


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    """The app under uvicorn with the curated directory, an editor of the trust, two reviewers
    and a council admin (two-factor on for all but the editor)."""
    folder = tmp_path_factory.mktemp(f"staff-changes-{request.param}")
    with scratch_database(request.param, folder) as url:
        migrate(url)
        engine = make_engine(url)
        with make_session_factory(engine)() as db, db.begin():
            load_curated(db)
            trust = db.scalars(select(Organization).where(Organization.name == TRUST)).one()
            users = [make_user(db, EDITOR, Role.ORGANISATION_EDITOR, trust)]
            users += [make_user(db, email, Role.REVIEWER) for email in REVIEWERS]
            users.append(make_user(db, ADMIN, Role.COUNCIL_ADMIN))
            secrets = {user.email: user.totp_secret for user in users}
        engine.dispose()
        with served(url, folder) as base:
            yield Live(base, url, secrets)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@contextmanager
def _signed_in(browser: Browser, live: Live, email: str, **options: Any) -> Iterator[Page]:
    """A page signed in as `email` (live.py's `signed_in`, with this module's accounts)."""
    with signed_in(browser, live.url, email, live.secrets[email], live.states, **options) as page:
        yield page


def _open_review(page: Page, live: Live, draft_url: str) -> None:
    """From the navigation to the review queue, then the change."""
    page.goto(f"{live.url}/staff/")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Review").click()
    page.locator(f'#queue a[href="{draft_url.removeprefix(live.url)}"]').click()
    assert page.url == draft_url


def _service(page: Page, live: Live, slug: str) -> dict[str, Any]:
    """The service as the Open Referral API publishes it."""
    response = page.request.get(f"{live.url}/openreferral/services/{curated_id(slug)}")
    assert response.ok, response.status
    return response.json()


def test_an_editors_change_is_approved_and_reaches_open_referral_and_the_preview(
    browser: Browser, live: Live
) -> None:
    with (
        _signed_in(browser, live, EDITOR) as page,
        _signed_in(browser, live, REVIEWERS[0]) as review,
    ):
        old = _service(page, live, OWN)["name"]
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Services").click()
        page.get_by_role("link", name=old).click()
        page.get_by_role("button", name="Change this service").click()
        page.get_by_label("Name", exact=True).fill("Eastbridge Youth Talking Space (example)")
        page.get_by_label("Typical wait").fill("About two weeks")
        page.get_by_label("Why are you making this change?").fill("The service was renamed")
        page.get_by_role("button", name="Send for review").click()
        assert page.url.endswith("?sent=1")
        expect(page.locator("#sent-title")).to_have_text("Sent")
        expect(page.locator("#draft-status")).to_have_text("Waiting for review")
        changes = page.locator("#changes")
        expect(changes).to_contain_text("Eastbridge Youth Talking Space (example)")
        expect(changes).to_contain_text("About two weeks")
        expect(page.get_by_role("button", name="Approve")).to_have_count(0)  # not its author's
        assert _service(page, live, OWN)["name"] == old  # nothing published yet

        _open_review(review, live, page.url.removesuffix("?sent=1"))
        review.get_by_role("button", name="Approve").click()
        expect(review.locator("#draft-status")).to_have_text("Published")
        assert _service(page, live, OWN)["name"] == "Eastbridge Youth Talking Space (example)"
        page.goto(f"{live.url}/staff/services/{curated_id(OWN)}")
        card = page.get_by_role("list", name="Bot preview: Eastbridge Youth Talking Space")
        title = card.locator(".card-title > span").first
        expect(title).to_have_text("Eastbridge Youth Talking Space (example)")
        expect(page.locator("main")).to_contain_text("About two weeks")


def test_a_crisis_number_change_waits_for_a_second_reviewer(browser: Browser, live: Live) -> None:
    with _signed_in(browser, live, ADMIN) as page:
        page.goto(f"{live.url}/staff/services/{curated_id(CRISIS)}")
        page.get_by_role("button", name="Change this service").click()
        modes = page.locator('select[name^="contact_modes-"]')
        row = next(i for i in range(modes.count()) if modes.nth(i).input_value() == "call")
        expect(modes.nth(row).locator("option:checked")).to_have_text("Phone")
        page.locator(f"#contact_modes-{row}-value").fill("0800 999 1111")
        page.get_by_label("Why are you making this change?").fill("New number from the NSPCC")
        page.get_by_role("button", name="Send for review").click()
        expect(page.locator("#approvals")).to_contain_text("0 of 2")
        expect(page.locator("#approvals")).to_contain_text("two different reviewers")
        draft_url = page.url.removesuffix("?sent=1")

    for number, email in enumerate(REVIEWERS, start=1):
        with _signed_in(browser, live, email) as review:
            _open_review(review, live, draft_url)
            review.get_by_role("button", name="Approve").click()
            expect(review.locator("#approvals")).to_contain_text(f"{number} of 2")
            phones = [p["number"] for p in _service(review, live, CRISIS)["phones"]]
            if number == 1:
                expect(review.locator("#draft-status")).to_have_text("Waiting for review")
                expect(review.get_by_role("button", name="Approve")).to_have_count(0)
                assert "0800 999 1111" not in phones and "0800 1111" in phones, phones
            else:
                expect(review.locator("#draft-status")).to_have_text("Published")
                assert "0800 999 1111" in phones, phones


def test_a_returned_change_shows_the_editor_why(browser: Browser, live: Live) -> None:
    with (
        _signed_in(browser, live, EDITOR) as page,
        _signed_in(browser, live, REVIEWERS[1]) as review,
    ):
        page.goto(f"{live.url}/staff/services/{curated_id(OWN)}")
        page.get_by_role("button", name="Change this service").click()
        page.get_by_label("Typical wait").fill("Ages")
        page.get_by_label("Why are you making this change?").fill("Busier than before")
        page.get_by_role("button", name="Send for review").click()
        draft_url = page.url.removesuffix("?sent=1")

        _open_review(review, live, draft_url)
        review.get_by_role("button", name="Return to the author").click()
        expect(review.locator(".govuk-error-summary")).to_contain_text("Say what needs to change")
        review.get_by_label("What needs to change?").fill("Give a number of weeks")
        review.get_by_role("button", name="Return to the author").click()
        expect(review.locator("#draft-status")).to_have_text("Returned")

        page.goto(draft_url)
        expect(page.locator("#draft-status")).to_have_text("Returned")
        expect(page.locator("#return-reason")).to_have_text("Give a number of weeks")


def _drafts_of(live: Live, slug: str) -> int:
    """How many drafts the database holds for the service."""
    engine = make_engine(live.database_url)
    try:
        with make_session_factory(engine)() as db:
            return len(
                db.scalars(
                    select(ServiceDraft).where(ServiceDraft.service_id == curated_id(slug))
                ).all()
            )
    finally:
        engine.dispose()


def test_an_editor_cannot_reach_another_organisations_service_by_url_or_form(
    browser: Browser, live: Live
) -> None:
    theirs = curated_id(OUTSIDE)
    with _signed_in(browser, live, EDITOR) as page:
        for path in (
            f"/staff/services/{theirs}",
            f"/staff/services/{theirs}/edit",
            f"/staff/services/{theirs}/history",
        ):
            response = page.goto(f"{live.url}{path}")
            assert response is not None and response.status == 404, path
            expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        # The editor's own form, pointed by hand at the other organisation's service.
        page.goto(f"{live.url}/staff/services/{curated_id(OWN)}/edit")
        send = page.get_by_role("button", name="Send for review")
        page.locator("form", has=send).evaluate(
            "(form, action) => { form.action = action }", f"/staff/services/{theirs}/edit"
        )
        page.get_by_label("Why are you making this change?").fill("Not mine to change")
        page.get_by_label("Name", exact=True).fill("Taken over")
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            send.click()
        assert posted.value.status == 404
        assert posted.value.url.endswith(f"/staff/services/{theirs}/edit")
    assert _drafts_of(live, OUTSIDE) == 0


def test_a_form_sent_without_its_csrf_token_is_refused(browser: Browser, live: Live) -> None:
    before = _drafts_of(live, OTHER)
    with _signed_in(browser, live, EDITOR) as page:
        page.goto(f"{live.url}/staff/services/{curated_id(OTHER)}/edit")
        page.locator('input[name="csrf_token"]').evaluate_all(
            "inputs => inputs.forEach(i => i.remove())"
        )
        page.get_by_label("Why are you making this change?").fill("No token")
        page.get_by_label("Name", exact=True).fill("Sent without a token")
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.get_by_role("button", name="Send for review").click()
        assert posted.value.status == 403
    assert _drafts_of(live, OTHER) == before


def test_axe_finds_no_serious_or_critical_violations(browser: Browser, live: Live) -> None:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci --no-audit --no-fund` at the repo root")
    found: dict[str, list[str]] = {}

    def check(page: Page, name: str) -> None:
        serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
        found[name] = [f"{v['id']}: {v['help']}" for v in serious]

    sid = curated_id(OTHER)
    # axe-core is injected as an inline script, so these contexts alone bypass the CSP.
    with (
        _signed_in(browser, live, EDITOR, bypass_csp=True) as page,
        _signed_in(browser, live, REVIEWERS[0], bypass_csp=True) as review,
    ):
        page.goto(f"{live.url}/staff/services/{sid}/edit")
        check(page, "edit")
        name_field = page.get_by_label("Name", exact=True)
        old = name_field.input_value()
        name_field.fill("")
        phone_id = page.locator('input[name$="-value"][value="020 7946 0221"]').get_attribute("id")
        phone = page.locator(f"#{phone_id}")
        phone.fill("call me maybe")
        page.get_by_role("button", name="Send for review").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text("Enter the service's name")
        to_phone = summary.get_by_role("link", name="A phone or text number has only digits")
        expect(to_phone).to_have_attribute("href", f"#{phone_id}")  # not a dict at the heading
        check(page, "edit with errors")
        name_field.fill(f"{old} renamed")
        phone.fill("020 7946 0221")
        page.get_by_label("Why are you making this change?").fill("A clearer name")
        page.get_by_role("button", name="Send for review").click()
        expect(page.locator("#sent-title")).to_have_text("Sent")
        check(page, "draft (its author)")

        _open_review(review, live, page.url.removesuffix("?sent=1"))
        check(review, "draft (a reviewer)")
        review.goto(f"{live.url}/staff/review")
        check(review, "review queue")
        _open_review(review, live, page.url.removesuffix("?sent=1"))
        review.get_by_role("button", name="Approve").click()
        expect(review.locator("#draft-status")).to_have_text("Published")
        check(review, "draft (published)")

        page.goto(f"{live.url}/staff/services/{sid}/history")
        page.get_by_label("From version").select_option("1")
        page.get_by_label("To version").select_option("2")
        page.get_by_role("button", name="Compare").click()
        expect(page.locator("#changes")).to_contain_text(f"{old} renamed")
        check(page, "history compared")
        page.get_by_role("link", name="Restore version 1").click()
        check(page, "restore")
        page.get_by_role("button", name="Send for review").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("Say why you are restoring")
        check(page, "restore with errors")

        page.goto(f"{live.url}/staff/organisations")
        page.get_by_role("link", name=TRUST).click()
        page.get_by_role("button", name="Add a service").click()
        expect(page.get_by_role("heading", name="Add a service")).to_be_visible()
        check(page, "add a service")
        page.get_by_role("button", name="Send for review").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the service's name")
        check(page, "add a service with errors")
        assert found == {name: [] for name in found}, found
