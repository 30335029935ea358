"""Sign-in throttling (ASVS 2.2.1): after too many failures within the window, an account, or an
address, may not try again until the oldest failure leaves the window.

Failures are kept under keyed pseudonyms of the e-mail address typed (whether or not an account has
it, so throttling tells nothing about which accounts exist) and of the client's address, with the
time: no other personal data. A success clears the account's failures, not the address's.

Each attempt is written down (and committed) as a failure before the password or code is checked,
and only then counted: attempts sent in parallel all see each other, so no more of them get
through than the limit allows. An attempt that succeeds is then forgotten.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffSignInFailure
from staff.tokens import keyed_pseudonym

ACCOUNT = "account"
ADDRESS = "ip"
KEEP_FOR = dt.timedelta(days=1)


@dataclass(frozen=True)
class ThrottleRules:
    """How many failures are allowed, per account and per address, within `window`."""

    key: str
    window: dt.timedelta = dt.timedelta(minutes=15)
    per_account: int = 5
    per_address: int = 20


@dataclass(frozen=True)
class Attempt:
    """Who is trying: the e-mail address typed and the client's address, as pseudonyms."""

    account_key: str
    address_key: str


def attempt_for(rules: ThrottleRules, email: str, address: str) -> Attempt:
    """The pseudonyms of an attempt (e-mail compared in lower case)."""
    return Attempt(
        account_key=keyed_pseudonym(rules.key, ACCOUNT, email.strip().lower()),
        address_key=keyed_pseudonym(rules.key, ADDRESS, address),
    )


def is_throttled(db: Session, rules: ThrottleRules, attempt: Attempt, now: dt.datetime) -> bool:
    """Whether this account or this address has used up its failures in the window."""
    since = now - rules.window
    return (
        _failures(db, ACCOUNT, attempt.account_key, since) >= rules.per_account
        or _failures(db, ADDRESS, attempt.address_key, since) >= rules.per_address
    )


@dataclass(frozen=True)
class Claim:
    """An attempt written down as a failure before it is checked (the ids of its two rows)."""

    row_ids: tuple[int, ...]


def claim(db: Session, rules: ThrottleRules, attempt: Attempt, now: dt.datetime) -> Claim | None:
    """Count this attempt as a failure of the account and the address before it is checked;
    None (nothing counted) when either has used up its failures in the window.

    Commits twice: the attempt must be visible to parallel attempts before they count, and no
    transaction may stay open while a password is hashed."""
    if is_throttled(db, rules, attempt, now):
        return None
    rows = [
        StaffSignInFailure(scope=ACCOUNT, key_hash=attempt.account_key, failed_at=now),
        StaffSignInFailure(scope=ADDRESS, key_hash=attempt.address_key, failed_at=now),
    ]
    db.add_all(rows)
    db.flush()
    made = Claim(tuple(row.id for row in rows))
    db.commit()
    since = now - rules.window
    over = (
        _failures(db, ACCOUNT, attempt.account_key, since) > rules.per_account
        or _failures(db, ADDRESS, attempt.address_key, since) > rules.per_address
    )
    if over:
        # Parallel attempts took the last places first: this one is refused, not counted.
        forget(db, made)
    db.commit()
    return None if over else made


def forget(db: Session, made: Claim) -> None:
    """The attempt succeeded: it is not a failure after all (only its own rows go)."""
    db.execute(delete(StaffSignInFailure).where(StaffSignInFailure.id.in_(made.row_ids)))


def clear_account(db: Session, attempt: Attempt) -> None:
    """Forget the account's failures after a successful sign-in."""
    db.execute(
        delete(StaffSignInFailure).where(
            StaffSignInFailure.scope == ACCOUNT,
            StaffSignInFailure.key_hash == attempt.account_key,
        )
    )


def purge(db: Session, now: dt.datetime) -> None:
    """Delete failures older than a day: kept no longer than throttling needs them."""
    db.execute(delete(StaffSignInFailure).where(StaffSignInFailure.failed_at < now - KEEP_FOR))


def _failures(db: Session, scope: str, key: str, since: dt.datetime) -> int:
    count = db.scalar(
        select(func.count())
        .select_from(StaffSignInFailure)
        .where(
            StaffSignInFailure.scope == scope,
            StaffSignInFailure.key_hash == key,
            StaffSignInFailure.failed_at >= since,
        )
    )
    return int(count or 0)
