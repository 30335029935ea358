"""Who may do what to which record: the one place that answers it (STYLE item 12).

Routers ask `can(actor, permission, target)` through the `require(permission)` dependency, and
templates only show what it allowed. The organisation roles reach only their own organisation's
records; a record outside it is treated as not there at all (404, never 403), so that changing an id
in a URL or a form reveals nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services_directory.accounts import StaffInvitation, StaffUser
from services_directory.models import Organization, Service


class Role(StrEnum):
    COUNCIL_ADMIN = "council_admin"
    REVIEWER = "reviewer"
    ORGANISATION_MANAGER = "organisation_manager"
    ORGANISATION_EDITOR = "organisation_editor"
    READ_ONLY = "read_only"
    # The youth council workshop (/workshop/, issue 18): its staff...
    MODERATOR = "moderator"
    SAFETY_LEAD = "safety_lead"
    RELEASE_MANAGER = "release_manager"
    # ... and young people, with pseudonymous accounts: no back-office permission at all.
    YOUTH_WRITER = "youth_writer"
    PEER_REVIEWER = "peer_reviewer"

    @property
    def label(self) -> str:
        """The role's name as staff read it."""
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.COUNCIL_ADMIN: "Council admin",
    Role.REVIEWER: "Reviewer",
    Role.ORGANISATION_MANAGER: "Organisation manager",
    Role.ORGANISATION_EDITOR: "Organisation editor",
    Role.READ_ONLY: "Read only",
    Role.MODERATOR: "Workshop moderator",
    Role.SAFETY_LEAD: "Safety lead",
    Role.RELEASE_MANAGER: "Release manager",
    Role.YOUTH_WRITER: "Youth writer",
    Role.PEER_REVIEWER: "Peer reviewer",
}
ORGANISATION_ROLES = frozenset({Role.ORGANISATION_MANAGER, Role.ORGANISATION_EDITOR})
# Roles whose accounts cannot be used without a second factor (TOTP).
TWO_FACTOR_ROLES = frozenset(
    {Role.COUNCIL_ADMIN, Role.REVIEWER, Role.SAFETY_LEAD, Role.RELEASE_MANAGER}
)
# Young people's roles: pseudonymous workshop accounts, never invited from the staff pages.
YOUTH_ROLES = frozenset({Role.YOUTH_WRITER, Role.PEER_REVIEWER})
# Everyone else: the council's and the organisations' staff.
STAFF_ROLES = tuple(role for role in Role if role not in YOUTH_ROLES)


class Permission(StrEnum):
    """Every action of the back office (the whole of issue 16, not only this increment's)."""

    SERVICES_VIEW = "services.view"
    SERVICES_EDIT = "services.edit"  # makes a draft
    SERVICES_APPROVE = "services.approve"  # publishes someone else's draft
    SERVICES_MARK_CHECKED = "services.mark_checked"
    SERVICES_WITHHOLD = "services.withhold"  # from the chat, once long overdue (council admins)
    ORGANISATIONS_VIEW = "organisations.view"
    ORGANISATIONS_EDIT = "organisations.edit"
    ORGANISATIONS_CREATE = "organisations.create"
    TAXONOMY_EDIT = "taxonomy.edit"
    LOCALITIES_VIEW = "localities.view"  # the council's localities: every role may read them
    LOCALITIES_EDIT = "localities.edit"
    IMPORTS_RUN = "imports.run"
    EXPORTS_RUN = "exports.run"
    USERS_VIEW = "users.view"
    USERS_INVITE = "users.invite"
    USERS_CHANGE_ROLE = "users.change_role"
    USERS_DEACTIVATE = "users.deactivate"
    AUDIT_VIEW = "audit.view"
    FEEDBACK_TRIAGE = "feedback.triage"  # young people's reports on services: read, resolve
    INSIGHTS_VIEW = "insights.view"  # the partnership's aggregate counts, and their CSV
    # The youth council workshop (issue 18).
    WORKSHOP_VIEW = "workshop.view"
    WORKSHOP_WRITE = "workshop.write"  # write examples in your own words
    WORKSHOP_PEER_REVIEW = "workshop.peer_review"  # approve peers' everyday examples
    WORKSHOP_MODERATE = "workshop.moderate"  # members, consent, crisis items, disclosure alerts
    WORKSHOP_SAFETY_SIGN_OFF = "workshop.safety_sign_off"  # sign off a candidate's passed gate
    WORKSHOP_RELEASE = "workshop.release"  # train candidates, promote, roll back
    WORKSHOP_TRY = "workshop.try"  # the test chat of a candidate


