"""Signing in: one message for an unknown address and a wrong password, codes that work once,
throttling per account and per address, re-hashing when the parameters change, and a safe
"next" page."""

from __future__ import annotations

from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffAuditEvent, StaffSignInFailure
from staff.policy import Role
from tests.staff.helpers import (
    HTML,
    PASSWORD,
    SESSION_COOKIE,
    FakeClock,
    code_for,
    csrf_of,
    make_user,
    sign_in,
)


def _try(client: TestClient, email: str, password: str, next_page: str = "") -> Any:
    page = client.get("/staff/sign-in", headers=HTML)
    data = {"csrf_token": csrf_of(page.text), "email": email, "password": password}
    if next_page:
        data["next"] = next_page
    return client.post("/staff/sign-in", data=data, headers=HTML)


def _try_code(client: TestClient, code: str) -> Any:
    page = client.get("/staff/sign-in/code", headers=HTML)
    data = {"csrf_token": csrf_of(page.text), "code": code}
    return client.post("/staff/sign-in/code", data=data, headers=HTML)


def test_unknown_address_and_wrong_password_read_the_same(client: TestClient, db: Session) -> None:
    make_user(db, "ro@council.example", Role.READ_ONLY)
    unknown = _try(client, "nobody@council.example", PASSWORD)
    wrong = _try(client, "ro@council.example", "not the password at all")
    assert unknown.status_code == wrong.status_code == 422
    message = "Enter a correct email address and password"
    assert message in unknown.text and message in wrong.text
    assert "staff_session=" not in wrong.headers.get("set-cookie", "")


def test_a_deactivated_account_cannot_sign_in(client: TestClient, db: Session) -> None:
    make_user(db, "gone@council.example", Role.READ_ONLY, active=False)
    assert _try(client, "gone@council.example", PASSWORD).status_code == 422


