"""Signing in: the password, then the TOTP code when the account has two-factor (admins and
reviewers must), and setting two-factor up. Every refusal counts towards throttling and reads
the same whether the e-mail address has an account or not."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from services_directory.accounts import StaffUser
from staff import audit, throttle
from staff.errors import SignInRefused, SignInThrottled, TwoFactorNotSetUp
from staff.invitations import normalise_email
from staff.passwords import verify_password
from staff.policy import YOUTH_ROLES, Role, needs_two_factor
from staff.sessions import NEEDS_CODE, SIGNED_IN
from staff.throttle import Attempt, ThrottleRules
from staff.totp import accepted_step, new_secret

THROTTLED = "sign_in_throttled"


def check_password(
    db: Session,
    email: str,
    password: str,
    attempt: Attempt,
    rules: ThrottleRules,
    now: dt.datetime,
    *,
    workshop: bool = False,
) -> StaffUser:
    """The active account whose password this is; else `SignInRefused` (or `SignInThrottled`
    before anything is checked, when this account or address has failed too often).

    Each door lets in its own accounts only: the staff sign-in staff (`workshop` False), the
    workshop's sign-in young people (by their workshop name). The other door's account is
    refused as if there were none."""
    user = db.scalar(select(StaffUser).where(StaffUser.email == normalise_email(email)))
    if user is not None and (Role(user.role) in YOUTH_ROLES) != workshop:
        user = None
    stored = user.password_hash if user is not None and user.active else None
    made = _claim(db, rules, attempt, now, "password")
    valid, new_hash = verify_password(password, stored)
    if not (valid and user):
        _failed(db, user, now, "wrong email or password")
        raise SignInRefused("wrong email or password")
    throttle.forget(db, made)
    if new_hash:
        # The hashing parameters changed since this hash was made: store one made with today's.
        user.password_hash = new_hash
    return user


def check_current_password(
    db: Session,
    user: StaffUser,
    password: str,
    attempt: Attempt,
    rules: ThrottleRules,
    now: dt.datetime,
) -> None:
    """The signed-in person's own password, asked again before a change to how they sign in;
    else `SignInRefused` (counted like a failed sign-in) or `SignInThrottled`."""
    stored = user.password_hash if user.active else None
    made = _claim(db, rules, attempt, now, "password")
    valid, _ = verify_password(password, stored)
    if not valid:
        _failed(db, user, now, "wrong password while setting up two-factor")
        raise SignInRefused("wrong password")
    throttle.forget(db, made)


def stage_after_password(db: Session, user: StaffUser, now: dt.datetime) -> str:
    """What signing in needs next: a code, or nothing more. An account whose role needs
    two-factor but never set it up is refused (`TwoFactorNotSetUp`): a password alone must not
    be enough to bind an authenticator to such an account, so it needs a new invitation."""
    if user.totp_confirmed_at is not None:
        return NEEDS_CODE
    if needs_two_factor(user.role):
        audit.record(
            db,
            None,
            "sign_in_refused",
            now,
            record_type="staff_user",
            record_id=user.id,
            detail="two-factor was never set up: a new invitation is needed",
            actor_label=audit.NOT_SIGNED_IN,
        )
        raise TwoFactorNotSetUp("two-factor was never set up")
    return SIGNED_IN


def check_code(
    db: Session,
    user: StaffUser,
    code: str,
    attempt: Attempt,
    rules: ThrottleRules,
    now: dt.datetime,
) -> None:
    """Accept the account's current TOTP code once; else `SignInRefused` / `SignInThrottled`."""
    made = _claim(db, rules, attempt, now, "code")
    if not user.active or user.totp_secret is None or user.totp_confirmed_at is None:
        raise SignInRefused("no two-factor set up")
    step = accepted_step(user.totp_secret, code, now, user.totp_last_counter)
    if step is None or not _use_step(db, user, step):
        _failed(db, user, now, "wrong or reused code")
        raise SignInRefused("wrong code")
    throttle.forget(db, made)


