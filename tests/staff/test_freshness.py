"""Freshness in the staff pages: "Checked, still correct" (dates, change log, audit), the
dashboard of due and overdue services scoped to each person's organisation, CSRF, and
withholding a long-overdue service from the chat (and releasing it) by a council admin."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffAuditEvent, StaffUser
from services_directory.freshness import ServiceReview
from services_directory.models import MetadataEntry, Service, ServiceProfile
from services_directory.search import change_key, search
from staff.freshness import CHANGE_LOG_BY
from staff.policy import Role
from tests.staff.freshness_world import NEED, TODAY, World, build_world, on_today
from tests.staff.helpers import HTML, FakeClock, csrf_of, make_user, post_form, sign_in


@pytest.fixture
def world(db: Session, clock: FakeClock) -> World:
    on_today(clock)
    return build_world(db)


def _person(db: Session, world: World, role: Role) -> StaffUser:
    organisation = world.riverside if role.value.startswith("organisation") else None
    return make_user(db, f"{role.value}@example.org", role, organisation)


def _audit(db: Session, action: str, record_id: str) -> list[StaffAuditEvent]:
    return list(
        db.scalars(
            select(StaffAuditEvent).where(
                StaffAuditEvent.action == action, StaffAuditEvent.record_id == record_id
            )
        )
    )


def _dashboard_names(html: str) -> list[str]:
    found = re.findall(r'<a class="govuk-link" href="/staff/services/[^"/]+">([^<]+)</a>', html)
    return [unescape(name) for name in found]


def test_checked_still_correct_sets_the_dates_logs_the_change_and_audits(
    client: TestClient, db: Session, world: World, clock: FakeClock
) -> None:
    manager = _person(db, world, Role.ORGANISATION_MANAGER)
    sign_in(client, manager, clock)
    sid = world.id("Long overdue")
    key_before = change_key(db)
    page = client.get(f"/staff/services/{sid}", headers=HTML)
    assert "Checked, still correct" in page.text and "Overdue" in page.text
    response = post_form(client, f"/staff/services/{sid}/checked", {}, f"/staff/services/{sid}")
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/services/{sid}?notice=checked#freshness"

    db.expire_all()
    service, profile = db.get(Service, sid), db.get(ServiceProfile, sid)
    assert service is not None and profile is not None
    assert service.assured_date == TODAY and profile.last_verified == TODAY
    assert service.assurer_email == manager.email
    (entry,) = _audit(db, "service.checked", sid)
    assert entry.actor_id == manager.id and TODAY.isoformat() in entry.detail
    changes = {
        (m.resource_type, m.field_name): m
        for m in db.scalars(select(MetadataEntry).where(MetadataEntry.resource_id == sid))
    }
    assert set(changes) == {
        ("service", "assured_date"),
        ("service", "assurer_email"),
        ("x_service_profile", "last_verified"),
    }
    assert changes["service", "assured_date"].replacement_value == TODAY.isoformat()
    assert changes["service", "assured_date"].last_action_date == TODAY
    for change in changes.values():
        assert change.updated_by == CHANGE_LOG_BY and manager.email not in change.updated_by
    assert change_key(db) != key_before  # the chat's search index is rebuilt
    after = client.get(response.headers["location"], headers=HTML).text
    assert "Marked as checked today" in after and "15 March 2027" in after


def test_checked_from_the_dashboard_returns_to_it(
    client: TestClient, db: Session, world: World, clock: FakeClock
) -> None:
    sign_in(client, _person(db, world, Role.REVIEWER), clock)
    sid = world.id("Northgate overdue")
    response = post_form(
        client, f"/staff/services/{sid}/checked?back=freshness", {}, "/staff/freshness"
    )
    assert response.headers["location"] == f"/staff/freshness?checked={sid}"
    page = client.get(response.headers["location"], headers=HTML).text
    assert "Northgate overdue is marked as checked today" in page
    assert "Northgate overdue" not in _dashboard_names(page)


def test_a_post_without_its_csrf_token_is_refused(
    client: TestClient, db: Session, world: World, clock: FakeClock
) -> None:
    sign_in(client, _person(db, world, Role.COUNCIL_ADMIN), clock)
    sid = world.id("Long overdue")
    for path, data in (
        (f"/staff/services/{sid}/checked", {}),
        (f"/staff/services/{sid}/withhold", {"reason": "No answer"}),
        (f"/staff/services/{sid}/checked", {"csrf_token": "2030##forged"}),
    ):
        assert client.post(path, data=data, headers=HTML).status_code == 403
    db.expire_all()
    assert db.get(Service, sid).assured_date != TODAY  # type: ignore[union-attr]
    assert db.get(ServiceReview, sid) is None
    assert _audit(db, "service.checked", sid) == []


def test_another_organisations_service_cannot_be_marked_nor_seen(
    client: TestClient, db: Session, world: World, clock: FakeClock
) -> None:
    sign_in(client, _person(db, world, Role.ORGANISATION_MANAGER), clock)
    page = client.get("/staff/freshness", headers=HTML)
    token = csrf_of(page.text)
    names = _dashboard_names(page.text)
    assert "Long overdue" in names and "Northgate overdue" not in names
    sid = world.id("Northgate overdue")
    response = client.post(
        f"/staff/services/{sid}/checked", data={"csrf_token": token}, headers=HTML
    )
    assert response.status_code == 404
    db.expire_all()
    assert db.get(Service, sid).assured_date != TODAY  # type: ignore[union-attr]
    # Nor can they reach the flag or the withholding page of any service.
    assert client.get("/staff/freshness?show=flagged", headers=HTML).status_code == 200
    assert client.get(f"/staff/services/{sid}/withhold", headers=HTML).status_code == 403


@pytest.mark.parametrize("role", [Role.ORGANISATION_EDITOR, Role.READ_ONLY])
def test_roles_that_may_not_mark_checked_see_no_button_and_are_refused(
    client: TestClient, db: Session, world: World, clock: FakeClock, role: Role
) -> None:
    sign_in(client, _person(db, world, role), clock)
    sid = world.id("Long overdue")
    page = client.get(f"/staff/services/{sid}", headers=HTML)
    assert "Checked, still correct" not in page.text
    dashboard = client.get("/staff/freshness", headers=HTML).text
    assert "Long overdue" in dashboard and "Checked, still correct" not in dashboard
    response = client.post(
        f"/staff/services/{sid}/checked", data={"csrf_token": csrf_of(page.text)}, headers=HTML
    )
    assert response.status_code == 403


def test_the_dashboard_lists_due_and_overdue_soonest_first_with_next_review(
    client: TestClient, db: Session, world: World, clock: FakeClock
) -> None:
    sign_in(client, _person(db, world, Role.READ_ONLY), clock)
    page = client.get("/staff/freshness", headers=HTML).text
    assert _dashboard_names(page) == [
        "Never checked",
        "Long overdue",
        "Northgate overdue",
        "Crisis line",  # checked 3 February, monthly: due 3 March
        "Just overdue",
        "Due soon",
    ]
    row = page[page.index(f'id="review-{world.id("Crisis line")}"') :]
    row = row[: row.index("</tr>")]
    assert "3 February 2027" in row and "3 March 2027" in row and ">Overdue<" in row
    due = page[page.index(f'id="review-{world.id("Due soon")}"') :]
    assert "4 April 2027" in due[: due.index("</tr>")] and "Due soon" in due
    assert "5 overdue, 1 due in the next 30 days" in page
    overdue_only = client.get("/staff/freshness?show=overdue", headers=HTML).text
    assert "Due soon" not in _dashboard_names(overdue_only)
    # Only council admins see what is past the limit, and may withhold it.
    assert "overdue by more than 30 days" not in page
    assert "Withhold from the chat" not in page


def test_the_nav_links_the_dashboard(
    client: TestClient, db: Session, world: World, clock: FakeClock
) -> None:
    sign_in(client, _person(db, world, Role.ORGANISATION_EDITOR), clock)
    assert 'href="/staff/freshness"' in client.get("/staff/", headers=HTML).text


def test_an_admin_withholds_a_long_overdue_service_from_the_chat_and_releases_it(
    client: TestClient, db: Session, world: World, clock: FakeClock
) -> None:
    admin = _person(db, world, Role.COUNCIL_ADMIN)
    sign_in(client, admin, clock)
    sid = world.id("Long overdue")
    assert sid in [r.id for r in search(db, need=NEED, limit=10, now=clock.now)]
    dashboard = client.get("/staff/freshness", headers=HTML).text
    assert "3 services are overdue by more than 30 days" in dashboard
    assert f'href="/staff/services/{sid}/withhold"' in dashboard
    flagged = _dashboard_names(client.get("/staff/freshness?show=flagged", headers=HTML).text)
    assert flagged == ["Never checked", "Long overdue", "Northgate overdue"]

    path = f"/staff/services/{sid}/withhold"
    empty = post_form(client, path, {"reason": "  "})
    assert empty.status_code == 422 and "Enter why the service is withheld" in empty.text
    response = post_form(client, path, {"reason": "No answer on the phone since January"})
    assert response.status_code == 303
    db.expire_all()
    review = db.get(ServiceReview, sid)
    assert review is not None and review.withheld_from_bot and review.withheld_by == admin.email
    assert review.withheld_reason == "No answer on the phone since January"
    assert _audit(db, "service.withheld", sid)[0].detail == review.withheld_reason
    found = [r.id for r in search(db, need=NEED, limit=10, now=clock.now)]
    assert sid not in found and world.id("Just overdue") in found
    page = client.get(f"/staff/services/{sid}", headers=HTML).text
    assert "Withheld from the chat" in page and "No answer on the phone since January" in page
    assert "There is no card" not in page  # the staff preview still shows its card

    released = post_form(client, f"/staff/services/{sid}/release", {}, f"/staff/services/{sid}")
    assert released.status_code == 303
    db.expire_all()
    assert not db.get(ServiceReview, sid).withheld_from_bot  # type: ignore[union-attr]
    assert _audit(db, "service.released", sid)
    assert sid in [r.id for r in search(db, need=NEED, limit=10, now=clock.now)]


def test_a_crisis_line_is_never_withheld_from_the_chat(
    app_factory: Any, db: Session, world: World, clock: FakeClock
) -> None:
    # The crisis line was checked 40 days ago (monthly reviews): overdue by about 10 days.
    lenient = app_factory(staff_overdue_withhold_days=1)
    sign_in(lenient, make_user(db, "crisis.admin@example.org", Role.COUNCIL_ADMIN), clock)
    sid = world.id("Crisis line")
    response = post_form(lenient, f"/staff/services/{sid}/withhold", {"reason": "Stale"})
    assert response.status_code == 422
    assert "A crisis line is never withheld from the chat" in response.text
    assert db.get(ServiceReview, sid) is None
    assert sid in [r.id for r in search(db, need=NEED, limit=10, now=clock.now)]


def test_only_a_service_past_the_limit_can_be_withheld_and_only_by_an_admin(
    app_factory: Any, db: Session, world: World, clock: FakeClock
) -> None:
    sid = world.id("Just overdue")  # 10 days overdue
    strict = app_factory(staff_overdue_withhold_days=30)
    sign_in(strict, make_user(db, "strict.admin@example.org", Role.COUNCIL_ADMIN), clock)
    assert "Just overdue" not in _dashboard_names(
        strict.get("/staff/freshness?show=flagged", headers=HTML).text
    )
    response = post_form(strict, f"/staff/services/{sid}/withhold", {"reason": "Stale"})
    assert response.status_code == 422
    assert "overdue for its review by more than 30 days" in response.text
    assert db.get(ServiceReview, sid) is None

    lenient = app_factory(staff_overdue_withhold_days=5)
    sign_in(lenient, make_user(db, "lenient.admin@example.org", Role.COUNCIL_ADMIN), clock)
    assert "Just overdue" in _dashboard_names(
        lenient.get("/staff/freshness?show=flagged", headers=HTML).text
    )
    response = post_form(lenient, f"/staff/services/{sid}/withhold", {"reason": "Stale"})
    assert response.status_code == 303

    reviewer = app_factory(staff_overdue_withhold_days=5)
    sign_in(reviewer, _person(db, world, Role.REVIEWER), clock)
    assert reviewer.get(f"/staff/services/{sid}/withhold", headers=HTML).status_code == 403
    page = reviewer.get(f"/staff/services/{sid}", headers=HTML).text
    assert "Offer it in the chat again" not in page and "Withhold it from the chat" not in page


def test_the_bot_preview_says_when_the_service_was_last_checked(
    client: TestClient, db: Session, world: World, clock: FakeClock
) -> None:
    sign_in(client, _person(db, world, Role.ORGANISATION_EDITOR), clock)
    page = client.get(f"/staff/services/{world.id('Crisis line')}", headers=HTML).text
    preview = page[page.index('<div class="chat-preview">') : page.index("About the service")]
    assert '<p class="small checked">Checked February 2027</p>' in preview
    never = client.get(f"/staff/services/{world.id('Never checked')}", headers=HTML).text
    assert "small checked" not in never
