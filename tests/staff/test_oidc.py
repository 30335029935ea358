"""Signing in through an identity provider (OIDC), against a real local provider process
(oidc-provider-mock on a free port, real HTTP): the app's side runs in the TestClient, and the
browser's visit to the provider is made with httpx, as a browser would follow the redirect.

Covered: an invitation used through the provider makes the account; an existing account is bound
to the provider's subject and then requires it; an unknown, unverified or deactivated address is
refused with an audit entry and no account; a wrong or missing `state` is refused; an admin
still gives a TOTP code unless the ID token says the provider checked a second factor."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from oidc_provider_mock import run_server_in_thread
from sqlalchemy import select
from sqlalchemy.orm import Session

from devkit.stack import free_port
from services_directory.accounts import StaffAuditEvent, StaffInvitation, StaffSession, StaffUser
from settings.app import Settings
from staff.invitations import invite
from staff.policy import Role
from staff.tokens import token_hash
from tests.staff.helpers import (
    HTML,
    SESSION_COOKIE,
    FakeClock,
    code_for,
    csrf_of,
    make_user,
    sign_in,
)

CLIENT_ID = "youth-directory"
PENDING_COOKIE = "__Host-staff_oidc"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """A real OIDC provider on localhost and a free port; yields its issuer URL."""
    with run_server_in_thread(port=free_port(), require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def oidc_client(app_factory: Any, provider: str) -> TestClient:
    """The app configured for the provider (password sign-in still allowed)."""
    return app_factory(
        public_base_url="https://testserver",
        staff_oidc_issuer=provider,
        staff_oidc_client_id=CLIENT_ID,
        staff_oidc_client_secret="test-only-client-secret",
        staff_oidc_button_label="Sign in with Example Council account",
    )


def person(provider: str, email: str, **claims: Any) -> str:
    """A person at the provider with these claims (e-mail verified unless said); their `sub`."""
    sub = str(uuid.uuid4())
    body = {"email": email, "email_verified": True, "name": "Sam Example", **claims}
    httpx.put(f"{provider}/users/{sub}", json=body).raise_for_status()
    return sub


def to_provider(client: TestClient, next_page: str = "", token: str = "") -> httpx.URL:
    """Press the sign-in page's provider button (with the CSRF token of a page shown earlier,
    if given); the authorization URL the app sends us to."""
    if not token:
        page = client.get("/staff/sign-in", headers=HTML)
        assert page.status_code == 200
        token = csrf_of(page.text)  # the button's form is the first
    data = {"csrf_token": token, "next": next_page}
    started = client.post("/staff/sign-in/oidc", data=data, headers=HTML)
    assert started.status_code == 303, started.text
    return httpx.URL(started.headers["location"])


def at_provider(authorization: httpx.URL, sub: str) -> str:
    """Sign in at the provider as `sub` (its form posts back to the same URL); the callback
    path and query it redirects the browser to."""
    answer = httpx.post(str(authorization), data={"sub": sub})
    assert answer.status_code == 302, answer.text
    callback = urlsplit(answer.headers["location"])
    assert f"{callback.scheme}://{callback.netloc}" == "https://testserver"
    return f"{callback.path}?{callback.query}"


def oidc_sign_in(client: TestClient, sub: str, next_page: str = "") -> httpx.Response:
    """The whole journey through the provider; the app's answer to the callback."""
    callback = at_provider(to_provider(client, next_page), sub)
    return client.get(callback, headers=HTML)


def entries(db: Session, action: str) -> list[StaffAuditEvent]:
    return list(db.scalars(select(StaffAuditEvent).where(StaffAuditEvent.action == action)))


def account(db: Session, email: str) -> StaffUser | None:
    db.expire_all()
    return db.scalar(select(StaffUser).where(StaffUser.email == email))


def test_the_sign_in_page_offers_the_provider_as_a_form_with_csrf(
    oidc_client: TestClient, provider: str
) -> None:
    page = oidc_client.get("/staff/sign-in", headers=HTML)
    assert "Sign in with Example Council account" in page.text
    assert 'action="/staff/sign-in/oidc"' in page.text
    assert f"form-action 'self' {provider}" in page.headers["content-security-policy"]
    # A login CSRF: another site posting the button's form without this browser's token.
    refused = oidc_client.post("/staff/sign-in/oidc", data={"next": ""}, headers=HTML)
    assert refused.status_code == 403


