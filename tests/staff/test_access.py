"""Every staff page needs a signed-in person; every form needs its CSRF token; the pages carry
strict headers; GOV.UK Frontend is served by the app itself."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.routes import staff as staff_routes
from api.routes.staff import assets
from services_directory.accounts import ACCOUNT_TABLES
from services_directory.drafts import DRAFT_TABLES, ServiceDraft, ServiceVersion
from services_directory.freshness import ServiceReview
from services_directory.models import Service
from staff.invitations import invite, set_up_path
from staff.policy import Role
from tests.staff.helpers import (
    HTML,
    PASSWORD,
    FakeClock,
    code_for,
    csrf_of,
    make_organisation,
    make_user,
    sign_in,
)

SIGNED_IN_PAGES = [
    "/staff/",
    "/staff/account",
    "/staff/users",
    "/staff/users/invite",
    "/staff/audit",
]
FORMS = [
    "/staff/users/invite",
    "/staff/account/sign-out-everywhere",
    "/staff/users/00000000-0000-0000-0000-000000000000/deactivate",
]


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_an_anonymous_browser_is_sent_to_sign_in(client: TestClient, path: str) -> None:
    response = client.get(path, headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/sign-in?next={path}"


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_an_anonymous_json_client_gets_401(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.json()["detail"][0]["type"] == "not_signed_in"


@pytest.mark.parametrize("path", FORMS)
def test_an_anonymous_post_is_refused(client: TestClient, path: str) -> None:
    response = client.post(path, data={}, headers={"Accept": "application/json"})
    assert response.status_code == 401


def test_a_post_without_its_csrf_token_is_refused(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    admin = make_user(db, "admin@council.example", Role.COUNCIL_ADMIN)
    sign_in(client, admin, clock)
    for path in FORMS[:2]:
        response = client.post(path, data={"email": "x@example.org"}, headers=HTML)
        assert response.status_code == 403, path
        assert "Your form could not be sent" in response.text
    # A token from another session is no better than none.
    other = TestClient(client.app, base_url="https://testserver")
    foreign = csrf_of(other.get("/staff/sign-in").text)
    response = client.post(FORMS[1], data={"csrf_token": foreign}, headers=HTML)
    assert response.status_code == 403
    assert client.get("/staff/account", headers=HTML).status_code == 200  # still signed in


# Each staff POST route, with how to reach the point where only its CSRF token is missing: the
# browser it is posted from and what it posts (which would change something, were it let).
Scene = tuple[TestClient, str, dict[str, str]]


def _signed_in_admin(client: TestClient, db: Session, clock: FakeClock) -> Any:
    admin = make_user(db, "admin@council.example", Role.COUNCIL_ADMIN)
    sign_in(client, admin, clock)
    return admin


def _scene_sign_in(client: TestClient, db: Session, clock: FakeClock) -> Scene:
    user = make_user(db, "ro@council.example", Role.READ_ONLY)
    client.get("/staff/sign-in", headers=HTML)  # the pre-session cookie
    return client, "/staff/sign-in", {"email": user.email, "password": PASSWORD}


def _scene_oidc(client: TestClient, db: Session, clock: FakeClock) -> Scene:
    # The token is checked before anything else, provider or not (tests/staff/test_oidc.py
    # posts it to a configured provider too).
    client.get("/staff/sign-in", headers=HTML)  # the pre-session cookie
    return client, "/staff/sign-in/oidc", {"next": "/staff/users"}


def _scene_code(client: TestClient, db: Session, clock: FakeClock) -> Scene:
    admin = make_user(db, "admin@council.example", Role.COUNCIL_ADMIN)
    page = client.get("/staff/sign-in", headers=HTML)
    data = {"csrf_token": csrf_of(page.text), "email": admin.email, "password": PASSWORD}
    assert client.post("/staff/sign-in", data=data, headers=HTML).status_code == 303
    return client, "/staff/sign-in/code", {"code": code_for(admin.totp_secret, clock)}


def _scene_set_up(client: TestClient, db: Session, clock: FakeClock) -> Scene:
    made = invite(
        db, None, "new@council.example", Role.READ_ONLY, None, clock(), dt.timedelta(hours=1)
    )
    path = set_up_path(made.token)
    assert client.get(path, headers=HTML).status_code == 200
    return client, path, {"display_name": "New", "password": PASSWORD, "confirm": PASSWORD}


def _scene_two_factor(client: TestClient, db: Session, clock: FakeClock) -> Scene:
    editor = make_user(db, "ed@council.example", Role.READ_ONLY)
    sign_in(client, editor, clock)
    assert client.get("/staff/two-factor", headers=HTML).status_code == 200
    db.refresh(editor)
    code = code_for(editor.totp_secret, clock)
    return client, "/staff/two-factor", {"code": code, "password": PASSWORD}


def _scene_admin(path: str) -> Callable[[TestClient, Session, FakeClock], Scene]:
    def scene(client: TestClient, db: Session, clock: FakeClock) -> Scene:
        _signed_in_admin(client, db, clock)
        organisation = make_organisation(db, "Riverside Youth Club")
        editor = make_user(db, "ed@riverside.example", Role.ORGANISATION_EDITOR, organisation)
        made = invite(
            db, None, "x@council.example", Role.READ_ONLY, None, clock(), dt.timedelta(hours=1)
        )
        data = {
            "email": "new@council.example",
            "role": Role.READ_ONLY.value,
            "organisation": "",
        }
        return client, path.format(user_id=editor.id, invitation_id=made.invitation.id), data

    return scene


def _scene_change(path: str) -> Callable[[TestClient, Session, FakeClock], Scene]:
    """Signed in as an admin, with a service, an editor's draft of it and one version."""

    def scene(client: TestClient, db: Session, clock: FakeClock) -> Scene:
        _signed_in_admin(client, db, clock)
        organisation = make_organisation(db, "Riverside Youth Club")
        editor = make_user(db, "ed@riverside.example", Role.ORGANISATION_EDITOR, organisation)
        service = Service(id=str(uuid.uuid4()), organization_id=organisation.id, name="Drop-in")
        db.add(service)
        db.flush()
        document = {"name": "Drop-in", "contact_modes": [], "needs": [], "localities": []}
        draft = ServiceDraft(
            id=str(uuid.uuid4()),
            service_id=service.id,
            organisation_id=organisation.id,
            author_id=editor.id,
            status="pending",
            base=document,
            proposed={**document, "name": "Drop-in club"},
            reason="Renamed",
            needs_two_approvers=False,
            created_at=clock(),
            updated_at=clock(),
        )
        version = ServiceVersion(
            id=str(uuid.uuid4()),
            service_id=service.id,
            number=1,
            document=document,
            reason="First",
            author_label="Ed",
            approver_labels=[],
            published_at=clock(),
        )
        db.add_all([draft, version])
        db.flush()
        data = {"name": "Drop-in club", "reason": "Renamed", "return_reason": "No"}
        where = {"service_id": service.id, "draft_id": draft.id, "number": 1}
        return client, path.format(organisation_id=organisation.id, **where), data

    return scene


