"""The one policy: what each role may do, and only within its organisation."""

from __future__ import annotations

import pytest

from staff.policy import (
    ROLE_PERMISSIONS,
    YOUTH_ROLES,
    Actor,
    Permission,
    Role,
    Target,
    can,
    can_see,
    needs_two_factor,
    roles_actor_may_grant,
)

P = Permission
RIVERSIDE, NORTHGATE = "org-riverside", "org-northgate"
ADMIN = Actor("u-admin", Role.COUNCIL_ADMIN, None)
REVIEWER = Actor("u-reviewer", Role.REVIEWER, None)
MANAGER = Actor("u-manager", Role.ORGANISATION_MANAGER, RIVERSIDE)
EDITOR = Actor("u-editor", Role.ORGANISATION_EDITOR, RIVERSIDE)
READER = Actor("u-reader", Role.READ_ONLY, None)


def test_every_role_has_a_permission_set_and_admins_have_all() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert ROLE_PERMISSIONS[Role.COUNCIL_ADMIN] == frozenset(Permission)


@pytest.mark.parametrize(
    ("actor", "permission", "allowed"),
    [
        (REVIEWER, P.SERVICES_APPROVE, True),
        (REVIEWER, P.SERVICES_EDIT, False),
        (EDITOR, P.SERVICES_EDIT, True),
        (EDITOR, P.SERVICES_APPROVE, False),
        (MANAGER, P.USERS_INVITE, True),
        (MANAGER, P.USERS_CHANGE_ROLE, False),
        (MANAGER, P.TAXONOMY_EDIT, False),
        (READER, P.SERVICES_VIEW, True),
        (READER, P.SERVICES_EDIT, False),
        (READER, P.USERS_VIEW, False),
        (REVIEWER, P.AUDIT_VIEW, False),
    ],
)
def test_role_permissions(actor: Actor, permission: Permission, allowed: bool) -> None:
    assert can(actor, permission) is allowed


def test_organisation_roles_reach_only_their_organisation() -> None:
    theirs, others = Target(RIVERSIDE), Target(NORTHGATE)
    assert can(EDITOR, P.SERVICES_EDIT, theirs)
    assert not can(EDITOR, P.SERVICES_EDIT, others)
    assert not can(EDITOR, P.SERVICES_EDIT, Target(None))  # council-wide records
    assert can_see(MANAGER, theirs) and not can_see(MANAGER, others)
    assert can(ADMIN, P.SERVICES_EDIT, others) and can_see(READER, others)
    lost = Actor("u-lost", Role.ORGANISATION_EDITOR, None)  # their organisation was removed
    assert not can(lost, P.SERVICES_EDIT, Target(None))


def test_a_manager_manages_only_their_editors() -> None:
    editor = Target(RIVERSIDE, Role.ORGANISATION_EDITOR, "u-x")
    assert can(MANAGER, P.USERS_DEACTIVATE, editor)
    assert can(MANAGER, P.USERS_INVITE, Target(RIVERSIDE, Role.ORGANISATION_EDITOR))
    assert not can(MANAGER, P.USERS_INVITE, Target(RIVERSIDE, Role.ORGANISATION_MANAGER))
    assert not can(MANAGER, P.USERS_DEACTIVATE, Target(RIVERSIDE, Role.ORGANISATION_MANAGER, "m"))
    assert not can(MANAGER, P.USERS_DEACTIVATE, Target(NORTHGATE, Role.ORGANISATION_EDITOR, "y"))
    assert can(MANAGER, P.USERS_VIEW, Target(RIVERSIDE, Role.ORGANISATION_MANAGER, "m"))
    assert roles_actor_may_grant(MANAGER) == [Role.ORGANISATION_EDITOR]
    granted = roles_actor_may_grant(ADMIN)
    assert set(granted) == set(Role) - YOUTH_ROLES  # young people join through the workshop
    assert Role.MODERATOR in granted and Role.YOUTH_WRITER not in granted
    assert roles_actor_may_grant(EDITOR) == []


def test_nobody_changes_their_own_role_or_deactivates_themselves() -> None:
    me = Target(None, Role.COUNCIL_ADMIN, ADMIN.user_id)
    assert not can(ADMIN, P.USERS_CHANGE_ROLE, me)
    assert not can(ADMIN, P.USERS_DEACTIVATE, me)
    assert can(ADMIN, P.USERS_VIEW, me)
    assert can(ADMIN, P.USERS_DEACTIVATE, Target(None, Role.COUNCIL_ADMIN, "another-admin"))


def test_admins_reviewers_and_whoever_releases_a_model_need_two_factor() -> None:
    assert {r for r in Role if needs_two_factor(r)} == {
        Role.COUNCIL_ADMIN,
        Role.REVIEWER,
        Role.SAFETY_LEAD,
        Role.RELEASE_MANAGER,
    }


def test_young_people_have_no_back_office_permission() -> None:
    for role in YOUTH_ROLES:
        granted = ROLE_PERMISSIONS[role]
        assert granted and all(p.value.startswith("workshop.") for p in granted), role


@pytest.mark.parametrize("role", [Role.ORGANISATION_MANAGER, Role.ORGANISATION_EDITOR])
def test_an_organisation_role_without_an_organisation_may_do_nothing(role: Role) -> None:
    """Not "council-wide": an organisation's role whose organisation is missing reaches nothing."""
    lost = Actor("u-lost", role, None)
    for permission in Permission:
        assert not can(lost, permission), permission
        assert not can(lost, permission, Target(None)), permission
        assert not can(lost, permission, Target(RIVERSIDE, Role.ORGANISATION_EDITOR, "u-x"))
    assert not can_see(lost, Target(None))
