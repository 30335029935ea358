"""Signing in through the council's identity provider (OpenID Connect): which account the
provider's validated claims let in, and what signing in still needs.

Accounts stay invitation-only. The provider's e-mail address (verified, when it says) lets in
an active account with that address, or uses an open invitation to it, which makes the account.
The first such sign-in binds the account to the provider's issuer and subject (`iss`, `sub`);
afterwards only that identity is accepted, so a reassigned address does not inherit an account.
Anything else is refused with an entry in the audit log, and never makes an account.

The provider's sign-in counts as the second factor only when its ID token says so (`amr`
containing "mfa", or an `acr` value the council configured); else an account with a TOTP
authenticator gives its code, and one whose role needs two-factor but has none sets it up
(just invited) or is refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffUser
from staff import audit
from staff.errors import OidcRefused
from staff.invitations import accept_for_identity, normalise_email
from staff.policy import needs_two_factor
from staff.sessions import NEEDS_CODE, NEEDS_ENROLMENT, SIGNED_IN, SessionStore

REFUSED = "sign_in_oidc_refused"
SIGNED_IN_ACTION = "sign_in_oidc"


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in, from a validated ID token."""

    issuer: str
    subject: str
    email: str
    name: str
    second_factor: bool


@dataclass(frozen=True)
class Admission:
    """The account an OIDC sign-in lets in, the session stage it starts at, and whether it
    was just made (or reset) from an invitation."""

    user: StaffUser
    stage: str
    invited: bool


def identity_of(claims: Mapping[str, Any], mfa_acr_values: Iterable[str]) -> Identity:
    """The identity in validated ID token claims; `OidcRefused` without a usable e-mail address
    or with one the provider says is not verified."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise OidcRefused("no_email", "the ID token has no e-mail address")
    verified = claims.get("email_verified", True)
    if verified not in (True, "true"):  # some providers send the JSON string
        raise OidcRefused("email_unverified", f"{normalise_email(email)} is not verified")
    amr = claims.get("amr")
    by_amr = isinstance(amr, list) and "mfa" in amr
    by_acr = isinstance(claims.get("acr"), str) and claims["acr"] in set(mfa_acr_values)
    name = claims.get("name")
    return Identity(
        issuer=str(claims["iss"]),
        subject=str(claims["sub"]),
        email=normalise_email(email),
        name=name.strip() if isinstance(name, str) else "",
        second_factor=by_amr or by_acr,
    )


def admit(db: Session, identity: Identity, now: dt.datetime, sessions: SessionStore) -> Admission:
    """The account this identity signs in to and the stage its session starts at; else
    `OidcRefused`, recorded in the audit log (the caller commits either way)."""
    user = db.scalar(select(StaffUser).where(StaffUser.email == identity.email))
    invited = False
    if user is not None and user.active:
        _bind_or_check(db, user, identity, now)
        if _unfinished(user, identity):
            # Two-factor never set up: only an invitation lets it be, as with a set-up link.
            accepted = accept_for_identity(
                db,
                identity.email,
                user.display_name,
                identity.issuer,
                identity.subject,
                now,
                sessions,
            )
            user, invited = accepted or user, accepted is not None
    else:
        _identity_unused(db, identity, now, user)
        display_name = identity.name or identity.email.split("@")[0]
        accepted = accept_for_identity(
            db, identity.email, display_name, identity.issuer, identity.subject, now, sessions
        )
        if accepted is None:
            why = "the account is deactivated" if user is not None else "no account or invitation"
            _refuse(db, identity, now, "unknown_email", why, user)
        assert accepted is not None
        user, invited = accepted, True
    return Admission(user, _stage(db, user, identity, now, invited), invited)


def _unfinished(user: StaffUser, identity: Identity) -> bool:
    """Whether the account's role needs two-factor that neither it nor this sign-in has."""
    return (
        needs_two_factor(user.role)
        and user.totp_confirmed_at is None
        and not identity.second_factor
    )


def _bind_or_check(db: Session, user: StaffUser, identity: Identity, now: dt.datetime) -> None:
    """Bind an account's first OIDC sign-in to the identity; afterwards require the same one."""
    if user.oidc_subject is None:
        _identity_unused(db, identity, now, user)
        user.oidc_issuer = identity.issuer
        user.oidc_subject = identity.subject
        db.flush()
        audit.record(
            db,
            user,
            "oidc_identity_bound",
            now,
            record_type="staff_user",
            record_id=user.id,
            detail=f"{identity.issuer} subject {identity.subject}",
        )
    elif (user.oidc_issuer, user.oidc_subject) != (identity.issuer, identity.subject):
        _refuse(
            db,
            identity,
            now,
            "subject_changed",
            f"the account is bound to another identity (subject {user.oidc_subject})",
            user,
        )


def _identity_unused(
    db: Session, identity: Identity, now: dt.datetime, user: StaffUser | None
) -> None:
    """Refuse an identity already bound to another account (one account per identity)."""
    other = db.scalar(
        select(StaffUser).where(
            StaffUser.oidc_issuer == identity.issuer,
            StaffUser.oidc_subject == identity.subject,
        )
    )
    if other is not None and (user is None or other.id != user.id):
        _refuse(db, identity, now, "identity_in_use", f"bound to the account of {other.email}")


def _stage(
    db: Session, user: StaffUser, identity: Identity, now: dt.datetime, invited: bool
) -> str:
    """What signing in needs after the provider: nothing, a TOTP code, or setting two-factor up
    (only right after an invitation, which is what lets an authenticator be bound)."""
    if identity.second_factor:
        return SIGNED_IN
    if user.totp_confirmed_at is not None:
        return NEEDS_CODE
    if not needs_two_factor(user.role):
        return SIGNED_IN
    if invited:
        return NEEDS_ENROLMENT
    _refuse(
        db,
        identity,
        now,
        "second_factor_missing",
        "the provider did not report a second factor and no authenticator is set up",
        user,
    )
    raise AssertionError("unreachable")  # pragma: no cover - _refuse raises


def _refuse(
    db: Session,
    identity: Identity,
    now: dt.datetime,
    reason: str,
    why: str,
    user: StaffUser | None = None,
) -> None:
    # The address is kept, unlike a typed one at the password form: the council's provider
    # vouched for it, and the directory team needs to see who tried.
    detail = f"{identity.email} ({identity.issuer} subject {identity.subject}): {why}"
    audit.record(
        db,
        None,
        REFUSED,
        now,
        record_type="staff_user" if user else "oidc_identity",
        record_id=user.id if user else identity.subject[:64],
        detail=detail,
        actor_label=audit.NOT_SIGNED_IN,
    )
    raise OidcRefused(reason, detail)
