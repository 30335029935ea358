"""Invitations: the only way into an account. A single-use link, valid for a limited time, made by
someone the policy allows (or by `make admin` on the command line) and e-mailed to the person.
Accepting it sets the password; it creates the account, or resets an existing one (new password,
two-factor to set up again, every session ended). An invitation is worth no more than its inviter:
it stops working when they are deactivated or their role changes, or if they could no longer make
it."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services_directory.accounts import StaffInvitation, StaffUser
from services_directory.models import Organization
from staff import audit
from staff.errors import InvalidChange, InvitationUnusable, PermissionDenied
from staff.passwords import hash_password, password_problem
from staff.policy import (
    Permission,
    Role,
    Target,
    actor_of,
    can,
    can_see,
    needs_organisation,
    needs_two_factor,
    target_of,
)
from staff.sessions import SessionStore
from staff.tokens import new_token, token_hash

ALREADY_AN_ACCOUNT = "There is already an account with this email address"
# One message for an organisation's manager, whether the address has an account or an open
# invitation elsewhere: neither is theirs to see, nor to replace.
CANNOT_INVITE = "You cannot invite this email address. Ask your council's directory team to help"


@dataclass(frozen=True)
class NewInvitation:
    """An invitation just made, with the token for its link (the only time it is known)."""

    invitation: StaffInvitation
    token: str


def normalise_email(email: str) -> str:
    """E-mail addresses are compared and stored in lower case, without surrounding spaces."""
    return email.strip().lower()


def set_up_path(token: str) -> str:
    """The path of the set-up page of an invitation's token."""
    return f"/staff/set-up/{token}"


def invite(
    db: Session,
    inviter: StaffUser | None,
    email: str,
    role: Role,
    organisation_id: str | None,
    now: dt.datetime,
    valid_for: dt.timedelta,
    *,
    reset_existing: bool = False,
) -> NewInvitation:
    """Invite `email` with `role` (and organisation); earlier open invitations to it are withdrawn
    (each in the audit log), when all of them are within the inviter's reach; else refused.

    `inviter` None means the command line (`make admin`). An existing account in use is refused
    unless `reset_existing` (the command line's re-invitation of an admin); one whose set-up was
    never finished (no two-factor for a role that needs it) may be invited again."""
    email = normalise_email(email)
    organisation_id = organisation_id if needs_organisation(role) else None
    actor = actor_of(inviter) if inviter is not None else None
    if actor is not None and not can(actor, Permission.USERS_INVITE, Target(organisation_id, role)):
        raise PermissionDenied("you may not invite someone with that role or organisation")
    if needs_organisation(role) and (
        organisation_id is None or db.get(Organization, organisation_id) is None
    ):
        raise InvalidChange("organisation", "Select the organisation they work for")
    existing = db.scalar(select(StaffUser).where(StaffUser.email == email))
    if (
        existing is not None
        and actor is not None
        and not can(actor, Permission.USERS_INVITE, target_of(existing))
    ):
        visible = can_see(actor, target_of(existing))
        raise InvalidChange("email", ALREADY_AN_ACCOUNT if visible else CANNOT_INVITE)
    if _in_use(existing) and not reset_existing:
        raise InvalidChange("email", ALREADY_AN_ACCOUNT)
    earlier = open_invitations_to(db, email, now)
    if actor is not None and any(
        not can(actor, Permission.USERS_INVITE, target_of(i)) for i in earlier
    ):
        raise InvalidChange("email", CANNOT_INVITE)
    withdraw_invitations(db, inviter, earlier, now, "replaced by a new invitation")
    token = new_token()
    invitation = StaffInvitation(
        id=str(uuid.uuid4()),
        token_hash=token_hash(token),
        email=email,
        role=role.value,
        organisation_id=organisation_id,
        invited_by_id=inviter.id if inviter else None,
        created_at=now,
        expires_at=now + valid_for,
    )
    db.add(invitation)
    db.flush()
    audit.record(
        db,
        inviter,
        "invited",
        now,
        record_type="invitation",
        record_id=invitation.id,
        detail=f"{email} as {role.label}",
    )
    return NewInvitation(invitation, token)


def _in_use(account: StaffUser | None) -> bool:
    """Whether an account can be signed in to: active, with a password or bound to the identity
    provider (OIDC), and with two-factor if its role needs it (else its set-up was never
    finished: see `stage_after_password`)."""
    return (
        account is not None
        and account.active
        and (account.password_hash is not None or account.oidc_subject is not None)
        and (account.totp_confirmed_at is not None or not needs_two_factor(account.role))
    )


def open_invitations_to(db: Session, email: str, now: dt.datetime) -> list[StaffInvitation]:
    """The invitations to `email` that could still be used."""
    return _open(db, now, StaffInvitation.email == normalise_email(email))


def invitations_made_by(db: Session, user_id: str, now: dt.datetime) -> list[StaffInvitation]:
    """The invitations this account made that could still be used."""
    return _open(db, now, StaffInvitation.invited_by_id == user_id)


def _open(db: Session, now: dt.datetime, *criteria: Any) -> list[StaffInvitation]:
    query = select(StaffInvitation).where(
        *criteria,
        StaffInvitation.used_at.is_(None),
        StaffInvitation.revoked_at.is_(None),
        StaffInvitation.expires_at > now,
    )
    return list(db.scalars(query.order_by(StaffInvitation.created_at)))


