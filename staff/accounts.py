"""Managing accounts: who sees which accounts, changing a role, deactivating, signing out
everywhere. Every change is checked against the policy here as well as by the route, and leaves
an audit entry in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffInvitation, StaffUser
from services_directory.models import Organization
from staff import audit
from staff.errors import AccountNotFound, InvalidChange, PermissionDenied
from staff.invitations import (
    invitations_made_by,
    open_invitations_to,
    withdraw_invitations,
)
from staff.policy import (
    YOUTH_ROLES,
    Actor,
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


def _scoped(query: Select[Any], actor: Actor, column: Any) -> Select[Any]:
    """Limit `query` to the actor's organisation when their role is an organisation's (and to
    nothing when that role has no organisation)."""
    if actor.is_organisation_scoped:
        if actor.organisation_id is None:
            return query.where(false())
        return query.where(column == actor.organisation_id)
    return query


def visible_users(db: Session, actor: Actor) -> list[StaffUser]:
    """The staff accounts this person may see (an organisation's roles: their organisation's
    only). Young people's workshop accounts are the workshop's moderators' (/workshop/members)."""
    query = _scoped(select(StaffUser), actor, StaffUser.organisation_id).where(
        StaffUser.role.not_in([role.value for role in YOUTH_ROLES])
    )
    return list(db.scalars(query.order_by(StaffUser.email)))


def visible_user(db: Session, actor: Actor, user_id: str) -> StaffUser:
    """One staff account this person may see; `AccountNotFound` if none, one outside their
    reach, or a young person's workshop account (never changed from the staff pages)."""
    user = db.get(StaffUser, user_id)
    if user is None or Role(user.role) in YOUTH_ROLES or not can_see(actor, target_of(user)):
        raise AccountNotFound(user_id)
    return user


def open_invitations(db: Session, actor: Actor, now: dt.datetime) -> list[StaffInvitation]:
    """Invitations not yet used, withdrawn or expired, within this person's reach."""
    query = select(StaffInvitation).where(
        StaffInvitation.used_at.is_(None),
        StaffInvitation.revoked_at.is_(None),
        StaffInvitation.expires_at > now,
    )
    query = _scoped(query, actor, StaffInvitation.organisation_id)
    return list(db.scalars(query.order_by(StaffInvitation.created_at.desc())))


def organisations_for(db: Session, actor: Actor) -> list[Organization]:
    """The organisations this person may invite into or assign (theirs only, for its roles)."""
    query = _scoped(select(Organization), actor, Organization.id)
    return list(db.scalars(query.order_by(Organization.name)))


def change_role(
    db: Session,
    changer: StaffUser,
    user: StaffUser,
    role: Role,
    organisation_id: str | None,
    now: dt.datetime,
    sessions: SessionStore,
) -> None:
    """Give `user` another role (and organisation). Their sessions end, so that the next sign-in
    asks for what the new role needs (two-factor for admins and reviewers, which they must have
    set up before), and the invitations they made and nobody used yet are withdrawn."""
    actor = actor_of(changer)
    organisation_id = organisation_id if needs_organisation(role) else None
    allowed = can(actor, Permission.USERS_CHANGE_ROLE, target_of(user)) and can(
        actor, Permission.USERS_CHANGE_ROLE, Target(organisation_id, role)
    )
    if not allowed:
        raise PermissionDenied("you may not change this account's role")
    if needs_organisation(role) and (
        organisation_id is None or db.get(Organization, organisation_id) is None
    ):
        raise InvalidChange("organisation", "Select the organisation they work for")
    if needs_two_factor(role) and user.totp_confirmed_at is None:
        raise InvalidChange(
            "role",
            f"A {role.label.lower()} must use two-factor authentication: ask them to set it up "
            "on their Your account page first",
        )
    before = f"{Role(user.role).label}{_at(db, user.organisation_id)}"
    changed = (user.role, user.organisation_id) != (role.value, organisation_id)
    user.role = role.value
    user.organisation_id = organisation_id
    sessions.revoke_all(user.id, now)
    if changed:
        # They were allowed to invite as they were; their open invitations go with that role.
        withdraw_invitations(
            db, changer, invitations_made_by(db, user.id, now), now, "their inviter's role changed"
        )
    db.flush()
    after = f"{role.label}{_at(db, organisation_id)}"
    audit.record(
        db,
        changer,
        "role_changed",
        now,
        record_type="staff_user",
        record_id=user.id,
        detail=f"{user.email}: {before} to {after}",
    )


def deactivate(
    db: Session, changer: StaffUser, user: StaffUser, now: dt.datetime, sessions: SessionStore
) -> None:
    """Stop an account signing in: every session ends, and open invitations to it and made by
    it are withdrawn."""
    if not can(actor_of(changer), Permission.USERS_DEACTIVATE, target_of(user)):
        raise PermissionDenied("you may not deactivate this account")
    user.active = False
    ended = sessions.revoke_all(user.id, now)
    withdraw_invitations(
        db, changer, open_invitations_to(db, user.email, now), now, "the account was deactivated"
    )
    withdraw_invitations(
        db, changer, invitations_made_by(db, user.id, now), now, "their inviter was deactivated"
    )
    db.flush()
    audit.record(
        db,
        changer,
        "deactivated",
        now,
        record_type="staff_user",
        record_id=user.id,
        detail=f"{user.email}; {ended} session(s) ended",
    )


def sign_out_everywhere(
    db: Session, user: StaffUser, now: dt.datetime, sessions: SessionStore
) -> int:
    """End every session of the account (this one too); returns how many ended."""
    ended = sessions.revoke_all(user.id, now)
    audit.record(
        db,
        user,
        "signed_out_everywhere",
        now,
        record_type="staff_user",
        record_id=user.id,
        detail=f"{ended} session(s) ended",
    )
    return ended


def _at(db: Session, organisation_id: str | None) -> str:
    if organisation_id is None:
        return ""
    organisation = db.get(Organization, organisation_id)
    return f" at {organisation.name}" if organisation else ""
