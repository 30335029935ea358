"""The users pages: each route for each role, organisation scoping that no id in a URL or a form
gets round, and every change in the audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from devkit.stack import free_port
from services_directory.accounts import StaffAuditEvent, StaffInvitation, StaffUser
from services_directory.models import Organization
from staff import accounts, audit, invitations
from staff.errors import InvitationUnusable
from staff.invitations import CANNOT_INVITE, invite, set_up_path
from staff.policy import STAFF_ROLES, Role, actor_of
from staff.sessions import DatabaseSessionStore
from tests.staff.helpers import (
    HTML,
    PASSWORD,
    FakeClock,
    csrf_of,
    make_organisation,
    make_user,
    post_form,
    sign_in,
)


@dataclass
class World:
    """Two organisations, someone of every role, and an editor in each organisation."""

    riverside: Organization
    northgate: Organization
    people: dict[Role, StaffUser]
    editor: StaffUser  # Riverside's
    other_editor: StaffUser  # Northgate's


@pytest.fixture
def world(db: Session) -> World:
    riverside = make_organisation(db, "Riverside Youth Club")
    northgate = make_organisation(db, "Northgate Counselling")
    people = {
        Role.COUNCIL_ADMIN: make_user(db, "admin@council.example", Role.COUNCIL_ADMIN),
        Role.REVIEWER: make_user(db, "reviewer@council.example", Role.REVIEWER),
        Role.ORGANISATION_MANAGER: make_user(
            db, "manager@riverside.example", Role.ORGANISATION_MANAGER, riverside
        ),
        Role.ORGANISATION_EDITOR: make_user(
            db, "self.editor@riverside.example", Role.ORGANISATION_EDITOR, riverside
        ),
        Role.READ_ONLY: make_user(db, "reader@council.example", Role.READ_ONLY),
        **{
            role: make_user(db, f"{role.value}@council.example", role)
            for role in (Role.MODERATOR, Role.SAFETY_LEAD, Role.RELEASE_MANAGER)
        },
    }
    editor = make_user(db, "editor@riverside.example", Role.ORGANISATION_EDITOR, riverside)
    other = make_user(db, "editor@northgate.example", Role.ORGANISATION_EDITOR, northgate)
    return World(riverside, northgate, people, editor, other)


def _token(client: TestClient) -> str:
    """A CSRF token of this browser's session (every form of the session accepts it)."""
    return csrf_of(client.get("/staff/account", headers=HTML).text)


def _request(client: TestClient, world: World, method: str, path: str) -> int:
    path = path.format(editor=world.editor.id, riverside=world.riverside.id)
    if method == "GET":
        return client.get(path, headers=HTML).status_code
    data = {
        "csrf_token": _token(client),
        "email": "new.editor@riverside.example",
        "role": Role.ORGANISATION_EDITOR.value,
        "organisation": world.riverside.id,
    }
    return client.post(path, data=data, headers=HTML).status_code


A, M = Role.COUNCIL_ADMIN, Role.ORGANISATION_MANAGER
# (method, path, the roles let through): everyone else gets 403.
ROUTES = [
    ("GET", "/staff/users", {A, M}),
    ("GET", "/staff/users/invite", {A, M}),
    ("POST", "/staff/users/invite", {A, M}),
    ("GET", "/staff/users/{editor}", {A, M}),
    ("GET", "/staff/users/{editor}/role", {A}),
    ("POST", "/staff/users/{editor}/role", {A}),
    ("GET", "/staff/users/{editor}/deactivate", {A, M}),
    ("POST", "/staff/users/{editor}/deactivate", {A, M}),
    ("GET", "/staff/audit", {A}),
]


@pytest.mark.parametrize("role", STAFF_ROLES, ids=lambda r: r.value)
@pytest.mark.parametrize(("method", "path", "allowed"), ROUTES, ids=lambda v: str(v))
def test_each_route_for_each_role(
    client: TestClient,
    world: World,
    clock: FakeClock,
    role: Role,
    method: str,
    path: str,
    allowed: set[Role],
) -> None:
    sign_in(client, world.people[role], clock)
    status = _request(client, world, method, path)
    if role in allowed:
        assert status == (200 if method == "GET" else 303), (role, method, path)
    else:
        assert status == 403, (role, method, path)