def withdraw_invitations(
    db: Session,
    actor: StaffUser | None,
    invitations: list[StaffInvitation],
    now: dt.datetime,
    why: str,
) -> None:
    """Withdraw each invitation (its link stops working), each with an entry in the audit log
    (`actor` None: the command line)."""
    for invitation in invitations:
        invitation.revoked_at = now
        audit.record(
            db,
            actor,
            "invitation_withdrawn",
            now,
            record_type="invitation",
            record_id=invitation.id,
            detail=f"{invitation.email}: {why}",
        )


def usable_invitation(db: Session, token: str, now: dt.datetime) -> StaffInvitation:
    """The invitation of a set-up link, if it can still be used; else `InvitationUnusable`."""
    invitation = db.scalar(
        select(StaffInvitation).where(StaffInvitation.token_hash == token_hash(token))
    )
    if (
        invitation is None
        or invitation.used_at is not None
        or invitation.revoked_at is not None
        or now >= invitation.expires_at
        or not _inviter_may_still(db, invitation)
    ):
        raise InvitationUnusable("this set-up link has been used, withdrawn or has expired")
    return invitation


def _inviter_may_still(db: Session, invitation: StaffInvitation) -> bool:
    """Whether whoever made the invitation could make it now: the command line always; an
    account only while it is active and its role lets it invite that role there, and reset
    the account the address already has, if any."""
    if invitation.invited_by_id is None:
        return True
    inviter = db.get(StaffUser, invitation.invited_by_id)
    if inviter is None or not inviter.active:
        return False
    actor = actor_of(inviter)
    target = Target(invitation.organisation_id, Role(invitation.role))
    if not can(actor, Permission.USERS_INVITE, target):
        return False
    existing = db.scalar(select(StaffUser).where(StaffUser.email == invitation.email))
    return existing is None or can(actor, Permission.USERS_INVITE, target_of(existing))


def _claim(db: Session, invitation: StaffInvitation, now: dt.datetime) -> bool:
    """Mark the invitation used in one conditional UPDATE: a second request, or a withdrawal
    committed meanwhile (the inviter deactivated, say), leaves nothing to claim (False)."""
    claimed = db.execute(
        update(StaffInvitation)
        .where(
            StaffInvitation.id == invitation.id,
            StaffInvitation.used_at.is_(None),
            StaffInvitation.revoked_at.is_(None),
            StaffInvitation.expires_at > now,
        )
        .values(used_at=now)
    )
    return claimed.rowcount == 1  # type: ignore[attr-defined]


def _account_to_set_up(
    db: Session, invitation: StaffInvitation, now: dt.datetime, sessions: SessionStore
) -> StaffUser:
    """The account the invitation sets up: a new one, or the existing one with every session
    ended (a new link resets it)."""
    user = db.scalar(select(StaffUser).where(StaffUser.email == invitation.email))
    if user is None:
        user = StaffUser(id=str(uuid.uuid4()), email=invitation.email)
        db.add(user)
    else:
        sessions.revoke_all(user.id, now)
    return user


def accept(
    db: Session,
    token: str,
    display_name: str,
    password: str,
    now: dt.datetime,
    sessions: SessionStore,
) -> StaffUser:
    """Use the invitation of `token`: set the account's name and password. Single use: the
    invitation is marked used in the same transaction, guarded against a second request racing."""
    invitation = usable_invitation(db, token, now)
    problem = password_problem(password, invitation.email)
    if problem:
        raise InvalidChange("password", problem)
    if not _claim(db, invitation, now):
        raise InvitationUnusable("this set-up link has already been used")
    user = _account_to_set_up(db, invitation, now, sessions)
    user.display_name = display_name.strip()
    user.role = invitation.role
    user.organisation_id = invitation.organisation_id
    user.password_hash = hash_password(password)
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_counter = None
    user.active = True
    db.flush()
    audit.record(db, user, "invitation_accepted", now, record_type="staff_user", record_id=user.id)
    return user


def accept_for_identity(
    db: Session,
    email: str,
    display_name: str,
    issuer: str,
    subject: str,
    now: dt.datetime,
    sessions: SessionStore,
) -> StaffUser | None:
    """Use the open invitation to `email` for someone the identity provider vouched for (OIDC):
    the account is made (or reset, as by a set-up link) with no password, bound to the
    provider's `issuer` and `subject`. None when no invitation to the address can be used."""
    usable = [i for i in open_invitations_to(db, email, now) if _inviter_may_still(db, i)]
    if not usable:
        return None
    invitation = usable[-1]  # the newest (a new invitation withdraws earlier ones anyway)
    if not _claim(db, invitation, now):
        return None
    user = _account_to_set_up(db, invitation, now, sessions)
    user.display_name = display_name.strip() or invitation.email
    user.role = invitation.role
    user.organisation_id = invitation.organisation_id
    user.password_hash = None
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_counter = None
    user.oidc_issuer = issuer
    user.oidc_subject = subject
    user.active = True
    db.flush()
    audit.record(
        db,
        user,
        "invitation_accepted",
        now,
        record_type="staff_user",
        record_id=user.id,
        detail="through the identity provider (OIDC)",
    )
    return user