def _scene_freshness(path: str) -> Callable[[TestClient, Session, FakeClock], Scene]:
    """Signed in as an admin, with a service never checked (so past the withholding limit),
    withheld from the chat when the route releases it."""

    def scene(client: TestClient, db: Session, clock: FakeClock) -> Scene:
        _signed_in_admin(client, db, clock)
        organisation = make_organisation(db, "Riverside Youth Club")
        service = Service(id=str(uuid.uuid4()), organization_id=organisation.id, name="Drop-in")
        db.add(service)
        db.flush()
        if path.endswith("/release"):
            db.add(ServiceReview(service_id=service.id, withheld_from_bot=True))
            db.flush()
        return client, path.format(service_id=service.id), {"reason": "No answer"}

    return scene


def _scene_locality(path: str) -> Callable[[TestClient, Session, FakeClock], Scene]:
    """Signed in as an admin, on the sample borough's localities (Millfield's pages)."""

    def scene(client: TestClient, db: Session, clock: FakeClock) -> Scene:
        _signed_in_admin(client, db, clock)
        data = {"name": "South Bank", "districts": "SE1", "aliases": ""}
        return client, path.format(locality_id="millfield", direction="up"), data

    return scene


def _scene_crosswalk(path: str) -> Callable[[TestClient, Session, FakeClock], Scene]:
    """Signed in as an admin, with a council's feed imported (its terms and suggestions)."""

    def scene(client: TestClient, db: Session, clock: FakeClock) -> Scene:
        from tests.services_directory.crosswalk_feed import EATING, VOCABULARY
        from tests.staff.crosswalk_world import build

        _signed_in_admin(client, db, clock)
        build(db)
        if path.endswith("/term"):
            return (
                client,
                f"{path}?vocabulary={VOCABULARY}&code={VOCABULARY}:66",
                {
                    "needs": "feeling_lonely",
                    "action": "save",
                },
            )
        return client, path, {"suggestion": f"{EATING}|ages|-25", "decision": "confirm"}

    return scene


