"""The candidates, release and test-chat pages through the app, on a real database (SQLite, and
PostgreSQL when TEST_DATABASE_URL is set): each role reaches only its pages, forms need their
CSRF token, and the buttons follow the gate (no sign-off before the whole gate passed, no
release before the sign-off)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from staff.policy import Role
from tests.staff import conftest as staff_fixtures
from tests.staff.helpers import HTML, FakeClock, csrf_of, make_user, post_form, sign_in
from tests.workshop.item_helpers import writer
from tests.workshop.people_helpers import workshop_sign_in
from workshop.release_models import (
    BLOCKED,
    PASSED,
    PENDING,
    QUEUED,
    WorkshopCandidate,
    WorkshopRelease,
)

engine, db_pair, db, clock, app_factory, client = (
    staff_fixtures.engine,
    staff_fixtures.db_pair,
    staff_fixtures.db,
    staff_fixtures.clock,
    staff_fixtures.app_factory,
    staff_fixtures.client,
)
JSON = {"Accept": "application/json"}
WHOLE = {"passed": True, "complete": True, "checks": [], "ran_at": "2026-12-07T12:00:00"}


def _candidate(db: Session, status: str = PASSED, report: dict | None = None) -> WorkshopCandidate:
    candidate = WorkshopCandidate(
        id=str(uuid.uuid4()), name="Autumn words", status=status, config_path="config.yml",
        model_path="/nowhere/model.tar.gz", gate_report=report, gate_complete=bool(report),
        training_items={"examples": []}, writers=["Sky"], withdrawn_writers=[],
    )  # fmt: skip
    db.add(candidate)
    db.flush()
    return candidate


@pytest.mark.parametrize("path", ["/workshop/candidates", "/workshop/try"])
def test_the_pages_need_a_signed_in_account(client: TestClient, path: str) -> None:
    assert client.get(path, headers=HTML).status_code == 303
    assert client.get(path, headers=JSON).status_code == 401


def test_each_role_reaches_only_its_pages(app_factory: Any, db: Session, clock: FakeClock) -> None:
    writer(db, "pipit", clock())
    candidate = _candidate(db, PASSED, WHOLE)
    people = {
        "manager": make_user(db, "rm@council.example", Role.RELEASE_MANAGER),
        "lead": make_user(db, "sl@council.example", Role.SAFETY_LEAD),
        "moderator": make_user(db, "mod2@council.example", Role.MODERATOR),
    }
    clients = {name: app_factory() for name in (*people, "pipit")}
    for name, user in people.items():
        sign_in(clients[name], user, clock)
    workshop_sign_in(clients["pipit"], "pipit")
    page = f"/workshop/candidates/{candidate.id}"
    expected = {
        "manager": {"/workshop/candidates": 200, page: 200, "/workshop/try": 200},
        "lead": {"/workshop/candidates": 200, page: 200, "/workshop/try": 200},
        "moderator": {"/workshop/candidates": 403, page: 403, "/workshop/try": 200},
        "pipit": {"/workshop/candidates": 403, page: 403, "/workshop/try": 200},
    }
    for who, paths in expected.items():
        for path, status in paths.items():
            assert clients[who].get(path, headers=HTML).status_code == status, (who, path)
    # Only release managers start candidates; only safety leads sign off.
    manager_page = clients["manager"].get("/workshop/candidates", headers=HTML).text
    assert "Start training" in manager_page
    assert "Start training" not in clients["lead"].get("/workshop/candidates", headers=HTML).text
    assert "Sign off" in clients["lead"].get(page, headers=HTML).text
    assert "Sign off" not in clients["manager"].get(page, headers=HTML).text
    missing = f"/workshop/candidates/{uuid.uuid4()}"
    assert clients["manager"].get(missing, headers=HTML).status_code == 404


def test_start_sign_off_and_release_through_the_pages(
    app_factory: Any, db: Session, clock: FakeClock
) -> None:
    manager = make_user(db, "rm@council.example", Role.RELEASE_MANAGER)
    lead = make_user(db, "sl@council.example", Role.SAFETY_LEAD)
    as_manager, as_lead = app_factory(), app_factory()
    sign_in(as_manager, manager, clock)
    sign_in(as_lead, lead, clock)

    started = post_form(as_manager, "/workshop/candidates", {"name": "Spring words"})
    assert started.status_code == 303
    queued = db.scalar(select(WorkshopCandidate).where(WorkshopCandidate.name == "Spring words"))
    assert queued is not None and queued.status == QUEUED

    blocked = _candidate(db, BLOCKED, {**WHOLE, "passed": False})
    page = f"/workshop/candidates/{blocked.id}"
    refused = post_form(as_lead, f"{page}/sign-off", {}, form_page=page)
    assert refused.status_code == 409 and blocked.signed_off_at is None

    passed = _candidate(db, PASSED, WHOLE)
    page = f"/workshop/candidates/{passed.id}"
    early = post_form(as_manager, f"{page}/release", {}, form_page=page)
    assert early.status_code == 409  # not signed off yet
    assert post_form(as_lead, f"{page}/sign-off", {}, form_page=page).status_code == 303
    db.refresh(passed)
    assert passed.signed_off_by_id == lead.id
    assert "Release it to the live bot" in as_manager.get(page, headers=HTML).text
    assert post_form(as_manager, f"{page}/release", {}, form_page=page).status_code == 303
    release = db.scalar(select(WorkshopRelease).where(WorkshopRelease.candidate_id == passed.id))
    assert release is not None and release.status == PENDING
    assert "Thank you to Sky" in release.notes


def test_a_form_without_its_csrf_token_is_refused(
    app_factory: Any, db: Session, clock: FakeClock
) -> None:
    manager = make_user(db, "rm@council.example", Role.RELEASE_MANAGER)
    as_manager = app_factory()
    sign_in(as_manager, manager, clock)
    response = as_manager.post("/workshop/candidates", data={"name": "No token"}, headers=HTML)
    assert response.status_code == 403
    count = db.scalar(select(func.count()).select_from(WorkshopCandidate))
    assert count == 0
    page = as_manager.get("/workshop/candidates", headers=HTML)
    assert csrf_of(page.text)