@pytest.fixture
def manager(client: TestClient, world: World, clock: FakeClock) -> TestClient:
    """The browser of Riverside's organisation manager, signed in."""
    sign_in(client, world.people[Role.ORGANISATION_MANAGER], clock)
    return client


def test_a_manager_sees_only_their_organisations_accounts(manager: TestClient) -> None:
    page = manager.get("/staff/users", headers=HTML).text
    assert "editor@riverside.example" in page and "manager@riverside.example" in page
    assert "northgate" not in page.lower() and "admin@council.example" not in page


@pytest.mark.parametrize(
    "path", ["/staff/users/{id}", "/staff/users/{id}/deactivate", "/staff/users/{id}/role"]
)
def test_another_organisations_account_is_not_there_for_a_manager(
    manager: TestClient, world: World, db: Session, path: str
) -> None:
    for outsider in (world.other_editor, world.people[Role.COUNCIL_ADMIN]):
        url = path.format(id=outsider.id)
        expected = 403 if url.endswith("/role") else 404  # the role pages need admin at all
        assert manager.get(url, headers=HTML).status_code == expected
        if url.endswith(("/deactivate", "/role")):
            response = manager.post(url, data={"csrf_token": _token(manager)}, headers=HTML)
            assert response.status_code == expected
    db.refresh(world.other_editor)
    assert world.other_editor.active


def test_a_manager_cannot_invite_into_another_organisation_or_above_editor(
    manager: TestClient, world: World, db: Session
) -> None:
    for role, organisation in (
        (Role.ORGANISATION_EDITOR, world.northgate.id),
        (Role.ORGANISATION_MANAGER, world.riverside.id),
        (Role.COUNCIL_ADMIN, ""),
    ):
        response = post_form(
            manager,
            "/staff/users/invite",
            {"email": "x@example.org", "role": role.value, "organisation": organisation},
        )
        assert response.status_code == 422, (role, organisation)
        assert "Not a valid choice" in response.text
    assert db.scalars(select(StaffInvitation)).first() is None


def test_a_manager_cannot_deactivate_a_fellow_manager(
    manager: TestClient, world: World, db: Session
) -> None:
    fellow = make_user(
        db, "second.manager@riverside.example", Role.ORGANISATION_MANAGER, world.riverside
    )
    assert manager.get(f"/staff/users/{fellow.id}", headers=HTML).status_code == 200
    response = manager.post(
        f"/staff/users/{fellow.id}/deactivate", data={"csrf_token": _token(manager)}, headers=HTML
    )
    assert response.status_code == 403


def test_a_manager_cannot_withdraw_another_organisations_invitation(
    manager: TestClient, world: World, db: Session, clock: FakeClock
) -> None:
    made = invite(
        db,
        None,
        "x@northgate.example",
        Role.ORGANISATION_EDITOR,
        world.northgate.id,
        clock(),
        dt.timedelta(hours=1),
    )
    url = f"/staff/users/invitations/{made.invitation.id}/withdraw"
    assert manager.post(url, data={"csrf_token": _token(manager)}, headers=HTML).status_code == 404
    db.refresh(made.invitation)
    assert made.invitation.revoked_at is None


@pytest.fixture
def admin(app_factory: Any, world: World, clock: FakeClock) -> TestClient:
    """The council admin's browser, signed in."""
    client = app_factory()
    sign_in(client, world.people[Role.COUNCIL_ADMIN], clock)
    return client


def test_nobody_changes_their_own_role_or_deactivates_themselves(
    admin: TestClient, world: World
) -> None:
    me = world.people[Role.COUNCIL_ADMIN].id
    assert admin.get(f"/staff/users/{me}/role", headers=HTML).status_code == 403
    assert admin.get(f"/staff/users/{me}/deactivate", headers=HTML).status_code == 403


