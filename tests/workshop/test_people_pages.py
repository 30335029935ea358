"""The workshop's people pages through the app, on a real database: anonymous requests go to
the workshop's sign-in (401 for JSON), young people sign in with their workshop name and never
reach a staff page, staff sign in at their own door, moderators invite, record consent,
deactivate and withdraw consent on someone's behalf, and a writer withdraws their own."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.main import create_app
from staff.policy import Role
from tests.staff import conftest as staff_fixtures
from tests.staff.helpers import HTML, PASSWORD, FakeClock, csrf_of, make_user, post_form, sign_in
from tests.workshop.people_helpers import (
    actions,
    invite_link,
    last_audit_id,
    member_of,
    moderator,
    workshop_sign_in,
)
from workshop.people import ConsentState, consent_of
from workshop.people_models import WorkshopInvitation

# The staff tests' fixtures: the app in-process on a database per backend whose writes are
# rolled back, and a clock the test moves.
engine, db_pair, db, clock, app_factory, client = (
    staff_fixtures.engine,
    staff_fixtures.db_pair,
    staff_fixtures.db,
    staff_fixtures.clock,
    staff_fixtures.app_factory,
    staff_fixtures.client,
)
CRISIS = ("0800 1111", "85258", "116 123", "999")
WORKSHOP_PAGES = [
    "/workshop/",
    "/workshop/account",
    "/workshop/members",
    "/workshop/members/invite",
]
JSON = {"Accept": "application/json"}


@pytest.mark.parametrize("path", WORKSHOP_PAGES)
def test_an_anonymous_browser_is_sent_to_the_workshop_sign_in(
    client: TestClient, path: str
) -> None:
    response = client.get(path, headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"] == f"/workshop/sign-in?next={path}"


@pytest.mark.parametrize("path", WORKSHOP_PAGES)
def test_an_anonymous_json_client_gets_401(client: TestClient, path: str) -> None:
    response = client.get(path, headers=JSON)
    assert response.status_code == 401
    assert response.json()["detail"][0]["type"] == "not_signed_in"


def test_a_young_person_signs_in_with_their_workshop_name(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    member_of(db, "BlueFox", clock())
    response = client.get("/workshop/members", headers=HTML)
    assert response.headers["location"] == "/workshop/sign-in?next=/workshop/members"
    page = client.get("/workshop/sign-in", headers=HTML)
    form = {"csrf_token": csrf_of(page.text), "name": "bluefox", "password": PASSWORD}
    response = client.post(
        "/workshop/sign-in", data={**form, "next": "/workshop/account"}, headers=HTML
    )
    assert response.status_code == 303 and response.headers["location"] == "/workshop/account"
    home = client.get("/workshop/", headers=HTML)
    assert home.status_code == 200
    assert "Write in your own words" in home.text and "Staff read everything" in home.text
    assert "not a place to ask for help" in home.text
    assert all(number in home.text for number in CRISIS)
    assert 'href="/staff/"' not in home.text  # no way into the staff pages is offered


def test_a_wrong_password_is_refused_and_counted(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    member_of(db, "BlueFox", clock())
    page = client.get("/workshop/sign-in", headers=HTML)
    form = {"csrf_token": csrf_of(page.text), "name": "BlueFox", "password": "wrong one here"}
    for _ in range(5):
        response = client.post("/workshop/sign-in", data=form, headers=HTML)
        assert response.status_code == 422
        assert "Enter a correct workshop name and password" in response.text
    form["password"] = PASSWORD
    assert client.post("/workshop/sign-in", data=form, headers=HTML).status_code == 429


def test_staff_sign_in_refuses_a_workshop_name(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    member_of(db, "BlueFox", clock())
    page = client.get("/staff/sign-in", headers=HTML)
    data = {"csrf_token": csrf_of(page.text), "email": "bluefox", "password": PASSWORD}
    response = client.post("/staff/sign-in", data=data, headers=HTML)
    assert response.status_code == 422
    assert "Enter a correct email address and password" in response.text


def test_the_workshop_sign_in_refuses_a_staff_account(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    lead = make_user(db, "lead@council.example", Role.SAFETY_LEAD)  # two-factor: never skipped
    page = client.get("/workshop/sign-in", headers=HTML)
    data = {"csrf_token": csrf_of(page.text), "name": lead.email, "password": PASSWORD}
    response = client.post("/workshop/sign-in", data=data, headers=HTML)
    assert response.status_code == 422 and "set-cookie" not in response.headers


def test_staff_reach_the_workshop_through_their_own_sign_in(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    lead = make_user(db, "lead@council.example", Role.SAFETY_LEAD)
    sign_in(client, lead, clock)  # password, then the code
    home = client.get("/workshop/", headers=HTML)
    assert home.status_code == 200 and 'href="/staff/"' in home.text
    assert client.get("/workshop/members", headers=HTML).status_code == 200  # moderates too
    staff_home = client.get("/staff/", headers=HTML)
    assert staff_home.status_code == 200 and 'href="/workshop/"' in staff_home.text


def test_a_moderator_signed_out_comes_back_to_the_workshop_page(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    mod = moderator(db)
    response = client.get("/workshop/members/invite", headers=HTML)
    sign_in_page = client.get(response.headers["location"], headers=HTML)
    assert "/staff/sign-in?next=/workshop/members/invite" in sign_in_page.text
    page = client.get("/staff/sign-in?next=/workshop/members/invite", headers=HTML)
    data = {
        "csrf_token": csrf_of(page.text),
        "email": mod.email,
        "password": PASSWORD,
        "next": "/workshop/members/invite",
    }
    response = client.post("/staff/sign-in", data=data, headers=HTML)
    assert response.headers["location"] == "/workshop/members/invite"


def _staff_routes() -> list[APIRoute]:
    def walk(routes: list[Any]) -> Any:
        for route in routes:
            inner = getattr(route, "original_router", None)
            yield from walk(inner.routes) if inner is not None else (route,)

    return [
        route
        for route in walk(create_app().routes)
        if isinstance(route, APIRoute)
        and route.path.startswith("/staff")
        and not route.path.startswith("/staff/assets")
    ]


def test_a_young_person_reaches_no_staff_page_at_all(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    member_of(db, "BlueFox", clock(), Role.PEER_REVIEWER)
    workshop_sign_in(client, "BlueFox")
    routes = _staff_routes()
    assert len(routes) > 40
    for route in routes:
        path = re.sub(r"\{[^}]+\}", "x", route.path)
        for method in sorted(route.methods):
            response = client.request(method, path, headers=HTML, data={})
            refused = response.status_code == 403 or (
                response.status_code == 303 and response.headers["location"] == "/workshop/"
            )
            assert refused, (method, route.path, response.status_code)
            json = client.request(method, path, headers=JSON, data={})
            assert json.status_code == 403, (method, route.path, json.status_code)
    assert client.get("/workshop/", headers=HTML).status_code == 200  # still signed in


def test_a_writer_cannot_use_the_moderators_pages(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    member_of(db, "BlueFox", clock())
    workshop_sign_in(client, "BlueFox")
    response = client.get("/workshop/members", headers=HTML)
    assert response.status_code == 403 and "You cannot do this" in response.text
    assert all(number in response.text for number in CRISIS)
    assert client.get("/workshop/members", headers=JSON).status_code == 403


def test_a_moderator_invites_and_the_young_person_joins_with_consent(
    app_factory: Any, db: Session, clock: FakeClock
) -> None:
    staff, young = app_factory(workshop_parent_consent="required"), app_factory()
    mod = moderator(db)
    sign_in(staff, mod, clock)
    response = post_form(
        staff, "/workshop/members/invite", {"role": "peer_reviewer", "note": "Tuesday group"}
    )
    assert response.status_code == 200, response.text[:500]
    link = re.search(r'id="invite-link">[^<]*(/workshop/join/[\w-]+)<', response.text)
    assert link, response.text
    page = young.get(link.group(1), headers=HTML)
    assert page.status_code == 200
    assert "withdraw your consent" in page.text and "parent or carer" in page.text
    data = {"name": "Jane Smith", "password": PASSWORD, "confirm": PASSWORD, "consent": "y"}
    refused = young.post(
        link.group(1), data={"csrf_token": csrf_of(page.text), **data}, headers=HTML
    )
    assert refused.status_code == 422 and "real first and last name" in refused.text
    data |= {"name": "NightOwl"}
    del data["consent"]
    refused = young.post(
        link.group(1), data={"csrf_token": csrf_of(page.text), **data}, headers=HTML
    )
    assert refused.status_code == 422 and "Tick the box" in refused.text
    data |= {"consent": "y"}
    joined = young.post(
        link.group(1), data={"csrf_token": csrf_of(page.text), **data}, headers=HTML
    )
    assert joined.status_code == 303 and joined.headers["location"] == "/workshop/?welcome=1"
    home = young.get("/workshop/?welcome=1", headers=HTML)
    assert "Welcome to the workshop, NightOwl" in home.text
    assert "parent or carer agrees" in home.text and "Write in your own words" not in home.text
    # The link worked once.
    assert young.get(link.group(1), headers=HTML).status_code == 404
    members = staff.get("/workshop/members", headers=HTML).text
    assert "NightOwl" in members and "Waiting for a parent" in members
    member_id = re.search(r'href="/workshop/members/([0-9a-f-]{36})"', members).group(1)
    before = last_audit_id(db)
    path = f"/workshop/members/{member_id}/parent-consent"
    assert post_form(staff, path, {"how": ""}).status_code == 422
    done = post_form(staff, path, {"how": "Signed paper form, kept at the youth centre"})
    assert done.headers["location"] == "/workshop/members?done=consent"
    assert "Write in your own words" in young.get("/workshop/", headers=HTML).text
    assert actions(db, before) == ["workshop.consent_recorded"]


def test_a_moderator_withdraws_consent_with_a_reason_and_deactivates(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    mod = moderator(db)
    user = member_of(db, "NightOwl", clock(), inviter=mod)
    sign_in(client, mod, clock)
    before = last_audit_id(db)
    path = f"/workshop/members/{user.id}/withdraw"
    refused = post_form(client, path, {"reason": ""})
    assert refused.status_code == 422 and "Say why" in refused.text
    done = post_form(client, path, {"reason": "Asked by their carer"})
    assert done.headers["location"] == "/workshop/members?done=withdrawn"
    assert consent_of(db, user.id).state == ConsentState.WITHDRAWN
    page = client.get(f"/workshop/members/{user.id}", headers=HTML).text
    assert "Asked by their carer" in page and "Consent withdrawn" in page
    done = post_form(client, f"/workshop/members/{user.id}/deactivate", {})
    assert done.headers["location"] == "/workshop/members?done=deactivated"
    db.refresh(user)
    assert not user.active
    assert actions(db, before) == ["workshop.consent_withdrawn", "workshop.member_deactivated"]
    # Only young people's accounts are members: a staff account's id is not found.
    assert client.get(f"/workshop/members/{mod.id}", headers=HTML).status_code == 404


def test_a_writer_withdraws_their_own_consent(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    user = member_of(db, "NightOwl", clock())
    workshop_sign_in(client, "NightOwl")
    page = client.get("/workshop/account/withdraw", headers=HTML)
    assert page.status_code == 200
    assert "nothing you wrote goes into the next version" in page.text
    assert "notes will say" in page.text
    done = post_form(client, "/workshop/account/withdraw", {})
    assert done.headers["location"] == "/workshop/account?withdrawn=1"
    assert consent_of(db, user.id).state == ConsentState.WITHDRAWN
    account = client.get("/workshop/account?withdrawn=1", headers=HTML).text
    assert "You have withdrawn your consent" in account
    assert client.get("/workshop/account/withdraw", headers=HTML).status_code == 303


def test_signing_out_of_the_workshop(client: TestClient, db: Session, clock: FakeClock) -> None:
    member_of(db, "NightOwl", clock())
    workshop_sign_in(client, "NightOwl")
    home = client.get("/workshop/", headers=HTML)
    response = client.post(
        "/workshop/sign-out", data={"csrf_token": csrf_of(home.text)}, headers=HTML
    )
    assert response.headers["location"] == "/workshop/sign-in?notice=signed-out"
    assert client.get("/workshop/", headers=HTML).status_code == 303


# Each POST route of the people pages, with how to reach the point where only its CSRF token is
# missing.
def _as_moderator(path: str) -> Any:
    def scene(client: TestClient, db: Session, clock: FakeClock) -> tuple[str, dict[str, str]]:
        mod = moderator(db)
        user = member_of(db, "NightOwl", clock(), parent=True, inviter=mod)
        invite_link(db, mod, clock())
        invitation_id = db.scalars(
            select(WorkshopInvitation.invitation_id).where(WorkshopInvitation.member_id.is_(None))
        ).one()
        sign_in(client, mod, clock)
        data = {"role": "youth_writer", "note": "", "how": "form", "reason": "asked"}
        return path.format(member_id=user.id, invitation_id=invitation_id), data

    return scene


def _as_writer(client: TestClient, db: Session, clock: FakeClock) -> tuple[str, dict[str, str]]:
    member_of(db, "NightOwl", clock())
    workshop_sign_in(client, "NightOwl")
    return "/workshop/account/withdraw", {}


def _signing_in(client: TestClient, db: Session, clock: FakeClock) -> tuple[str, dict[str, str]]:
    member_of(db, "NightOwl", clock())
    client.get("/workshop/sign-in", headers=HTML)
    return "/workshop/sign-in", {"name": "NightOwl", "password": PASSWORD}


def _joining(client: TestClient, db: Session, clock: FakeClock) -> tuple[str, dict[str, str]]:
    path = invite_link(db, moderator(db), clock())
    client.get(path, headers=HTML)
    data = {"name": "NightOwl", "password": PASSWORD, "confirm": PASSWORD, "consent": "y"}
    return path, data


def _signing_out(client: TestClient, db: Session, clock: FakeClock) -> tuple[str, dict[str, str]]:
    _as_writer(client, db, clock)
    return "/workshop/sign-out", {}


CSRF_SCENES = {
    "/workshop/sign-in": _signing_in,
    "/workshop/sign-out": _signing_out,
    "/workshop/join/{token}": _joining,
    "/workshop/account/withdraw": _as_writer,
    "/workshop/members/invite": _as_moderator("/workshop/members/invite"),
    "/workshop/members/invitations/{invitation_id}/withdraw": _as_moderator(
        "/workshop/members/invitations/{invitation_id}/withdraw"
    ),
    "/workshop/members/{member_id}/parent-consent": _as_moderator(
        "/workshop/members/{member_id}/parent-consent"
    ),
    "/workshop/members/{member_id}/deactivate": _as_moderator(
        "/workshop/members/{member_id}/deactivate"
    ),
    "/workshop/members/{member_id}/withdraw": _as_moderator(
        "/workshop/members/{member_id}/withdraw"
    ),
}


def test_every_people_post_route_has_a_csrf_test() -> None:
    from api.routes.workshop import home, join, members, sign_in

    posts = {
        route.path
        for module in (home, join, members, sign_in)
        for route in module.router.routes
        if isinstance(route, APIRoute) and "POST" in route.methods
    }
    assert posts == set(CSRF_SCENES)


@pytest.mark.parametrize("route", list(CSRF_SCENES))
def test_every_people_post_without_its_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, db: Session, clock: FakeClock, route: str
) -> None:
    path, data = CSRF_SCENES[route](client, db, clock)
    before = last_audit_id(db)
    response = client.post(path, data=data, headers=HTML)
    assert response.status_code == 403, response.text[:300]
    assert "Your form could not be sent" in response.text
    assert all(number in response.text for number in CRISIS)  # the workshop's own page
    assert last_audit_id(db) == before


def test_the_staff_user_pages_never_show_or_change_a_young_persons_account(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    young = member_of(db, "lark song", clock.now)
    admin = make_user(db, "admin@council.example", Role.COUNCIL_ADMIN)
    sign_in(client, admin, clock)
    listing = client.get("/staff/users", headers=HTML)
    assert listing.status_code == 200 and "lark song" not in listing.text
    for path in (f"/staff/users/{young.id}", f"/staff/users/{young.id}/role"):
        assert client.get(path, headers=HTML).status_code == 404, path
