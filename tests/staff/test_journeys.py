"""The whole way in, as a person takes it: an admin invites by e-mail (a real SMTP server), the
link sets a password and two-factor, then sign in, sign out, and the link never works twice."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffAuditEvent, StaffInvitation, StaffUser
from staff.invitations import invite, set_up_path
from staff.policy import Role
from tests.staff.conftest import Inbox
from tests.staff.helpers import (
    HTML,
    PASSWORD,
    SECRET,
    FakeClock,
    csrf_of,
    make_organisation,
    make_user,
    post_form,
    sign_in,
)

LINK = re.compile(r"https://staff\.example\.org(/staff/set-up/[A-Za-z0-9_-]+)")


def _link_from(inbox: Inbox) -> str:
    assert len(inbox.messages) == 1
    body = inbox.messages[0].get_payload(decode=True).decode()  # type: ignore[union-attr]
    match = LINK.search(body)
    assert match, body
    return match.group(1)


def _invite(client: TestClient, email: str, role: Role, organisation: str = "") -> Any:
    return post_form(
        client,
        "/staff/users/invite",
        {"email": email, "role": role.value, "organisation": organisation},
    )


def test_invite_set_up_two_factor_sign_in_and_out(
    app_factory: Any, smtp: tuple[Inbox, int], db: Session, clock: FakeClock
) -> None:
    inbox, port = smtp
    settings = {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none"}
    client = app_factory(public_base_url="https://staff.example.org", **settings)
    admin = make_user(db, "admin@council.example", Role.COUNCIL_ADMIN)
    sign_in(client, admin, clock)

    response = _invite(client, "New.Reviewer@Council.Example", Role.REVIEWER)
    assert response.status_code == 303
    assert (
        "Invitation sent to new.reviewer@council.example"
        in client.get(response.headers["location"], headers=HTML).text
    )
    message = inbox.messages[0]
    assert message["To"] == "new.reviewer@council.example"
    link = _link_from(inbox)
    token = link.rsplit("/", 1)[1]
    stored = db.scalars(select(StaffInvitation)).one()
    assert token not in stored.token_hash  # only its hash is kept

    # The invitee, in their own browser.
    invitee = TestClient(client.app, base_url="https://testserver", follow_redirects=False)
    page = invitee.get(link, headers=HTML)
    assert page.status_code == 200 and "new.reviewer@council.example" in page.text
    response = invitee.post(
        link,
        data={
            "csrf_token": csrf_of(page.text),
            "display_name": "Nia Reviewer",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
        headers=HTML,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/two-factor"  # reviewers need two-factor
    assert invitee.get("/staff/", headers=HTML).status_code == 303  # not signed in yet

    page = invitee.get("/staff/two-factor", headers=HTML)
    secret = SECRET.search(page.text).group(1).replace(" ", "")  # type: ignore[union-attr]
    assert "otpauth://totp/" in page.text
    wrong = invitee.post(
        "/staff/two-factor", data={"csrf_token": csrf_of(page.text), "code": "000000"}, headers=HTML
    )
    assert wrong.status_code == 422 and "Enter the code shown" in wrong.text
    response = invitee.post(
        "/staff/two-factor",
        data={"csrf_token": csrf_of(page.text), "code": pyotp.TOTP(secret).at(clock.now)},
        headers=HTML,
    )
    assert response.status_code == 303 and response.headers["location"] == "/staff/"
    home = invitee.get("/staff/", headers=HTML)
    assert home.status_code == 200 and "Nia Reviewer" in home.text

    # Sign out, then in again: password and a new code.
    response = post_form(invitee, "/staff/sign-out", {}, form_page="/staff/")
    assert response.headers["location"] == "/staff/sign-in?notice=signed-out"
    assert invitee.get("/staff/", headers=HTML).status_code == 303
    user = db.scalars(select(StaffUser).where(StaffUser.role == Role.REVIEWER.value)).one()
    db.refresh(user)
    clock.advance(seconds=60)  # the code used to set up is not accepted again
    sign_in(invitee, user, clock)
    assert invitee.get("/staff/", headers=HTML).status_code == 200

    # The link worked once.
    assert invitee.get(link, headers=HTML).status_code == 404
    actions = [e.action for e in db.scalars(select(StaffAuditEvent).order_by(StaffAuditEvent.id))]
    assert actions == [
        "signed_in",  # the admin
        "invited",
        "invitation_accepted",
        "sign_in_failed",  # the wrong code while setting up two-factor
        "two_factor_set_up",
        "signed_in",
        "signed_out",
        "signed_in",
    ]


def test_an_editor_sets_up_without_two_factor(
    client: TestClient, db: Session, clock: FakeClock, tmp_path: Any
) -> None:
    organisation = make_organisation(db, "Riverside Youth Club")
    admin = make_user(db, "admin@council.example", Role.COUNCIL_ADMIN)
    sign_in(client, admin, clock)
    assert _invite(client, "ed@riverside.example", Role.ORGANISATION_EDITOR).status_code == 422
    response = _invite(client, "ed@riverside.example", Role.ORGANISATION_EDITOR, organisation.id)
    assert response.status_code == 303
    # No SMTP server configured: the message is in the outbox folder, nothing left the machine.
    (message,) = (tmp_path / "outbox").glob("*.eml")
    link = LINK.search(message.read_text()) or re.search(
        r"(/staff/set-up/\S+)", message.read_text()
    )
    assert link
    path = link.group(1)
    editor = TestClient(client.app, base_url="https://testserver", follow_redirects=False)
    page = editor.get(path, headers=HTML)
    assert "Riverside Youth Club" in page.text
    response = editor.post(
        path,
        data={
            "csrf_token": csrf_of(page.text),
            "display_name": "Ed",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
        headers=HTML,
    )
    assert response.headers["location"] == "/staff/"
    assert editor.get("/staff/", headers=HTML).status_code == 200


def test_a_set_up_link_works_once(
    client: TestClient, db: Session, clock: FakeClock, tmp_path: Any
) -> None:
    path = _cli_link(db, clock, "once@council.example")
    page = client.get(path, headers=HTML)
    form = {"display_name": "A", "password": PASSWORD, "confirm": PASSWORD}
    response = client.post(path, data={"csrf_token": csrf_of(page.text), **form}, headers=HTML)
    assert response.status_code == 303
    other = TestClient(client.app, base_url="https://testserver", follow_redirects=False)
    again = other.get(path, headers=HTML)
    assert again.status_code == 404 and "This link no longer works" in again.text
    # Posting it again (a token from the earlier page) is refused too.
    token = csrf_of(other.get("/staff/sign-in").text)
    response = other.post(path, data={"csrf_token": token, **form}, headers=HTML)
    assert response.status_code == 404


def test_a_set_up_link_expires(client: TestClient, db: Session, clock: FakeClock) -> None:
    path = _cli_link(db, clock, "late@council.example")
    clock.advance(hours=71, minutes=59)
    assert client.get(path, headers=HTML).status_code == 200
    clock.advance(minutes=2)
    assert client.get(path, headers=HTML).status_code == 404


def test_an_unknown_set_up_link_is_not_found(client: TestClient) -> None:
    assert client.get("/staff/set-up/not-a-real-token", headers=HTML).status_code == 404


def test_a_weak_password_is_refused_beside_its_field(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    path = _cli_link(db, clock, "weak.person@council.example")
    page = client.get(path, headers=HTML)
    for password, message in (
        ("short", "12 characters or more"),
        ("Password123!", "too common"),
        ("weak.person2024", "must not contain your email address"),
    ):
        response = client.post(
            path,
            data={
                "csrf_token": csrf_of(page.text),
                "display_name": "W",
                "password": password,
                "confirm": password,
            },
            headers=HTML,
        )
        assert response.status_code == 422
        assert 'class="govuk-error-summary"' in response.text
        assert 'id="password-error"' in response.text and message in response.text
    assert client.get(path, headers=HTML).status_code == 200  # the link is still usable


def _cli_link(db: Session, clock: FakeClock, email: str) -> str:
    """A set-up link made as `make admin` makes it."""
    made = invite(db, None, email, Role.COUNCIL_ADMIN, None, clock(), dt.timedelta(hours=72))
    db.flush()
    return set_up_path(made.token)


def test_a_reviewer_who_leaves_before_two_factor_needs_a_new_invitation(
    app_factory: Any, db: Session, clock: FakeClock, tmp_path: Any
) -> None:
    """The link is used once the password is chosen; two-factor must follow in the same visit
    (10 minutes), or the password alone never opens the account: an admin invites again."""
    client = app_factory()
    admin = make_user(db, "admin@council.example", Role.COUNCIL_ADMIN)
    sign_in(client, admin, clock)
    invitee = TestClient(client.app, base_url="https://testserver", follow_redirects=False)

    def invite_and_choose_a_password() -> str:
        for old in (tmp_path / "outbox").glob("*.eml"):
            old.unlink()
        assert _invite(client, "nia@council.example", Role.REVIEWER).status_code == 303
        (message,) = (tmp_path / "outbox").glob("*.eml")
        match = re.search(r"(/staff/set-up/[A-Za-z0-9_-]+)", message.read_text())
        assert match
        page = invitee.get(match.group(1), headers=HTML)
        form = {"display_name": "Nia", "password": PASSWORD, "confirm": PASSWORD}
        response = invitee.post(
            match.group(1), data={"csrf_token": csrf_of(page.text), **form}, headers=HTML
        )
        assert response.headers["location"] == "/staff/two-factor"
        return match.group(1)

    first_link = invite_and_choose_a_password()
    invitee.cookies.clear()  # the browser is closed before two-factor is set up
    clock.advance(minutes=11)
    page = invitee.get("/staff/sign-in", headers=HTML)
    data = {"csrf_token": csrf_of(page.text), "email": "nia@council.example", "password": PASSWORD}
    refused = invitee.post("/staff/sign-in", data=data, headers=HTML)
    assert refused.status_code == 403 and "send a new invitation" in refused.text
    assert invitee.get(first_link, headers=HTML).status_code == 404  # used
    # The admin can invite the unfinished account again, and this time it is finished.
    invite_and_choose_a_password()
    page = invitee.get("/staff/two-factor", headers=HTML)
    secret = SECRET.search(page.text).group(1).replace(" ", "")  # type: ignore[union-attr]
    response = invitee.post(
        "/staff/two-factor",
        data={"csrf_token": csrf_of(page.text), "code": pyotp.TOTP(secret).at(clock.now)},
        headers=HTML,
    )
    assert response.headers["location"] == "/staff/"