def test_deactivating_ends_the_accounts_sessions_at_once(
    admin: TestClient, app_factory: Any, world: World, db: Session, clock: FakeClock
) -> None:
    editor = app_factory()
    sign_in(editor, world.editor, clock)
    assert editor.get("/staff/", headers=HTML).status_code == 200
    response = post_form(admin, f"/staff/users/{world.editor.id}/deactivate", {})
    assert response.status_code == 303
    assert editor.get("/staff/", headers=HTML).status_code == 303
    db.refresh(world.editor)
    assert not world.editor.active
    entry = db.scalars(select(StaffAuditEvent).where(StaffAuditEvent.action == "deactivated")).one()
    assert entry.actor_id == world.people[Role.COUNCIL_ADMIN].id
    assert entry.record_id == world.editor.id and "1 session(s) ended" in entry.detail


def test_changing_a_role_is_audited_and_signs_them_out(
    admin: TestClient, app_factory: Any, world: World, db: Session, clock: FakeClock
) -> None:
    reader = app_factory()
    sign_in(reader, world.people[Role.READ_ONLY], clock)
    target = world.people[Role.READ_ONLY]
    # An organisation role needs an organisation.
    response = post_form(
        admin,
        f"/staff/users/{target.id}/role",
        {"role": Role.ORGANISATION_EDITOR.value, "organisation": ""},
    )
    assert response.status_code == 422 and "Select the organisation" in response.text
    response = post_form(
        admin,
        f"/staff/users/{target.id}/role",
        {"role": Role.ORGANISATION_EDITOR.value, "organisation": world.northgate.id},
    )
    assert response.status_code == 303
    db.refresh(target)
    assert target.role == Role.ORGANISATION_EDITOR.value
    assert target.organisation_id == world.northgate.id
    assert reader.get("/staff/", headers=HTML).status_code == 303
    entry = db.scalars(
        select(StaffAuditEvent).where(StaffAuditEvent.action == "role_changed")
    ).one()
    assert entry.detail.endswith("Read only to Organisation editor at Northgate Counselling")


def test_an_existing_account_cannot_be_invited_again(admin: TestClient, world: World) -> None:
    response = post_form(
        admin,
        "/staff/users/invite",
        {"email": "Editor@Riverside.example", "role": Role.READ_ONLY.value, "organisation": ""},
    )
    assert response.status_code == 422
    assert "There is already an account with this email address" in response.text


def test_a_bad_email_address_is_shown_beside_its_field(admin: TestClient) -> None:
    response = post_form(
        admin,
        "/staff/users/invite",
        {"email": "not an address", "role": Role.READ_ONLY.value, "organisation": ""},
    )
    assert response.status_code == 422
    assert '<a href="#email">Enter an email address in the correct format' in response.text
    assert 'id="email-error"' in response.text
    assert "<title>Error: Invite someone" in response.text


def test_when_the_email_cannot_be_sent_nothing_is_kept(
    app_factory: Any, world: World, db: Session, clock: FakeClock
) -> None:
    client = app_factory(smtp_host="127.0.0.1", smtp_port=free_port(), smtp_security="none")
    sign_in(client, world.people[Role.COUNCIL_ADMIN], clock)
    response = post_form(
        client,
        "/staff/users/invite",
        {"email": "x@council.example", "role": Role.READ_ONLY.value, "organisation": ""},
    )
    assert response.status_code == 503 and "could not be sent" in response.text
    assert db.scalars(select(StaffInvitation)).first() is None


def test_the_audit_log_lists_every_action_newest_first(
    admin: TestClient, world: World, db: Session
) -> None:
    post_form(admin, f"/staff/users/{world.editor.id}/deactivate", {})
    page = admin.get("/staff/audit", headers=HTML).text
    assert page.index("deactivated") < page.index("signed in")
    assert "admin@council.example" in page


def test_the_audit_log_cannot_be_changed(db: Session, clock: FakeClock) -> None:
    entry = audit.record(db, None, "test_entry", clock())
    entry.detail = "rewritten"
    with pytest.raises(PermissionError):
        db.flush()
    db.rollback()


def test_the_database_refuses_to_change_the_audit_log(db: Session, clock: FakeClock) -> None:
    audit.record(db, None, "test_entry", clock())
    for statement in ("UPDATE staff_audit_event SET detail = 'x'", "DELETE FROM staff_audit_event"):
        with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
            db.execute(text(statement))