def _scene_import(path: str) -> Callable[[TestClient, Session, FakeClock], Scene]:
    """Signed in as an admin, with a council's feed staged and waiting to be published."""

    def scene(client: TestClient, db: Session, clock: FakeClock) -> Scene:
        import json

        from services_directory.io.staging import check_batch, create_batch
        from tests.services_directory.feeds.messy import messy_feed

        _signed_in_admin(client, db, clock)
        payload = json.dumps(messy_feed()).encode()
        batch = create_batch(
            db, feed_name="council", source="c.json", payload=payload, staged_by="t", now=clock()
        )
        check_batch(db, batch.id, clock())
        return client, path.format(batch_id=batch.id), {"feed": "council", "auto_publish": "yes"}

    return scene


def _scene_feedback(path: str) -> Callable[[TestClient, Session, FakeClock], Scene]:
    """Signed in as an admin, with a young person's report on a service (and the insights)."""

    def scene(client: TestClient, db: Session, clock: FakeClock) -> Scene:
        from services_directory.feedback import file_report

        _signed_in_admin(client, db, clock)
        organisation = make_organisation(db, "Reported Org")
        service = Service(
            id=str(uuid.uuid4()), organization_id=organisation.id, name="Reported", status="active"
        )
        db.add(service)
        db.flush()
        report = file_report(db, service.id, "number_wrong", None, clock())
        return client, path.format(report_id=report.id), {"outcome": "fixed", "start": ""}

    return scene


CSRF_SCENES: dict[str, Callable[[TestClient, Session, FakeClock], Scene]] = {
    "/staff/sign-in": _scene_sign_in,
    "/staff/sign-in/code": _scene_code,
    "/staff/sign-in/oidc": _scene_oidc,
    "/staff/set-up/{token}": _scene_set_up,
    "/staff/two-factor": _scene_two_factor,
    "/staff/sign-out": _scene_admin("/staff/sign-out"),
    "/staff/account/sign-out-everywhere": _scene_admin("/staff/account/sign-out-everywhere"),
    "/staff/users/invite": _scene_admin("/staff/users/invite"),
    "/staff/users/invitations/{invitation_id}/withdraw": _scene_admin(
        "/staff/users/invitations/{invitation_id}/withdraw"
    ),
    "/staff/users/{user_id}/role": _scene_admin("/staff/users/{user_id}/role"),
    "/staff/users/{user_id}/deactivate": _scene_admin("/staff/users/{user_id}/deactivate"),
    "/staff/services/{service_id}/edit": _scene_change("/staff/services/{service_id}/edit"),
    "/staff/drafts/{draft_id}/approve": _scene_change("/staff/drafts/{draft_id}/approve"),
    "/staff/drafts/{draft_id}/return": _scene_change("/staff/drafts/{draft_id}/return"),
    "/staff/drafts/{draft_id}/withdraw": _scene_change("/staff/drafts/{draft_id}/withdraw"),
    "/staff/organisations/{organisation_id}/edit": _scene_change(
        "/staff/organisations/{organisation_id}/edit"
    ),
    "/staff/organisations/{organisation_id}/services/new": _scene_change(
        "/staff/organisations/{organisation_id}/services/new"
    ),
    "/staff/services/{service_id}/history/{number}/restore": _scene_change(
        "/staff/services/{service_id}/history/{number}/restore"
    ),
    "/staff/services/{service_id}/checked": _scene_freshness(
        "/staff/services/{service_id}/checked"
    ),
    "/staff/services/{service_id}/withhold": _scene_freshness(
        "/staff/services/{service_id}/withhold"
    ),
    "/staff/services/{service_id}/release": _scene_freshness(
        "/staff/services/{service_id}/release"
    ),
    "/staff/feedback/{report_id}": _scene_feedback("/staff/feedback/{report_id}"),
    "/staff/insights/export": _scene_feedback("/staff/insights/export"),
    "/staff/localities/new": _scene_locality("/staff/localities/new"),
    "/staff/localities/{locality_id}/edit": _scene_locality("/staff/localities/{locality_id}/edit"),
    "/staff/localities/{locality_id}/remove": _scene_locality(
        "/staff/localities/{locality_id}/remove"
    ),
    "/staff/localities/{locality_id}/move/{direction}": _scene_locality(
        "/staff/localities/{locality_id}/move/{direction}"
    ),
    "/staff/imports": _scene_import("/staff/imports"),
    "/staff/imports/fetch": _scene_import("/staff/imports/fetch"),
    "/staff/imports/feed": _scene_import("/staff/imports/feed"),
    "/staff/imports/{batch_id}/publish": _scene_import("/staff/imports/{batch_id}/publish"),
    "/staff/imports/{batch_id}/discard": _scene_import("/staff/imports/{batch_id}/discard"),
    "/staff/crosswalk/term": _scene_crosswalk("/staff/crosswalk/term"),
    "/staff/crosswalk/starter": _scene_crosswalk("/staff/crosswalk/starter"),
    "/staff/bot-ready/suggestions": _scene_crosswalk("/staff/bot-ready/suggestions"),
}