def signed_in(
    db: Session,
    user: StaffUser,
    attempt: Attempt,
    now: dt.datetime,
    action: str = "signed_in",
    detail: str = "",
) -> None:
    """Record a completed sign-in: the account's failures are forgotten, the log says so."""
    throttle.clear_account(db, attempt)
    user.last_sign_in_at = now
    audit.record(db, user, action, now, record_type="staff_user", record_id=user.id, detail=detail)


def enrolment_secret(user: StaffUser) -> str:
    """The secret to show for setting two-factor up (kept until confirmed, so reloading the page
    does not change what was already scanned)."""
    if user.totp_secret is None or user.totp_confirmed_at is not None:
        user.totp_secret = new_secret()
        user.totp_confirmed_at = None
        user.totp_last_counter = None
    return user.totp_secret


def confirm_enrolment(
    db: Session,
    user: StaffUser,
    code: str,
    attempt: Attempt,
    rules: ThrottleRules,
    now: dt.datetime,
) -> None:
    """Turn two-factor on when `code` comes from the secret shown; else `SignInRefused`."""
    made = _claim(db, rules, attempt, now, "two-factor set-up")
    secret = user.totp_secret
    if secret is None:
        raise SignInRefused("no secret to confirm")
    step = accepted_step(secret, code, now)
    if step is None or not _use_step(db, user, step, enrolling_with=secret):
        _failed(db, user, now, "wrong code while setting up two-factor")
        raise SignInRefused("wrong code")
    throttle.forget(db, made)
    user.totp_confirmed_at = now
    audit.record(db, user, "two_factor_set_up", now, record_type="staff_user", record_id=user.id)


def _use_step(db: Session, user: StaffUser, step: int, enrolling_with: str | None = None) -> bool:
    """Store `step` as the account's last accepted code, in one conditional UPDATE: false when
    a parallel request used this step (or a later one) first, so a code is never used twice.
    When enrolling, also false if the secret changed or two-factor was turned on meanwhile."""
    unused = or_(StaffUser.totp_last_counter.is_(None), StaffUser.totp_last_counter < step)
    query = update(StaffUser).where(StaffUser.id == user.id, unused)
    if enrolling_with is not None:
        query = query.where(
            StaffUser.totp_secret == enrolling_with, StaffUser.totp_confirmed_at.is_(None)
        )
    result = db.execute(query.values(totp_last_counter=step))
    return int(result.rowcount or 0) == 1  # type: ignore[attr-defined]


def _claim(
    db: Session, rules: ThrottleRules, attempt: Attempt, now: dt.datetime, step: str
) -> throttle.Claim:
    """Count the attempt before checking it; `SignInThrottled` (and an audit entry, one per
    typed address and window) when it may not be tried now."""
    made = throttle.claim(db, rules, attempt, now)
    if made is not None:
        return made
    # Keyed by the pseudonym of the address typed: the log says an account was under attack
    # without keeping an address that may be nobody's.
    if not audit.recorded_since(db, THROTTLED, attempt.account_key, now - rules.window):
        audit.record(
            db,
            None,
            THROTTLED,
            now,
            record_type="sign_in_attempt",
            record_id=attempt.account_key,
            detail=f"{step} refused: too many failed attempts",
            actor_label=audit.NOT_SIGNED_IN,
        )
    raise SignInThrottled("too many failed attempts")


def _failed(db: Session, user: StaffUser | None, now: dt.datetime, why: str) -> None:
    # The attempt was already counted by `_claim`. Whoever typed it is not known to be the
    # account's owner; an address with no account is not logged at all (it is nobody's
    # account, and the address typed is not kept).
    if user is not None:
        audit.record(
            db,
            None,
            "sign_in_failed",
            now,
            record_type="staff_user",
            record_id=user.id,
            detail=why,
            actor_label=audit.NOT_SIGNED_IN,
        )
