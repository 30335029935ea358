"""Sessions: the cookie's flags, a new session at sign-in, the idle and absolute timeouts (a moved
clock, no sleeping), sign out everywhere, deactivation and the Redis store."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyotp
import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffAuditEvent, StaffSession
from staff.policy import Role
from staff.redis_sessions import RedisSessionStore
from staff.sessions import SIGNED_IN, DatabaseSessionStore, Lifetimes
from staff.tokens import token_hash
from tests.staff.helpers import (
    HTML,
    PASSWORD,
    SECRET,
    SESSION_COOKIE,
    FakeClock,
    csrf_of,
    make_user,
    post_form,
    sign_in,
)


def _password_step(client: TestClient, user: Any) -> Any:
    page = client.get("/staff/sign-in", headers=HTML)
    return client.post(
        "/staff/sign-in",
        data={"csrf_token": csrf_of(page.text), "email": user.email, "password": PASSWORD},
        headers=HTML,
    )


def _session_cookie(client: TestClient, user: Any, name: str = SESSION_COOKIE) -> str:
    """The Set-Cookie header of the session, as the browser receives it at sign-in."""
    headers = _password_step(client, user).headers.multi_items()
    return next(v for k, v in headers if k == "set-cookie" and v.startswith(f"{name}="))


def _flags(cookie: str) -> set[str]:
    return {part.strip().lower() for part in cookie.split(";")[1:]}


def test_the_session_cookie_is_host_only_httponly_lax_and_secure(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    user = make_user(db, "ro@council.example", Role.READ_ONLY)
    cookie = _session_cookie(client, user)
    flags = _flags(cookie)
    assert {"httponly", "samesite=lax", "secure", "path=/"} <= flags
    # `__Host-`: Secure, Path=/ and no Domain, or the browser refuses it.
    assert cookie.startswith("__Host-staff_session=") and not any(
        f.startswith("domain") for f in flags
    )
    token = cookie.split(";")[0].split("=", 1)[1]
    stored = db.scalars(select(StaffSession)).one()
    assert stored.id == token_hash(token) and token not in stored.id
    page = client.get("/staff/sign-in", headers=HTML)  # signed-in: redirected, no new cookie
    presession = TestClient(client.app, base_url="https://testserver").get("/staff/sign-in")
    assert page.status_code == 303
    assert presession.headers["set-cookie"].startswith("__Host-staff_presession=")
    assert {"secure", "path=/"} <= _flags(presession.headers["set-cookie"])


def test_development_over_http_drops_secure_and_the_prefix(
    app_factory: Any, db: Session, clock: FakeClock
) -> None:
    client = app_factory(environment="development")
    user = make_user(db, "ro@council.example", Role.READ_ONLY)
    cookie = _session_cookie(client, user, "staff_session")
    # Path=/: the youth council workshop's pages (/workshop/) share the session.
    assert "secure" not in _flags(cookie) and "path=/" in _flags(cookie)
    # Signing in works with the plain names too.
    assert client.get("/staff/", headers=HTML).status_code == 200


def test_each_step_of_signing_in_starts_a_new_session(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    admin = make_user(db, "admin@council.example", Role.COUNCIL_ADMIN)
    form_token = csrf_of(client.get("/staff/sign-in", headers=HTML).text)
    sign_in(client, admin, clock)  # password (one session), then code (another)
    first = client.cookies[SESSION_COOKIE]
    assert len(db.scalars(select(StaffSession)).all()) == 2
    # Signing in again from the same browser ends the session it had.
    clock.advance(seconds=30)
    client.post(
        "/staff/sign-in",
        data={"csrf_token": form_token, "email": admin.email, "password": PASSWORD},
        headers=HTML,
    )
    assert client.cookies[SESSION_COOKIE] != first
    db.expire_all()
    live = db.scalars(select(StaffSession).where(StaffSession.revoked_at.is_(None))).all()
    assert len(live) == 1 and live[0].id != token_hash(first)
    # The signed-in session it had is over: the new one still needs the code.
    assert client.get("/staff/", headers=HTML).headers["location"] == "/staff/sign-in/code"


def test_a_session_id_planted_before_sign_in_is_worthless(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    user = make_user(db, "ro@council.example", Role.READ_ONLY)
    client.cookies.set(SESSION_COOKIE, "planted-by-an-attacker", path="/")
    sign_in(client, user, clock)
    values = [c.value for c in client.cookies.jar if c.name == SESSION_COOKIE]
    assert any(v != "planted-by-an-attacker" for v in values)
    attacker = TestClient(client.app, base_url="https://testserver", follow_redirects=False)
    attacker.cookies.set(SESSION_COOKIE, "planted-by-an-attacker", path="/")
    assert attacker.get("/staff/", headers=HTML).status_code == 303


def test_a_session_ends_after_an_hour_without_use(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    user = make_user(db, "ro@council.example", Role.READ_ONLY)
    sign_in(client, user, clock)
    clock.advance(minutes=59)
    assert client.get("/staff/", headers=HTML).status_code == 200  # use restarts the hour
    clock.advance(minutes=59)
    assert client.get("/staff/", headers=HTML).status_code == 200
    clock.advance(minutes=60, seconds=1)
    response = client.get("/staff/account", headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/sign-in?next=/staff/account&notice=expired"
    assert (
        "used the pages for a while" in client.get(response.headers["location"], headers=HTML).text
    )
    assert client.get("/staff/", headers={"Accept": "application/json"}).status_code == 401


def test_a_busy_session_still_ends_after_twelve_hours(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    user = make_user(db, "ro@council.example", Role.READ_ONLY)
    sign_in(client, user, clock)
    for _ in range(23):
        clock.advance(minutes=30)
        assert client.get("/staff/", headers=HTML).status_code == 200
    clock.advance(minutes=30)
    assert client.get("/staff/", headers=HTML).status_code == 303


def test_a_half_finished_sign_in_lasts_ten_minutes(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    admin = make_user(db, "admin@council.example", Role.COUNCIL_ADMIN)
    assert _password_step(client, admin).headers["location"] == "/staff/sign-in/code"
    # Part way through, the staff pages send the person on to the step they need.
    assert client.get("/staff/users", headers=HTML).headers["location"] == "/staff/sign-in/code"
    clock.advance(minutes=11)
    assert client.get("/staff/sign-in/code", headers=HTML).headers["location"] == "/staff/sign-in"


def test_sign_out_everywhere_ends_every_session(
    app_factory: Any, db: Session, clock: FakeClock
) -> None:
    laptop, phone = app_factory(), app_factory()
    user = make_user(db, "admin@council.example", Role.COUNCIL_ADMIN)
    sign_in(laptop, user, clock)
    clock.advance(seconds=30)  # a new code for the second device
    sign_in(phone, user, clock)
    response = post_form(
        phone, "/staff/account/sign-out-everywhere", {}, form_page="/staff/account"
    )
    assert response.headers["location"] == "/staff/sign-in?notice=everywhere"
    assert laptop.get("/staff/", headers=HTML).status_code == 303
    assert phone.get("/staff/", headers=HTML).status_code == 303


def test_sign_out_ends_only_this_session(app_factory: Any, db: Session, clock: FakeClock) -> None:
    laptop, phone = app_factory(), app_factory()
    user = make_user(db, "ro@council.example", Role.READ_ONLY)
    sign_in(laptop, user, clock)
    sign_in(phone, user, clock)
    post_form(phone, "/staff/sign-out", {}, form_page="/staff/")
    assert phone.get("/staff/", headers=HTML).status_code == 303
    assert laptop.get("/staff/", headers=HTML).status_code == 200


@pytest.fixture
def redis_client() -> Any:
    client = redis.Redis(host="127.0.0.1", port=6379, db=15, decode_responses=True)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.mark.parametrize("kind", ["database", "redis"])
def test_both_stores_keep_the_same_rules(kind: str, db: Session, redis_client: Any) -> None:
    lifetimes = Lifetimes(idle=dt.timedelta(minutes=60), absolute=dt.timedelta(hours=12))
    store = (
        DatabaseSessionStore(db, lifetimes)
        if kind == "database"
        else RedisSessionStore(redis_client, lifetimes)
    )
    user = make_user(db, "ro@council.example", Role.READ_ONLY)
    now = dt.datetime.now(dt.UTC)
    token, record = store.create(user.id, SIGNED_IN, now)
    other, _ = store.create(user.id, SIGNED_IN, now)
    assert store.find(token, now + dt.timedelta(minutes=59)) is not None  # touched
    assert store.find(token, now + dt.timedelta(minutes=118)) is not None
    assert store.find(token, now + dt.timedelta(minutes=179)) is None  # idle an hour
    assert store.find("not-a-token", now) is None
    store.revoke(other, now)
    assert store.find(other, now) is None
    again, _ = store.create(user.id, SIGNED_IN, now)
    assert store.revoke_all(user.id, now) >= 1
    assert store.find(again, now) is None
    assert store.find(token, now) is None


def test_the_app_keeps_sessions_in_redis_when_asked(
    app_factory: Any, db: Session, clock: FakeClock, redis_client: Any
) -> None:
    client = app_factory(staff_session_store="redis", redis_url="redis://127.0.0.1:6379/15")
    user = make_user(db, "ro@council.example", Role.READ_ONLY)
    sign_in(client, user, clock)
    assert client.get("/staff/account", headers=HTML).status_code == 200
    assert db.scalars(select(StaffSession)).first() is None
    assert list(redis_client.scan_iter("staff:session:*"))
    post_form(client, "/staff/account/sign-out-everywhere", {}, form_page="/staff/account")
    assert client.get("/staff/", headers=HTML).status_code == 303


def test_a_session_revoked_while_it_is_touched_stays_revoked(redis_client: Any) -> None:
    """Between reading a session and writing its "last seen", another process revokes it: the
    touch must not write it back."""
    store = RedisSessionStore(redis_client)
    now = dt.datetime.now(dt.UTC)
    token, _ = store.create("u-1", SIGNED_IN, now)
    later = now + dt.timedelta(minutes=5)  # time to touch it
    read = redis_client.hgetall

    def read_then_revoked(name: str) -> Any:
        fields = read(name)
        RedisSessionStore(redis_client).revoke(token, later)  # another API process
        return fields

    redis_client.hgetall = read_then_revoked
    assert store.find(token, later) is None
    redis_client.hgetall = read
    assert not redis_client.exists(f"staff:session:{token_hash(token)}")
    assert store.find(token, later) is None


def test_a_signed_in_session_of_an_admin_without_two_factor_is_refused(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    admin = make_user(db, "admin@council.example", Role.COUNCIL_ADMIN, two_factor=False)
    token, _ = DatabaseSessionStore(db).create(admin.id, SIGNED_IN, clock())
    client.cookies.set(SESSION_COOKIE, token, path="/")
    for path in ("/staff/", "/staff/users", "/staff/two-factor"):
        response = client.get(path, headers=HTML)
        assert response.status_code == 303 and response.headers["location"].startswith(
            "/staff/sign-in"
        ), path


def _turn_on(client: TestClient, password: str, clock: FakeClock) -> Any:
    page = client.get("/staff/two-factor", headers=HTML)
    assert page.status_code == 200 and 'name="password"' in page.text
    secret = SECRET.search(page.text).group(1).replace(" ", "")  # type: ignore[union-attr]
    data = {"csrf_token": csrf_of(page.text), "password": password}
    data["code"] = pyotp.TOTP(secret).at(clock.now)
    return client.post("/staff/two-factor", data=data, headers=HTML)


def test_turning_two_factor_on_when_signed_in_needs_the_password_and_ends_other_sessions(
    app_factory: Any, db: Session, clock: FakeClock
) -> None:
    laptop, phone = app_factory(), app_factory()
    editor = make_user(db, "ed@council.example", Role.READ_ONLY)
    sign_in(laptop, editor, clock)
    sign_in(phone, editor, clock)
    # Someone at a computer left signed in, without the password: refused, counted, nothing on.
    refused = _turn_on(laptop, "not the password at all", clock)
    assert refused.status_code == 422 and "Enter your current password" in refused.text
    assert _turn_on(laptop, "", clock).status_code == 422  # the field is required
    db.refresh(editor)
    assert editor.totp_confirmed_at is None
    failed = db.scalars(select(StaffAuditEvent).where(StaffAuditEvent.action == "sign_in_failed"))
    assert [e.detail for e in failed] == ["wrong password while setting up two-factor"]
    # With the password: on, this browser gets a new session, every other one ends.
    response = _turn_on(laptop, PASSWORD, clock)
    assert response.status_code == 303 and response.headers["location"] == "/staff/account"
    assert SESSION_COOKIE in response.headers["set-cookie"]
    db.refresh(editor)
    assert editor.totp_confirmed_at is not None
    assert laptop.get("/staff/account", headers=HTML).status_code == 200
    assert phone.get("/staff/account", headers=HTML).status_code == 303
    entry = db.scalars(
        select(StaffAuditEvent).where(StaffAuditEvent.action == "other_sessions_ended")
    ).one()
    assert entry.record_id == editor.id and "1 other session(s) ended" in entry.detail
