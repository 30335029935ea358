"""Inviting someone (council admins: any role; organisation managers: editors of their own
organisation), e-mailing the set-up link, and withdrawing an invitation not yet used."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import ClockDep, FormDataDep, SignedIn, current_staff, require
from api.routes.staff.forms import ConfirmForm, InviteForm, form_key, make_form, offer_roles
from api.routes.staff.rendering import redirect, render
from api.routes.staff.users import ROLE_HINTS
from services_directory.accounts import StaffInvitation
from staff import accounts, audit
from staff.errors import AccountNotFound, InvalidChange, PermissionDenied
from staff.invitations import invite, set_up_path
from staff.mail import invitation_message
from staff.policy import Permission, Role, can, can_see, roles_actor_may_grant, target_of

logger = logging.getLogger(__name__)
# Every page here needs a signed-in person: the router checks it first.
router = APIRouter(
    prefix="/staff/users", include_in_schema=False, dependencies=[Depends(current_staff)]
)

Inviter = Annotated[SignedIn, Depends(require(Permission.USERS_INVITE))]
MAIL_FAILED = "The email could not be sent. Nothing was saved: try again in a few minutes"


def _invite_form(
    db: SessionDep, settings: SettingsDep, staff: SignedIn, data: FormData | None = None
) -> InviteForm:
    form = make_form(InviteForm, form_key(settings), staff.session.csrf_secret, data)
    offer_roles(
        form, roles_actor_may_grant(staff.actor), accounts.organisations_for(db, staff.actor)
    )
    if staff.actor.is_organisation_scoped and data is None:
        form.organisation.data = staff.actor.organisation_id
    return form


def _invite_page(
    request: Request,
    form: InviteForm,
    staff: SignedIn,
    settings: SettingsDep,
    problem: tuple[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "form": form,
        "role_hints": ROLE_HINTS,
        "hours": settings.staff_invitation_hours,
        "problem": problem,
    }
    return render(request, "invite.html", context, staff=staff, status_code=status_code)


@router.get("/invite", response_class=HTMLResponse)
def invite_page(
    request: Request, db: SessionDep, settings: SettingsDep, staff: Inviter
) -> HTMLResponse:
    """Invite someone: their e-mail address, role and organisation."""
    return _invite_page(request, _invite_form(db, settings, staff), staff, settings)


@router.post("/invite", response_class=HTMLResponse)
def send_invitation(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Inviter,
) -> Response:
    """Make the invitation and e-mail its link; nothing is kept if the e-mail cannot be sent."""
    form = _invite_form(db, settings, staff, data)
    if not form.validate():
        return _invite_page(request, form, staff, settings, status_code=422)
    now = clock()
    try:
        made = invite(
            db,
            staff.user,
            form.email.data or "",
            Role(form.role.data),
            form.organisation.data or None,
            now,
            dt.timedelta(hours=settings.staff_invitation_hours),
        )
    except InvalidChange as problem:
        db.rollback()
        getattr(form, problem.field).errors = [problem.message]
        return _invite_page(request, form, staff, settings, status_code=422)
    link = settings.public_base_url + set_up_path(made.token)
    role = Role(made.invitation.role)
    message = invitation_message(
        settings, made.invitation.email, link, role.label, made.invitation.expires_at
    )
    try:
        request.app.state.mailer.send(message)
    except OSError:
        logger.exception("invitation e-mail not sent")
        db.rollback()
        return _invite_page(request, form, staff, settings, ("email", MAIL_FAILED), 503)
    db.commit()
    return redirect(f"/staff/users?invited={made.invitation.id}")


@router.post("/invitations/{invitation_id}/withdraw")
def withdraw_invitation(
    invitation_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Inviter,
) -> RedirectResponse:
    """Withdraw an open invitation: its link stops working."""
    make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret, data)
    invitation = db.get(StaffInvitation, invitation_id)
    if invitation is None or not can_see(staff.actor, target_of(invitation)):
        raise AccountNotFound(invitation_id)
    if not can(staff.actor, Permission.USERS_INVITE, target_of(invitation)):
        raise PermissionDenied("you may not withdraw this invitation")
    if invitation.used_at is None and invitation.revoked_at is None:
        now = clock()
        invitation.revoked_at = now
        audit.record(
            db,
            staff.user,
            "invitation_withdrawn",
            now,
            record_type="invitation",
            record_id=invitation.id,
            detail=invitation.email,
        )
        db.commit()
    return redirect("/staff/users")
