"""Server-side sessions of staff: the cookie carries a random token, the store keeps its hash.

A session lasts while it is used: it ends after `idle` without a request (60 minutes by default)
and, however busy, `absolute` after it began (12 hours). A session that is half way through
signing in (password accepted, code still needed) lives at most `PENDING_LIFETIME`. Signing in
always starts a new session (no fixation); signing out revokes it; "sign out everywhere" revokes
every session of the account.

The database store is the default; `staff.redis_sessions` keeps the same records in Redis for
several API processes without a shared database session table.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from services_directory.accounts import StaffSession
from staff.tokens import new_token, token_hash

SIGNED_IN = "signed_in"
NEEDS_CODE = "needs_code"
NEEDS_ENROLMENT = "needs_enrolment"
STAGES = (SIGNED_IN, NEEDS_CODE, NEEDS_ENROLMENT)
PENDING_LIFETIME = dt.timedelta(minutes=10)
# last_seen is written at most this often: a page of requests is one write, not ten.
TOUCH_EVERY = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class Lifetimes:
    """How long a session lasts without use, and at most."""

    idle: dt.timedelta = dt.timedelta(minutes=60)
    absolute: dt.timedelta = dt.timedelta(hours=12)


@dataclass(frozen=True)
class SessionRecord:
    """A session as the web layer sees it (`key` is the hash of the cookie's token)."""

    key: str
    user_id: str
    stage: str
    csrf_secret: str
    created_at: dt.datetime
    last_seen_at: dt.datetime

    def expires_at(self, lifetimes: Lifetimes) -> dt.datetime:
        """When this session ends if it is not used again."""
        if self.stage != SIGNED_IN:
            return self.created_at + PENDING_LIFETIME
        return min(self.last_seen_at + lifetimes.idle, self.created_at + lifetimes.absolute)

    def is_live(self, now: dt.datetime, lifetimes: Lifetimes) -> bool:
        """Whether the session may still be used at `now`."""
        return now < self.expires_at(lifetimes)


class SessionStore(Protocol):
    """Where sessions live. Every method takes the cookie's token, never a stored key."""

    lifetimes: Lifetimes

    def create(self, user_id: str, stage: str, now: dt.datetime) -> tuple[str, SessionRecord]:
        """Start a session; returns the token for the cookie and the record."""
        ...

    def find(self, token: str, now: dt.datetime) -> SessionRecord | None:
        """The live session of `token` (touched: its idle time starts again), or None."""
        ...

    def revoke(self, token: str, now: dt.datetime) -> None:
        """End the session of `token`."""
        ...

    def revoke_all(self, user_id: str, now: dt.datetime) -> int:
        """End every session of the account; returns how many were live."""
        ...

    def purge(self, now: dt.datetime) -> int:
        """Forget sessions that can no longer be used; returns how many."""
        ...


def new_csrf_secret() -> str:
    """The random value a session's CSRF tokens are bound to."""
    return secrets.token_hex(32)


class DatabaseSessionStore:
    """Sessions in the `staff_session` table, written through the request's database session
    (the caller commits)."""

    def __init__(self, db: Session, lifetimes: Lifetimes | None = None) -> None:
        self.db = db
        self.lifetimes = lifetimes or Lifetimes()

    def create(self, user_id: str, stage: str, now: dt.datetime) -> tuple[str, SessionRecord]:
        """Start a session; returns the token for the cookie and the record."""
        if stage not in STAGES:
            raise ValueError(f"unknown session stage {stage!r}")
        token = new_token()
        row = StaffSession(
            id=token_hash(token),
            user_id=user_id,
            stage=stage,
            csrf_secret=new_csrf_secret(),
            created_at=now,
            last_seen_at=now,
        )
        self.db.add(row)
        self.db.flush()
        return token, _record(row)

    def find(self, token: str, now: dt.datetime) -> SessionRecord | None:
        """The live session of `token` (touched: its idle time starts again), or None."""
        row = self.db.get(StaffSession, token_hash(token))
        if row is None or row.revoked_at is not None:
            return None
        if not _record(row).is_live(now, self.lifetimes):
            return None
        if now - row.last_seen_at >= TOUCH_EVERY:
            row.last_seen_at = now
            self.db.flush()
        return _record(row)

    def revoke(self, token: str, now: dt.datetime) -> None:
        """End the session of `token`."""
        self.db.execute(
            update(StaffSession)
            .where(StaffSession.id == token_hash(token), StaffSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    def revoke_all(self, user_id: str, now: dt.datetime) -> int:
        """End every session of the account; returns how many were not yet revoked."""
        result = self.db.execute(
            update(StaffSession)
            .where(StaffSession.user_id == user_id, StaffSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def purge(self, now: dt.datetime) -> int:
        """Delete sessions that can no longer be used (revoked, or past their absolute end)."""
        result = self.db.execute(
            delete(StaffSession).where(
                or_(
                    StaffSession.revoked_at.is_not(None),
                    StaffSession.created_at < now - self.lifetimes.absolute,
                )
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def live_sessions(self, user_id: str, now: dt.datetime) -> list[SessionRecord]:
        """The account's sessions that may still be used."""
        rows = self.db.scalars(
            select(StaffSession).where(
                StaffSession.user_id == user_id, StaffSession.revoked_at.is_(None)
            )
        )
        records = [_record(row) for row in rows]
        return [r for r in records if r.is_live(now, self.lifetimes)]


def _record(row: StaffSession) -> SessionRecord:
    return SessionRecord(
        key=row.id,
        user_id=row.user_id,
        stage=row.stage,
        csrf_secret=row.csrf_secret,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
    )