def test_the_email_address_is_not_case_sensitive(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    make_user(db, "ro@council.example", Role.READ_ONLY)
    assert _try(client, "  RO@Council.Example ", PASSWORD).status_code == 303


def test_admins_need_a_code_and_a_code_works_once(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    admin = make_user(db, "admin@council.example", Role.COUNCIL_ADMIN)
    response = _try(client, admin.email, PASSWORD)
    assert response.headers["location"] == "/staff/sign-in/code"
    assert client.get("/staff/", headers=HTML).headers["location"] == "/staff/sign-in/code"
    assert admin.totp_secret
    assert _try_code(client, "123 456").status_code == 422
    code = code_for(admin.totp_secret, clock)
    assert _try_code(client, code).status_code == 303
    assert client.get("/staff/", headers=HTML).status_code == 200
    # The same code, straight away, from another browser with the password: refused.
    other = TestClient(client.app, base_url="https://testserver", follow_redirects=False)
    _try(other, admin.email, PASSWORD)
    assert _try_code(other, code).status_code == 422
    clock.advance(seconds=30)
    assert _try_code(other, code_for(admin.totp_secret, clock)).status_code == 303


def test_an_admin_who_never_set_up_two_factor_needs_a_new_invitation(
    client: TestClient, db: Session
) -> None:
    """The password alone must not let anyone bind an authenticator to an admin's account."""
    admin = make_user(db, "admin@council.example", Role.COUNCIL_ADMIN, two_factor=False)
    response = _try(client, "admin@council.example", PASSWORD)
    assert response.status_code == 403 and "send a new invitation" in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert client.get("/staff/two-factor", headers=HTML).headers["location"] == "/staff/sign-in"
    entry = db.scalars(
        select(StaffAuditEvent).where(StaffAuditEvent.action == "sign_in_refused")
    ).one()
    assert entry.record_id == admin.id and "new invitation" in entry.detail


def test_five_failures_lock_the_account_for_the_window(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    make_user(db, "ro@council.example", Role.READ_ONLY)
    for _ in range(5):
        assert _try(client, "ro@council.example", "wrong password here").status_code == 422
    locked = _try(client, "ro@council.example", PASSWORD)  # even the right password
    assert locked.status_code == 429 and "Too many attempts" in locked.text
    # From another address too: the account is throttled, not the browser.
    other = TestClient(
        client.app,
        base_url="https://testserver",
        client=("203.0.113.9", 5000),
        follow_redirects=False,
    )
    assert _try(other, "ro@council.example", PASSWORD).status_code == 429
    clock.advance(minutes=15, seconds=1)
    assert _try(client, "ro@council.example", PASSWORD).status_code == 303
    # Only pseudonyms and times are kept about the attempts.
    for failure in db.scalars(select(StaffSignInFailure)):
        assert "ro@" not in failure.key_hash and len(failure.key_hash) == 64


def test_an_unknown_address_is_throttled_like_a_real_one(client: TestClient) -> None:
    for _ in range(5):
        _try(client, "nobody@council.example", "wrong password here")
    assert _try(client, "nobody@council.example", "wrong password here").status_code == 429


def test_wrong_codes_count_too(client: TestClient, db: Session, clock: FakeClock) -> None:
    admin = make_user(db, "admin@council.example", Role.COUNCIL_ADMIN)
    _try(client, admin.email, PASSWORD)
    for _ in range(5):
        assert _try_code(client, "000000").status_code == 422
    assert admin.totp_secret
    assert _try_code(client, code_for(admin.totp_secret, clock)).status_code == 429


def test_one_address_trying_many_accounts_is_throttled(app_factory: Any, db: Session) -> None:
    client = app_factory(staff_sign_in_max_failures_per_ip=8)
    for n in range(8):
        assert _try(client, f"guess{n}@council.example", "wrong password here").status_code == 422
    make_user(db, "ro@council.example", Role.READ_ONLY)
    assert _try(client, "ro@council.example", PASSWORD).status_code == 429
    elsewhere = TestClient(
        client.app,
        base_url="https://testserver",
        client=("198.51.100.7", 1),
        follow_redirects=False,
    )
    assert _try(elsewhere, "ro@council.example", PASSWORD).status_code == 303


def test_failures_are_audited_without_what_was_typed(client: TestClient, db: Session) -> None:
    user = make_user(db, "ro@council.example", Role.READ_ONLY)
    _try(client, "ro@council.example", "my secret guess 123")
    _try(client, "nobody@council.example", "another secret guess")
    entries = db.scalars(select(StaffAuditEvent)).all()
    assert [(e.action, e.record_id, e.actor_label) for e in entries] == [
        ("sign_in_failed", user.id, "not signed in")
    ]
    text = " ".join(f"{e.detail} {e.actor_label}" for e in entries)
    assert "guess" not in text and "nobody" not in text


def test_a_hash_made_with_old_parameters_is_replaced_at_sign_in(
    client: TestClient, db: Session
) -> None:
    user = make_user(db, "ro@council.example", Role.READ_ONLY)
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    db.flush()
    assert _try(client, user.email, PASSWORD).status_code == 303
    db.refresh(user)
    assert user.password_hash and "m=47104,t=1,p=1" in user.password_hash
    client.cookies.clear()
    assert _try(client, user.email, PASSWORD).status_code == 303


@pytest.mark.parametrize(
    ("asked", "sent_to"),
    [
        ("/staff/users", "/staff/users"),
        ("https://evil.example/staff/", "/staff/"),
        ("//evil.example/staff/", "/staff/"),
        ("/elsewhere", "/staff/"),
        ("/staff/\\evil.example", "/staff/"),
    ],
)
def test_after_sign_in_only_staff_pages_of_this_site(
    client: TestClient, db: Session, asked: str, sent_to: str
) -> None:
    make_user(db, "ro@council.example", Role.READ_ONLY)
    assert _try(client, "ro@council.example", PASSWORD, asked).headers["location"] == sent_to


def test_signed_in_people_skip_the_sign_in_page(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    user = make_user(db, "ro@council.example", Role.READ_ONLY)
    sign_in(client, user, clock)
    assert client.get("/staff/sign-in", headers=HTML).headers["location"] == "/staff/"


def test_a_code_in_other_digits_is_a_wrong_code_and_counts(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    admin = make_user(db, "admin@council.example", Role.COUNCIL_ADMIN)
    _try(client, admin.email, PASSWORD)
    assert admin.totp_secret
    code = code_for(admin.totp_secret, clock)
    arabic_indic = code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    response = _try_code(client, arabic_indic)
    assert response.status_code == 422 and "Enter the code shown" in response.text
    failures = db.scalars(select(StaffSignInFailure)).all()
    assert sorted(f.scope for f in failures) == ["account", "ip"]
    assert [e.action for e in db.scalars(select(StaffAuditEvent))] == ["sign_in_failed"]


def test_a_throttled_refusal_is_logged_once_a_window_under_a_pseudonym(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    make_user(db, "ro@council.example", Role.READ_ONLY)
    for _ in range(5):
        _try(client, "ro@council.example", "wrong password here")
    for _ in range(3):
        assert _try(client, "ro@council.example", PASSWORD).status_code == 429
    entries = db.scalars(
        select(StaffAuditEvent).where(StaffAuditEvent.action == "sign_in_throttled")
    ).all()
    assert len(entries) == 1
    (entry,) = entries
    assert entry.actor_label == "not signed in" and "password refused" in entry.detail
    assert len(entry.record_id or "") == 64 and "ro@" not in (entry.record_id or "")
    failure = db.scalars(
        select(StaffSignInFailure).where(StaffSignInFailure.scope == "account")
    ).first()
    assert failure and failure.key_hash == entry.record_id  # the throttle's own pseudonym
    clock.advance(minutes=15, seconds=1)
    _try(client, "ro@council.example", "wrong password here")
    for _ in range(5):
        _try(client, "ro@council.example", "wrong password here")
    assert (
        len(
            db.scalars(
                select(StaffAuditEvent).where(StaffAuditEvent.action == "sign_in_throttled")
            ).all()
        )
        == 2
    )


def test_a_success_clears_the_accounts_failures_but_not_the_addresss(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    make_user(db, "ro@council.example", Role.READ_ONLY)
    for _ in range(2):
        _try(client, "ro@council.example", "wrong password here")
    assert _try(client, "ro@council.example", PASSWORD).status_code == 303
    scopes = sorted(f.scope for f in db.scalars(select(StaffSignInFailure)))
    # The two failures still count against the address; the success itself counts nowhere.
    assert scopes == ["ip", "ip"]
