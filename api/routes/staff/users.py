"""The users pages: accounts and open invitations, one account, changing a role, deactivating
(inviting is `invitations.py`).

Council admins reach every account; organisation managers only their organisation's, and may
deactivate its editors. An account outside someone's reach is "not found", whatever
id is put in the address or the form (`staff.accounts.visible_user`)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import (
    ClockDep,
    FormDataDep,
    SessionStoreDep,
    SignedIn,
    current_staff,
    require,
)
from api.routes.staff.forms import (
    ChangeRoleForm,
    ConfirmForm,
    form_key,
    make_form,
    offer_roles,
)
from api.routes.staff.rendering import redirect, render
from services_directory.accounts import StaffUser
from services_directory.models import Organization
from staff import accounts
from staff.errors import InvalidChange, PermissionDenied
from staff.policy import (
    ROLE_LABELS,
    Permission,
    Role,
    can,
    roles_actor_may_grant,
    target_of,
)

logger = logging.getLogger(__name__)
# Every page here needs a signed-in person: the router checks it first.
router = APIRouter(
    prefix="/staff/users", include_in_schema=False, dependencies=[Depends(current_staff)]
)

Viewer = Annotated[SignedIn, Depends(require(Permission.USERS_VIEW))]
Inviter = Annotated[SignedIn, Depends(require(Permission.USERS_INVITE))]
RoleChanger = Annotated[SignedIn, Depends(require(Permission.USERS_CHANGE_ROLE))]
Deactivator = Annotated[SignedIn, Depends(require(Permission.USERS_DEACTIVATE))]

ROLE_HINTS = {
    Role.COUNCIL_ADMIN.value: "Everything, including users, the need taxonomy and localities",
    Role.REVIEWER.value: "Approves changes to services before they are published",
    Role.ORGANISATION_MANAGER.value: "Their organisation's services; invites its editors",
    Role.ORGANISATION_EDITOR.value: "Their organisation's services; changes need approval",
    Role.READ_ONLY.value: "Sees the directory, changes nothing",
}


def _role_label(role: str, organisation: Organization | None) -> str:
    label = ROLE_LABELS[Role(role)]
    return f"{label}, {organisation.name}" if organisation else label


@router.get("", response_class=HTMLResponse)
def users(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    staff: Viewer,
    invited: str | None = None,
) -> HTMLResponse:
    """The accounts and open invitations this person may see."""
    organisations = {o.id: o for o in accounts.organisations_for(db, staff.actor)}
    rows = [
        {"user": u, "role": _role_label(u.role, organisations.get(u.organisation_id or ""))}
        for u in accounts.visible_users(db, staff.actor)
    ]
    open_invitations = accounts.open_invitations(db, staff.actor, clock())
    invitation_rows = [
        {
            "invitation": i,
            "role": _role_label(i.role, organisations.get(i.organisation_id or "")),
            "withdrawable": can(staff.actor, Permission.USERS_INVITE, target_of(i)),
        }
        for i in open_invitations
    ]
    just_invited = next((i for i in open_invitations if i.id == invited), None)
    form = make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret)
    context = {
        "users": rows,
        "invitations": invitation_rows,
        "invited": just_invited,
        "form": form,
    }
    return render(request, "users.html", context, staff=staff)


@router.get("/{user_id}", response_class=HTMLResponse)
def user_page(request: Request, user_id: str, db: SessionDep, staff: Viewer) -> HTMLResponse:
    """One account: its role, two-factor, last sign-in, and what this person may change."""
    user = accounts.visible_user(db, staff.actor, user_id)
    organisation = db.get(Organization, user.organisation_id) if user.organisation_id else None
    target = target_of(user)
    context = {
        "user": user,
        "role_label": Role(user.role).label,
        "organisation": organisation,
        "may_change_role": can(staff.actor, Permission.USERS_CHANGE_ROLE, target),
        "may_deactivate": can(staff.actor, Permission.USERS_DEACTIVATE, target),
    }
    return render(request, "user.html", context, staff=staff)


def _role_form(
    db: SessionDep, settings: SettingsDep, staff: SignedIn, data: FormData | None = None
) -> ChangeRoleForm:
    form = make_form(ChangeRoleForm, form_key(settings), staff.session.csrf_secret, data)
    offer_roles(
        form, roles_actor_may_grant(staff.actor), accounts.organisations_for(db, staff.actor)
    )
    return form


def _changeable(db: SessionDep, staff: SignedIn, user_id: str, permission: Permission) -> StaffUser:
    """The account, when this person may see it (else not found) and do `permission` to it."""
    user = accounts.visible_user(db, staff.actor, user_id)
    if not can(staff.actor, permission, target_of(user)):
        raise PermissionDenied(f"you may not do {permission.value} to this account")
    return user


@router.get("/{user_id}/role", response_class=HTMLResponse)
def role_page(
    request: Request, user_id: str, db: SessionDep, settings: SettingsDep, staff: RoleChanger
) -> HTMLResponse:
    """Change an account's role (council admins, not their own)."""
    user = _changeable(db, staff, user_id, Permission.USERS_CHANGE_ROLE)
    form = _role_form(db, settings, staff)
    form.role.data = user.role
    form.organisation.data = user.organisation_id or ""
    context = {"form": form, "user": user, "role_hints": ROLE_HINTS, "problem": None}
    return render(request, "change_role.html", context, staff=staff)


@router.post("/{user_id}/role", response_class=HTMLResponse)
def change_role(
    request: Request,
    user_id: str,
    db: SessionDep,
    store: SessionStoreDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: RoleChanger,
) -> Response:
    """Give the account the role chosen; its sessions end."""
    form = _role_form(db, settings, staff, data)
    user = _changeable(db, staff, user_id, Permission.USERS_CHANGE_ROLE)
    context = {"form": form, "user": user, "role_hints": ROLE_HINTS, "problem": None}
    if not form.validate():
        return render(request, "change_role.html", context, staff=staff, status_code=422)
    try:
        accounts.change_role(
            db,
            staff.user,
            user,
            Role(form.role.data),
            form.organisation.data or None,
            clock(),
            store,
        )
    except InvalidChange as problem:
        db.rollback()
        getattr(form, problem.field).errors = [problem.message]
        return render(request, "change_role.html", context, staff=staff, status_code=422)
    db.commit()
    return redirect(f"/staff/users/{user.id}")


@router.get("/{user_id}/deactivate", response_class=HTMLResponse)
def deactivate_page(
    request: Request, user_id: str, db: SessionDep, settings: SettingsDep, staff: Deactivator
) -> HTMLResponse:
    """Ask before deactivating an account."""
    user = _changeable(db, staff, user_id, Permission.USERS_DEACTIVATE)
    form = make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret)
    return render(request, "deactivate.html", {"form": form, "user": user}, staff=staff)


@router.post("/{user_id}/deactivate")
def deactivate(
    user_id: str,
    db: SessionDep,
    store: SessionStoreDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Deactivator,
) -> RedirectResponse:
    """Deactivate the account: it cannot sign in, and every session of it ends now."""
    make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret, data)
    user = _changeable(db, staff, user_id, Permission.USERS_DEACTIVATE)
    accounts.deactivate(db, staff.user, user, clock(), store)
    db.commit()
    return redirect(f"/staff/users/{user.id}")