def _manager_invites(db: Session, world: World, clock: FakeClock, email: str) -> Any:
    manager = world.people[Role.ORGANISATION_MANAGER]
    return invite(
        db,
        manager,
        email,
        Role.ORGANISATION_EDITOR,
        world.riverside.id,
        clock(),
        dt.timedelta(hours=72),
    )


def _withdrawals(db: Session) -> list[str]:
    entries = db.scalars(
        select(StaffAuditEvent)
        .where(StaffAuditEvent.action == "invitation_withdrawn")
        .order_by(StaffAuditEvent.id)
    )
    return [e.detail for e in entries]


def test_a_deactivated_inviters_invitations_stop_working(
    admin: TestClient, world: World, db: Session, clock: FakeClock
) -> None:
    made = _manager_invites(db, world, clock, "new.editor@riverside.example")
    link = set_up_path(made.token)
    invitee = TestClient(admin.app, base_url="https://testserver", follow_redirects=False)
    assert invitee.get(link, headers=HTML).status_code == 200
    manager = world.people[Role.ORGANISATION_MANAGER]
    assert post_form(admin, f"/staff/users/{manager.id}/deactivate", {}).status_code == 303
    assert invitee.get(link, headers=HTML).status_code == 404
    db.refresh(made.invitation)
    assert made.invitation.revoked_at is not None
    assert _withdrawals(db) == ["new.editor@riverside.example: their inviter was deactivated"]


def test_a_demoted_inviters_invitations_stop_working(
    admin: TestClient, world: World, db: Session, clock: FakeClock
) -> None:
    made = _manager_invites(db, world, clock, "new.editor@riverside.example")
    manager = world.people[Role.ORGANISATION_MANAGER]
    response = post_form(
        admin,
        f"/staff/users/{manager.id}/role",
        {"role": Role.ORGANISATION_EDITOR.value, "organisation": world.riverside.id},
    )
    assert response.status_code == 303
    db.refresh(made.invitation)
    assert made.invitation.revoked_at is not None
    assert _withdrawals(db) == ["new.editor@riverside.example: their inviter's role changed"]


def test_an_invitation_is_refused_once_its_inviter_could_not_make_it(
    client: TestClient, world: World, db: Session, clock: FakeClock
) -> None:
    """However the inviter lost the right (here straight in the database, bypassing the pages
    that would withdraw the invitation), the link no longer works."""
    link = set_up_path(_manager_invites(db, world, clock, "a@riverside.example").token)
    manager = world.people[Role.ORGANISATION_MANAGER]
    page = client.get(link, headers=HTML)
    assert page.status_code == 200
    form = {"display_name": "A", "password": PASSWORD, "confirm": PASSWORD}
    for change in ("inactive", "read only"):
        if change == "inactive":
            manager.active = False
        else:
            manager.active, manager.role = True, Role.READ_ONLY.value
        db.flush()
        assert client.get(link, headers=HTML).status_code == 404
        response = client.post(link, data={"csrf_token": csrf_of(page.text), **form}, headers=HTML)
        assert response.status_code == 404
    assert (
        db.scalars(select(StaffUser).where(StaffUser.email == "a@riverside.example")).first()
        is None
    )


