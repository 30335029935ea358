"""The triage queue of young people's reports (/staff/feedback): who sees which reports, marking
one as fixed or not a problem (with its audit entry), another organisation's report as "not found",
and forms refused without their CSRF token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffAuditEvent
from services_directory.feedback import FeedbackReport, file_report
from services_directory.models import Organization, Service
from staff.policy import Role
from tests.staff.helpers import HTML, FakeClock, csrf_of, make_organisation, make_user, sign_in


@dataclass
class Reports:
    riverside: Organization
    northgate: Organization
    ours: FeedbackReport
    theirs: FeedbackReport


def _service(db: Session, organisation: Organization, name: str) -> Service:
    service = Service(
        id=str(uuid.uuid4()),
        organization_id=organisation.id,
        name=name,
        description=f"{name}: a test service, not a real one.",
        status="active",
    )
    db.add(service)
    db.flush()
    return service


@pytest.fixture
def reports(db: Session, clock: FakeClock) -> Reports:
    riverside = make_organisation(db, "Riverside Youth Club")
    northgate = make_organisation(db, "Northgate Trust")
    ours = _service(db, riverside, "Riverside drop-in")
    theirs = _service(db, northgate, "Northgate helpline")
    return Reports(
        riverside,
        northgate,
        file_report(db, ours.id, "closed_or_moved", "it has moved to [address]", clock.now),
        file_report(db, theirs.id, "number_wrong", "no answer", clock.now),
    )


def person(db: Session, role: Role, world: Reports):
    organisation = world.riverside if role.value.startswith("organisation") else None
    return make_user(db, f"{role.value}@example.org", role, organisation)


@pytest.mark.parametrize(
    ("role", "sees_ours", "sees_theirs"),
    [
        (Role.COUNCIL_ADMIN, True, True),
        (Role.REVIEWER, True, True),
        (Role.ORGANISATION_MANAGER, True, False),
        (Role.ORGANISATION_EDITOR, True, False),
    ],
)
def test_each_role_sees_the_reports_within_its_reach(
    client: TestClient,
    db: Session,
    clock: FakeClock,
    reports: Reports,
    role,
    sees_ours,
    sees_theirs,
) -> None:
    sign_in(client, person(db, role, reports), clock)
    page = client.get("/staff/feedback", headers=HTML)
    assert page.status_code == 200
    assert ("Riverside drop-in" in page.text) is sees_ours
    assert ("It&#39;s closed or has moved" in page.text) is sees_ours
    assert ("it has moved to [address]" in page.text) is sees_ours
    assert ("Northgate helpline" in page.text) is sees_theirs
    assert 'href="/staff/feedback"' in page.text  # in the navigation


def test_read_only_accounts_have_no_queue(
    client: TestClient, db: Session, clock: FakeClock, reports: Reports
) -> None:
    sign_in(client, person(db, Role.READ_ONLY, reports), clock)
    assert client.get("/staff/feedback", headers=HTML).status_code == 403
    assert 'href="/staff/feedback"' not in client.get("/staff/", headers=HTML).text


def test_anonymous_people_are_sent_to_sign_in(client: TestClient, reports: Reports) -> None:
    response = client.get("/staff/feedback", headers=HTML)
    assert response.status_code == 303 and "/staff/sign-in" in response.headers["location"]


def test_marking_a_report_fixed_is_audited(
    client: TestClient, db: Session, clock: FakeClock, reports: Reports
) -> None:
    editor = person(db, Role.ORGANISATION_EDITOR, reports)
    sign_in(client, editor, clock)
    token = csrf_of(client.get("/staff/feedback", headers=HTML).text)
    response = client.post(
        f"/staff/feedback/{reports.ours.id}",
        data={"csrf_token": token, "outcome": "fixed"},
        headers=HTML,
    )
    assert response.status_code == 303 and response.headers["location"].endswith("done=fixed")
    db.expire_all()
    report = db.get(FeedbackReport, reports.ours.id)
    assert report is not None and report.status == "fixed"
    assert report.resolved_by == editor.email and report.resolved_at is not None
    (entry,) = db.scalars(
        select(StaffAuditEvent).where(StaffAuditEvent.action == "feedback.resolved")
    )
    assert entry.actor_id == editor.id and entry.record_id == reports.ours.id
    assert "Fixed" in entry.detail and "moved to" not in entry.detail  # never the words
    # Once dealt with, it leaves the queue; "Fixed" shows it, and it cannot be marked again.
    assert "Riverside drop-in" not in client.get("/staff/feedback", headers=HTML).text
    assert "Riverside drop-in" in client.get("/staff/feedback?show=fixed", headers=HTML).text
    again = client.post(
        f"/staff/feedback/{reports.ours.id}",
        data={"csrf_token": token, "outcome": "not_a_problem"},
        headers=HTML,
    )
    assert again.status_code == 303
    db.expire_all()
    assert db.get(FeedbackReport, reports.ours.id).status == "fixed"  # type: ignore[union-attr]


def test_another_organisations_report_is_not_found(
    client: TestClient, db: Session, clock: FakeClock, reports: Reports
) -> None:
    sign_in(client, person(db, Role.ORGANISATION_MANAGER, reports), clock)
    token = csrf_of(client.get("/staff/feedback", headers=HTML).text)
    for report_id in (reports.theirs.id, "no-such-report"):
        response = client.post(
            f"/staff/feedback/{report_id}",
            data={"csrf_token": token, "outcome": "not_a_problem"},
            headers=HTML,
        )
        assert response.status_code == 404
    db.expire_all()
    assert db.get(FeedbackReport, reports.theirs.id).status == "open"  # type: ignore[union-attr]


def test_a_post_without_its_csrf_token_is_refused(
    client: TestClient, db: Session, clock: FakeClock, reports: Reports
) -> None:
    sign_in(client, person(db, Role.REVIEWER, reports), clock)
    for data in ({"outcome": "fixed"}, {"outcome": "fixed", "csrf_token": "1##forged"}):
        response = client.post(f"/staff/feedback/{reports.ours.id}", data=data, headers=HTML)
        assert response.status_code == 403
    db.expire_all()
    assert db.get(FeedbackReport, reports.ours.id).status == "open"  # type: ignore[union-attr]
