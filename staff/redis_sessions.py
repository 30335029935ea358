"""Staff sessions in Redis, for several API processes on the scale path (`STAFF_SESSION_STORE=
redis`). The same records and lifetimes as the database store: each session is a hash under the
hash of its token, expiring with its idle timeout (Redis deletes it), and a set per account lists
its sessions for "sign out everywhere"."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace
from typing import Any

from staff.sessions import (
    STAGES,
    TOUCH_EVERY,
    Lifetimes,
    SessionRecord,
    new_csrf_secret,
)
from staff.tokens import new_token, token_hash

PREFIX = "staff:session:"
USER_PREFIX = "staff:user-sessions:"
# Touch a session only if it still exists, in one step: a session revoked between reading it and
# touching it must stay revoked, never be written back.
TOUCH = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'last_seen_at', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""


class RedisSessionStore:
    """Sessions in Redis (a `redis.Redis` client made with `decode_responses=True`)."""

    def __init__(self, client: Any, lifetimes: Lifetimes | None = None) -> None:
        self.client = client
        self.lifetimes = lifetimes or Lifetimes()

    def create(self, user_id: str, stage: str, now: dt.datetime) -> tuple[str, SessionRecord]:
        """Start a session; returns the token for the cookie and the record."""
        if stage not in STAGES:
            raise ValueError(f"unknown session stage {stage!r}")
        token = new_token()
        record = SessionRecord(
            key=token_hash(token),
            user_id=user_id,
            stage=stage,
            csrf_secret=new_csrf_secret(),
            created_at=now,
            last_seen_at=now,
        )
        self._write(record, now)
        self.client.sadd(USER_PREFIX + user_id, record.key)
        self.client.expire(USER_PREFIX + user_id, self._seconds(self.lifetimes.absolute))
        return token, record

    def find(self, token: str, now: dt.datetime) -> SessionRecord | None:
        """The live session of `token` (touched: its idle time starts again), or None."""
        fields = self.client.hgetall(PREFIX + token_hash(token))
        if not fields:
            return None
        record = SessionRecord(
            key=token_hash(token),
            user_id=fields["user_id"],
            stage=fields["stage"],
            csrf_secret=fields["csrf_secret"],
            created_at=dt.datetime.fromisoformat(fields["created_at"]),
            last_seen_at=dt.datetime.fromisoformat(fields["last_seen_at"]),
        )
        if not record.is_live(now, self.lifetimes):
            return None
        if now - record.last_seen_at >= TOUCH_EVERY:
            record = replace(record, last_seen_at=now)
            seconds = self._seconds(record.expires_at(self.lifetimes) - now)
            name = PREFIX + record.key
            if not self.client.eval(TOUCH, 1, name, now.isoformat(), seconds):
                return None  # revoked meanwhile
        return record

    def revoke(self, token: str, now: dt.datetime) -> None:
        """End the session of `token`."""
        key = token_hash(token)
        user_id = self.client.hget(PREFIX + key, "user_id")
        self.client.delete(PREFIX + key)
        if user_id:
            self.client.srem(USER_PREFIX + user_id, key)

    def revoke_all(self, user_id: str, now: dt.datetime) -> int:
        """End every session of the account; returns how many were still there."""
        keys = self.client.smembers(USER_PREFIX + user_id)
        ended = self.client.delete(*(PREFIX + key for key in keys)) if keys else 0
        self.client.delete(USER_PREFIX + user_id)
        return int(ended)

    def purge(self, now: dt.datetime) -> int:
        """Nothing to do: Redis deletes each session when it could no longer be used."""
        return 0

    def _write(self, record: SessionRecord, now: dt.datetime) -> None:
        name = PREFIX + record.key
        self.client.hset(
            name,
            mapping={
                "user_id": record.user_id,
                "stage": record.stage,
                "csrf_secret": record.csrf_secret,
                "created_at": record.created_at.isoformat(),
                "last_seen_at": record.last_seen_at.isoformat(),
            },
        )
        # Redis forgets it when it could no longer be used anyway.
        self.client.expire(name, self._seconds(record.expires_at(self.lifetimes) - now))

    @staticmethod
    def _seconds(delta: dt.timedelta) -> int:
        return max(1, math.ceil(delta.total_seconds()))