def test_an_invitation_withdrawn_while_it_is_being_used_is_not_used(
    db: Session, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claiming UPDATE itself requires the invitation still open: a withdrawal committed
    after the link was checked wins."""
    made = invite(
        db, None, "x@council.example", Role.READ_ONLY, None, clock(), dt.timedelta(hours=1)
    )
    checked = invitations.usable_invitation

    def withdrawn_just_after_the_check(db: Session, token: str, now: dt.datetime) -> Any:
        invitation = checked(db, token, now)
        db.execute(
            update(StaffInvitation)
            .where(StaffInvitation.id == invitation.id)
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )
        return invitation

    monkeypatch.setattr(invitations, "usable_invitation", withdrawn_just_after_the_check)
    store = DatabaseSessionStore(db)
    with pytest.raises(InvitationUnusable):
        invitations.accept(db, made.token, "X", PASSWORD, clock(), store)
    assert db.scalars(select(StaffUser)).first() is None


def test_a_manager_cannot_replace_an_invitation_outside_their_reach(
    manager: TestClient, world: World, db: Session, clock: FakeClock
) -> None:
    """Neither withdrawn nor revealed: the same message whether the address has an invitation
    or an account (active or not) elsewhere."""
    elsewhere = invite(
        db,
        None,
        "wanted@northgate.example",
        Role.ORGANISATION_EDITOR,
        world.northgate.id,
        clock(),
        dt.timedelta(hours=72),
    )
    world.other_editor.active = False
    db.flush()
    messages = set()
    for email in ("wanted@northgate.example", "editor@northgate.example", "admin@council.example"):
        response = post_form(
            manager,
            "/staff/users/invite",
            {
                "email": email,
                "role": Role.ORGANISATION_EDITOR.value,
                "organisation": world.riverside.id,
            },
        )
        assert response.status_code == 422, email
        messages.add(CANNOT_INVITE.split(".")[0] in response.text)
    assert messages == {True}
    db.refresh(elsewhere.invitation)
    assert elsewhere.invitation.revoked_at is None
    assert db.scalars(select(StaffInvitation)).all() == [elsewhere.invitation]
    db.refresh(world.other_editor)
    assert world.other_editor.organisation_id == world.northgate.id


def test_an_admins_new_invitation_replaces_the_earlier_one_in_the_log(
    admin: TestClient, world: World, db: Session, clock: FakeClock
) -> None:
    earlier = _manager_invites(db, world, clock, "new.editor@riverside.example")
    response = post_form(
        admin,
        "/staff/users/invite",
        {"email": "new.editor@riverside.example", "role": Role.READ_ONLY.value, "organisation": ""},
    )
    assert response.status_code == 303
    db.refresh(earlier.invitation)
    assert earlier.invitation.revoked_at is not None
    assert _withdrawals(db) == ["new.editor@riverside.example: replaced by a new invitation"]


def test_an_organisation_role_without_an_organisation_sees_nothing(
    client: TestClient, world: World, db: Session, clock: FakeClock
) -> None:
    lost = make_user(db, "lost@riverside.example", Role.ORGANISATION_MANAGER)  # no organisation
    actor = actor_of(lost)
    assert accounts.visible_users(db, actor) == []
    assert accounts.organisations_for(db, actor) == []
    assert accounts.open_invitations(db, actor, clock()) == []
    sign_in(client, lost, clock)
    for path in ("/staff/users", "/staff/users/invite", f"/staff/users/{world.editor.id}"):
        assert client.get(path, headers=HTML).status_code == 403, path
    assert "admin@council.example" not in client.get("/staff/", headers=HTML).text


def test_an_organisation_with_staff_accounts_cannot_be_deleted(db: Session, world: World) -> None:
    with pytest.raises(IntegrityError), db.begin_nested():
        db.execute(delete(Organization).where(Organization.id == world.riverside.id))
    db.refresh(world.editor)
    assert world.editor.organisation_id == world.riverside.id


def test_truncate_cannot_empty_the_audit_log(db: Session, clock: FakeClock) -> None:
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (its DELETE trigger covers emptying the table)")
    audit.record(db, None, "test_entry", clock())
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(text("TRUNCATE staff_audit_event"))
    assert db.scalar(select(func.count()).select_from(StaffAuditEvent)) == 1


def test_a_role_that_needs_two_factor_is_given_only_to_an_account_that_has_it(
    admin: TestClient, world: World, db: Session
) -> None:
    reader = world.people[Role.READ_ONLY]
    reader.totp_secret, reader.totp_confirmed_at = None, None
    db.flush()
    path = f"/staff/users/{reader.id}/role"
    response = post_form(admin, path, {"role": Role.REVIEWER.value, "organisation": ""})
    assert response.status_code == 422 and "must use two-factor authentication" in response.text
    db.refresh(reader)
    assert reader.role == Role.READ_ONLY.value
    reader.totp_secret, reader.totp_confirmed_at = "JBSWY3DPEHPK3PXP" * 2, dt.datetime.now(dt.UTC)
    db.flush()
    response = post_form(admin, path, {"role": Role.REVIEWER.value, "organisation": ""})
    assert response.status_code == 303