def _everything(db: Session) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every staff table, to show that a refused form changed nothing."""
    db.expire_all()
    return {
        name: sorted(
            tuple(str(getattr(row, column.key)) for column in model.__table__.columns)
            for row in db.scalars(select(model))
        )
        for name, model in (
            ACCOUNT_TABLES | DRAFT_TABLES | {"x_service_review": ServiceReview}
        ).items()
    }


def test_every_staff_post_route_has_a_csrf_test() -> None:
    posts = set()
    for module in pkgutil.iter_modules(staff_routes.__path__):
        router = getattr(
            importlib.import_module(f"{staff_routes.__name__}.{module.name}"), "router", None
        )
        for route in router.routes if router else []:
            if isinstance(route, APIRoute) and "POST" in route.methods:
                posts.add(route.path)
    assert posts == set(CSRF_SCENES)


@pytest.mark.parametrize("token", ["missing", "another session's", "not ASCII"])
@pytest.mark.parametrize("route", list(CSRF_SCENES))
def test_every_post_without_its_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, db: Session, clock: FakeClock, route: str, token: str
) -> None:
    browser, path, data = CSRF_SCENES[route](client, db, clock)
    if token == "another session's":
        other = TestClient(client.app, base_url="https://testserver")
        data["csrf_token"] = csrf_of(other.get("/staff/sign-in", headers=HTML).text)
    elif token == "not ASCII":
        data["csrf_token"] = "20991231235959##é-not-a-mac"
    before = _everything(db)
    response = browser.post(path, data=data, headers=HTML)
    assert response.status_code == 403, response.text[:300]
    assert "Your form could not be sent" in response.text
    assert _everything(db) == before


def test_the_sign_in_form_is_protected_from_login_csrf(client: TestClient, db: Session) -> None:
    make_user(db, "editor@org.example", Role.READ_ONLY)
    response = client.post(
        "/staff/sign-in",
        data={"email": "editor@org.example", "password": "correct horse battery staple"},
        headers=HTML,
    )
    assert response.status_code == 403
    assert "set-cookie" not in response.headers


def test_staff_pages_carry_strict_headers(client: TestClient) -> None:
    page = client.get("/staff/sign-in", headers=HTML)
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    for directive in ("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text and "style=" not in page.text


def test_govuk_frontend_is_served_by_the_app(client: TestClient) -> None:
    page = client.get("/staff/sign-in", headers=HTML).text
    assert 'href="/staff/assets/govuk-frontend.min.css"' in page
    css = client.get("/staff/assets/govuk-frontend.min.css")
    assert css.status_code == 200, "run npm ci: govuk-frontend comes from npm"
    assert css.headers["content-type"].startswith("text/css")
    assert ".govuk-button" in css.text
    # No GDS Transport (GOV.UK only), and every asset path is one the app serves.
    assert "@font-face" not in css.text and "url(/assets/" not in css.text
    script = client.get("/staff/assets/govuk-frontend.min.js")
    assert script.status_code == 200 and "initAll" in script.text
    assert client.get("/staff/assets/staff.js").status_code == 200
    assert client.get("/staff/assets/images/favicon.ico").status_code == 200
    for url in ("http://", "https://"):
        assert url not in page.replace("http://www.w3.org", "")


def test_without_node_modules_the_app_starts_and_the_pages_still_work(
    app_factory: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(assets, "GOVUK_FRONTEND", tmp_path / "no-node-modules")
    client = app_factory()
    assert client.get("/staff/sign-in", headers=HTML).status_code == 200
    assert client.get("/staff/assets/govuk-frontend.min.css").status_code == 404