P = Permission
_READ = frozenset({P.SERVICES_VIEW, P.ORGANISATIONS_VIEW, P.LOCALITIES_VIEW})
_WORKSHOP = frozenset({P.WORKSHOP_VIEW, P.WORKSHOP_TRY})
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.COUNCIL_ADMIN: frozenset(Permission),
    Role.REVIEWER: _READ
    | {P.SERVICES_APPROVE, P.SERVICES_MARK_CHECKED, P.EXPORTS_RUN}
    | {P.FEEDBACK_TRIAGE, P.INSIGHTS_VIEW},
    Role.ORGANISATION_MANAGER: _READ
    | {
        P.SERVICES_EDIT,
        P.SERVICES_MARK_CHECKED,
        P.ORGANISATIONS_EDIT,
        P.USERS_VIEW,
        P.USERS_INVITE,
        P.USERS_DEACTIVATE,
        P.FEEDBACK_TRIAGE,
    },
    Role.ORGANISATION_EDITOR: _READ | {P.SERVICES_EDIT, P.FEEDBACK_TRIAGE},
    # Read-only accounts (say the partnership's analysts) see the insights: counts only.
    Role.READ_ONLY: _READ | {P.INSIGHTS_VIEW},
    # The workshop's staff read the directory as read-only accounts do.
    Role.MODERATOR: _READ | _WORKSHOP | {P.WORKSHOP_MODERATE},
    Role.SAFETY_LEAD: _READ | _WORKSHOP | {P.WORKSHOP_MODERATE, P.WORKSHOP_SAFETY_SIGN_OFF},
    Role.RELEASE_MANAGER: _READ | _WORKSHOP | {P.WORKSHOP_RELEASE},
    Role.YOUTH_WRITER: _WORKSHOP | {P.WORKSHOP_WRITE},
    Role.PEER_REVIEWER: _WORKSHOP | {P.WORKSHOP_WRITE, P.WORKSHOP_PEER_REVIEW},
}
# What an organisation manager may do to accounts: only editors of their own organisation.
ROLES_A_MANAGER_MANAGES = frozenset({Role.ORGANISATION_EDITOR})
USER_PERMISSIONS = frozenset(
    {P.USERS_VIEW, P.USERS_INVITE, P.USERS_CHANGE_ROLE, P.USERS_DEACTIVATE}
)
# Records that belong to no organisation: only council-wide roles touch them.
COUNCIL_WIDE = None


@dataclass(frozen=True)
class Actor:
    """The signed-in person, as the policy needs them."""

    user_id: str
    role: Role
    organisation_id: str | None

    @property
    def is_organisation_scoped(self) -> bool:
        """Whether this person reaches only one organisation's records."""
        return self.role in ORGANISATION_ROLES


@dataclass(frozen=True)
class Target:
    """The record acted on: its organisation (None: council-wide) and, for accounts and
    invitations, the role it has or would have."""

    organisation_id: str | None
    role: Role | None = None
    user_id: str | None = None


def actor_of(user: StaffUser) -> Actor:
    """The policy's view of an account acting (signed in, or an invitation's inviter)."""
    return Actor(user.id, Role(user.role), user.organisation_id)


def target_of(record: StaffUser | StaffInvitation | Organization | Service) -> Target:
    """The policy's view of an account, an invitation or a directory record."""
    if isinstance(record, StaffUser):
        return Target(record.organisation_id, Role(record.role), record.id)
    if isinstance(record, StaffInvitation):
        return Target(record.organisation_id, Role(record.role))
    if isinstance(record, Organization):
        return Target(record.id)
    return Target(record.organization_id)


def can(actor: Actor, permission: Permission, target: Target | None = None) -> bool:
    """May `actor` do `permission`, to `target` when given (None: in general, e.g. a list)."""
    if permission not in ROLE_PERMISSIONS[actor.role]:
        return False
    if actor.is_organisation_scoped and actor.organisation_id is None:
        # An organisation's role without an organisation reaches nothing at all (never
        # everything: a missing organisation must not read as "council-wide").
        return False
    if target is None or not actor.is_organisation_scoped:
        return _council_rules(actor, permission, target)
    if target.organisation_id != actor.organisation_id:
        return False
    if permission in USER_PERMISSIONS and permission != P.USERS_VIEW and target.role is not None:
        return target.role in ROLES_A_MANAGER_MANAGES and target.user_id != actor.user_id
    return True


def _council_rules(actor: Actor, permission: Permission, target: Target | None) -> bool:
    # Nobody changes their own role or deactivates themselves: another admin must, so that
    # the council is never left without an admin by a slip.
    if target is not None and target.user_id == actor.user_id:
        return permission not in (P.USERS_CHANGE_ROLE, P.USERS_DEACTIVATE)
    return True


def can_see(actor: Actor, target: Target) -> bool:
    """Whether the record exists for this person at all (outside their organisation: no)."""
    if not actor.is_organisation_scoped:
        return True
    return actor.organisation_id is not None and target.organisation_id == actor.organisation_id


def roles_actor_may_grant(actor: Actor) -> list[Role]:
    """The roles this person may invite someone with, or change an account to."""
    if actor.role == Role.COUNCIL_ADMIN:
        return [role for role in Role if role not in YOUTH_ROLES]
    if P.USERS_INVITE in ROLE_PERMISSIONS[actor.role] and actor.is_organisation_scoped:
        return sorted(ROLES_A_MANAGER_MANAGES)
    return []


def needs_two_factor(role: Role | str) -> bool:
    """Whether accounts with `role` must sign in with a TOTP code."""
    return Role(role) in TWO_FACTOR_ROLES


def needs_organisation(role: Role | str) -> bool:
    """Whether accounts with `role` belong to one organisation."""
    return Role(role) in ORGANISATION_ROLES