def test_the_authorization_request_uses_pkce_state_and_nonce(oidc_client: TestClient) -> None:
    query = parse_qs(to_provider(oidc_client).query.decode())
    assert query["response_type"] == ["code"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == ["https://testserver/staff/sign-in/oidc/callback"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43  # base64url of a SHA-256
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}
    assert query["state"][0] and query["nonce"][0]
    cookie = oidc_client.cookies.get(PENDING_COOKIE)
    assert cookie and query["state"][0] not in cookie  # the state is kept, encoded and signed


def test_an_invitation_used_through_the_provider_makes_the_account(
    oidc_client: TestClient, provider: str, db: Session, clock: FakeClock
) -> None:
    made = invite(
        db,
        None,
        "new.person@council.example",
        Role.READ_ONLY,
        None,
        clock(),
        dt.timedelta(hours=72),
    )
    sub = person(provider, "New.Person@Council.example", name="New Person")
    response = oidc_sign_in(oidc_client, sub, next_page="/staff/account")
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/staff/account"
    user = account(db, "new.person@council.example")
    assert user is not None and user.active
    assert (user.oidc_issuer, user.oidc_subject) == (provider, sub)
    assert user.password_hash is None and user.display_name == "New Person"
    invitation = db.get(StaffInvitation, made.invitation.id)
    assert invitation is not None and invitation.used_at is not None
    assert [e.detail for e in entries(db, "invitation_accepted")] == [
        "through the identity provider (OIDC)"
    ]
    assert [e.actor_id for e in entries(db, "sign_in_oidc")] == [user.id]
    assert oidc_client.get("/staff/", headers=HTML).status_code == 200
    # The pending request's cookie is used once: going back to the callback does nothing.
    assert not oidc_client.cookies.get(PENDING_COOKIE)


def test_an_existing_account_is_bound_to_its_subject_with_a_new_session(
    oidc_client: TestClient, provider: str, db: Session, clock: FakeClock
) -> None:
    user = make_user(db, "editor@council.example", Role.READ_ONLY)
    token = csrf_of(oidc_client.get("/staff/sign-in", headers=HTML).text)
    sign_in(oidc_client, user, clock)
    before = oidc_client.cookies.get(SESSION_COOKIE)
    sub = person(provider, "EDITOR@council.example")
    response = oidc_client.get(
        at_provider(to_provider(oidc_client, token=token), sub), headers=HTML
    )
    assert response.status_code == 303 and response.headers["location"] == "/staff/"
    after = oidc_client.cookies.get(SESSION_COOKIE)
    assert before and after and after != before  # a new session id, the old one ended
    assert db.get(StaffSession, token_hash(before)).revoked_at is not None  # type: ignore[union-attr]
    assert db.get(StaffSession, token_hash(after)).stage == "signed_in"  # type: ignore[union-attr]
    assert (account(db, "editor@council.example").oidc_subject) == sub  # type: ignore[union-attr]
    assert len(entries(db, "oidc_identity_bound")) == 1
    # The same identity again, another day: in, without binding anything anew.
    oidc_client.cookies.clear()
    assert oidc_sign_in(oidc_client, sub).status_code == 303
    assert len(entries(db, "oidc_identity_bound")) == 1
    assert len(entries(db, "sign_in_oidc")) == 2


def test_an_unknown_address_is_refused_and_logged_never_an_account(
    oidc_client: TestClient, provider: str, db: Session
) -> None:
    sub = person(provider, "stranger@elsewhere.example")
    response = oidc_sign_in(oidc_client, sub)
    assert response.status_code == 403
    assert "There is no account you can use for stranger@elsewhere.example" in response.text
    assert SESSION_COOKIE not in oidc_client.cookies
    assert account(db, "stranger@elsewhere.example") is None
    [refusal] = entries(db, "sign_in_oidc_refused")
    assert "stranger@elsewhere.example" in refusal.detail and sub in refusal.detail


def test_an_unverified_address_is_refused(
    oidc_client: TestClient, provider: str, db: Session
) -> None:
    make_user(db, "ro@council.example", Role.READ_ONLY)
    sub = person(provider, "ro@council.example", email_verified=False)
    assert oidc_sign_in(oidc_client, sub).status_code == 403
    assert account(db, "ro@council.example").oidc_subject is None  # type: ignore[union-attr]


def test_another_subject_with_the_same_address_is_refused(
    oidc_client: TestClient, provider: str, db: Session
) -> None:
    make_user(db, "ro@council.example", Role.READ_ONLY)
    first = person(provider, "ro@council.example")
    assert oidc_sign_in(oidc_client, first).status_code == 303
    oidc_client.cookies.clear()
    # The address was given to someone else at the provider: a new `sub`.
    second = person(provider, "ro@council.example")
    response = oidc_sign_in(oidc_client, second)
    assert response.status_code == 403
    assert "set up with a different identity" in response.text
    assert SESSION_COOKIE not in oidc_client.cookies
    assert account(db, "ro@council.example").oidc_subject == first  # type: ignore[union-attr]
    [refusal] = entries(db, "sign_in_oidc_refused")
    assert second in refusal.detail


def test_a_wrong_or_missing_state_is_refused(
    oidc_client: TestClient, provider: str, db: Session
) -> None:
    make_user(db, "ro@council.example", Role.READ_ONLY)
    sub = person(provider, "ro@council.example")
    callback = at_provider(to_provider(oidc_client), sub)
    path, query = callback.split("?", 1)
    params = parse_qs(query)
    forged = f"{path}?code={params['code'][0]}&state=not-the-state"
    response = oidc_client.get(forged, headers=HTML)
    assert response.status_code == 400
    assert "Sign-in could not be completed" in response.text
    assert SESSION_COOKIE not in oidc_client.cookies
    # The right state, but from a browser that did not start the sign-in (no pending cookie).
    other_browser = oidc_client.get(callback, headers=HTML)
    assert other_browser.status_code == 400
    assert account(db, "ro@council.example").oidc_subject is None  # type: ignore[union-attr]


def test_a_deactivated_account_is_refused(
    oidc_client: TestClient, provider: str, db: Session
) -> None:
    make_user(db, "gone@council.example", Role.READ_ONLY, active=False)
    sub = person(provider, "gone@council.example")
    response = oidc_sign_in(oidc_client, sub)
    assert response.status_code == 403
    assert SESSION_COOKIE not in oidc_client.cookies
    assert account(db, "gone@council.example").active is False  # type: ignore[union-attr]
    assert "deactivated" in entries(db, "sign_in_oidc_refused")[0].detail


def test_an_admin_still_gives_a_code_unless_the_provider_checked_a_second_factor(
    oidc_client: TestClient, provider: str, db: Session, clock: FakeClock
) -> None:
    admin = make_user(db, "admin@council.example", Role.COUNCIL_ADMIN)
    sub = person(provider, "admin@council.example")  # no `amr`: one factor, as far as we know
    response = oidc_sign_in(oidc_client, sub)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/sign-in/code"
    assert oidc_client.get("/staff/users", headers=HTML).headers["location"] == (
        "/staff/sign-in/code"
    )
    page = oidc_client.get("/staff/sign-in/code", headers=HTML)
    assert admin.totp_secret
    code = code_for(admin.totp_secret, clock)
    done = oidc_client.post(
        "/staff/sign-in/code", data={"csrf_token": csrf_of(page.text), "code": code}, headers=HTML
    )
    assert done.status_code == 303 and done.headers["location"] == "/staff/"
    assert oidc_client.get("/staff/users", headers=HTML).status_code == 200


def test_the_providers_mfa_counts_as_the_second_factor(
    oidc_client: TestClient, provider: str, db: Session
) -> None:
    make_user(db, "admin@council.example", Role.COUNCIL_ADMIN)
    sub = person(provider, "admin@council.example", amr=["pwd", "mfa"])
    response = oidc_sign_in(oidc_client, sub)
    assert response.status_code == 303 and response.headers["location"] == "/staff/"
    assert oidc_client.get("/staff/users", headers=HTML).status_code == 200
    [entry] = entries(db, "sign_in_oidc")
    assert entry.detail == "second factor at the provider"


def test_an_invited_reviewer_without_the_providers_mfa_sets_up_two_factor(
    oidc_client: TestClient, provider: str, db: Session, clock: FakeClock
) -> None:
    invite(
        db, None, "reviewer@council.example", Role.REVIEWER, None, clock(), dt.timedelta(hours=72)
    )
    sub = person(provider, "reviewer@council.example")
    response = oidc_sign_in(oidc_client, sub)
    assert response.status_code == 303 and response.headers["location"] == "/staff/two-factor"
    assert oidc_client.get("/staff/", headers=HTML).headers["location"] == "/staff/two-factor"


def test_password_sign_in_can_be_turned_off(app_factory: Any, provider: str, db: Session) -> None:
    client = app_factory(
        public_base_url="https://testserver",
        staff_oidc_issuer=provider,
        staff_oidc_client_id=CLIENT_ID,
        staff_oidc_client_secret="test-only-client-secret",
        staff_password_sign_in=False,
    )
    make_user(db, "ro@council.example", Role.READ_ONLY)
    page = client.get("/staff/sign-in", headers=HTML)
    assert 'action="/staff/sign-in/oidc"' in page.text
    assert 'action="/staff/sign-in"' not in page.text
    data = {"csrf_token": csrf_of(page.text), "email": "ro@council.example", "password": "x"}
    assert client.post("/staff/sign-in", data=data, headers=HTML).status_code == 403


def test_without_a_provider_there_is_no_button(client: TestClient) -> None:
    page = client.get("/staff/sign-in", headers=HTML)
    assert "/staff/sign-in/oidc" not in page.text
    assert (
        client.get("/staff/sign-in/oidc/callback?state=x&code=y", headers=HTML).status_code == 404
    )


def test_the_settings_refuse_a_half_configured_provider() -> None:
    base: dict[str, Any] = {"environment": "test", "staff_secret_key": "test-only-staff-key"}
    with pytest.raises(ValueError, match="CLIENT_ID"):
        Settings(**base, staff_oidc_issuer="https://login.example")
    with pytest.raises(ValueError, match="openid and email"):
        Settings(
            **base,
            staff_oidc_issuer="https://login.example",
            staff_oidc_client_id="x",
            staff_oidc_client_secret="y",
            staff_oidc_scopes="openid profile",
        )
    with pytest.raises(ValueError, match="needs STAFF_OIDC_ISSUER"):
        Settings(**base, staff_password_sign_in=False)
