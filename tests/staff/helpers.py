"""Helpers of the staff tests: accounts made straight in the database, a clock the test moves,
the CSRF token of a page, and signing in through the pages as a person would."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from functools import cache

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from services_directory.accounts import StaffUser
from services_directory.models import Organization
from staff.passwords import hash_password
from staff.policy import Role, needs_two_factor

PASSWORD = "correct horse battery staple"
# The test clients use https, so the cookies are Secure and carry the `__Host-` prefix.
SESSION_COOKIE = "__Host-staff_session"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SECRET = re.compile(r'id="secret">([A-Z2-7 ]+)<')  # the key shown for setting two-factor up
HTML = {"Accept": "text/html,application/xhtml+xml"}


@dataclass
class FakeClock:
    """A clock that stands still until the test moves it on."""

    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock on (minutes=61, hours=2, ...)."""
        self.now += dt.timedelta(**delta)


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash the shared password once


def make_organisation(db: Session, name: str) -> Organization:
    """An organisation of the directory."""
    organisation = Organization(id=str(uuid.uuid4()), name=name)
    db.add(organisation)
    db.flush()
    return organisation


def make_user(
    db: Session,
    email: str,
    role: Role,
    organisation: Organization | None = None,
    *,
    two_factor: bool | None = None,
    active: bool = True,
) -> StaffUser:
    """An account with the shared password; two-factor on for the roles that need it unless
    `two_factor` says otherwise."""
    if two_factor is None:
        two_factor = needs_two_factor(role)
    user = StaffUser(
        id=str(uuid.uuid4()),
        email=email,
        display_name=email.split("@")[0].title(),
        role=role.value,
        organisation_id=organisation.id if organisation else None,
        password_hash=_password_hash(),
        active=active,
    )
    if two_factor:
        user.totp_secret = pyotp.random_base32(32)
        user.totp_confirmed_at = dt.datetime.now(dt.UTC)
    db.add(user)
    db.flush()
    return user


def csrf_of(html: str) -> str:
    """The CSRF token of the (first) form of a page."""
    match = CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def code_for(secret: str, clock: FakeClock, steps: int = 0) -> str:
    """The TOTP code of `secret` at the clock's time (`steps` of 30 s later)."""
    return pyotp.TOTP(secret).at(clock.now + dt.timedelta(seconds=30 * steps))


def sign_in(
    client: TestClient, user: StaffUser, clock: FakeClock, password: str = PASSWORD
) -> None:
    """Sign in through the pages: password, then the code when the account has two-factor."""
    page = client.get("/staff/sign-in", headers=HTML)
    response = client.post(
        "/staff/sign-in",
        data={"csrf_token": csrf_of(page.text), "email": user.email, "password": password},
        headers=HTML,
    )
    assert response.status_code == 303, response.text
    if response.headers["location"] == "/staff/sign-in/code":
        page = client.get("/staff/sign-in/code", headers=HTML)
        assert user.totp_secret
        response = client.post(
            "/staff/sign-in/code",
            data={"csrf_token": csrf_of(page.text), "code": code_for(user.totp_secret, clock)},
            headers=HTML,
        )
        assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/staff/"), response.headers["location"]


def post_form(client: TestClient, path: str, data: dict[str, str], form_page: str | None = None):
    """Post a form with the CSRF token of the page it is on (default: the page at `path`)."""
    page = client.get(form_page or path, headers=HTML)
    assert page.status_code == 200, (page.status_code, page.text[:500])
    return client.post(path, data={"csrf_token": csrf_of(page.text), **data}, headers=HTML)
