"""The moderators' pages about people: the members (pseudonym, role, consent, invited when, last
signed in), invite links, a parent's or carer's consent, deactivating an account, and
withdrawing consent on a member's behalf. Each action leaves an audit entry (workshop.*)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from wtforms import Field

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import (
    ClockDep,
    FormDataDep,
    SessionStoreDep,
    SignedIn,
    current_staff,
    require,
)
from api.routes.staff.forms import ConfirmForm, StaffForm, form_key, make_form
from api.routes.staff.rendering import redirect
from api.routes.workshop.forms import InviteMemberForm, ParentConsentForm, WithdrawForMemberForm
from api.routes.workshop.rendering import render
from services_directory.accounts import StaffUser
from staff.errors import InvalidChange
from staff.policy import Permission, Role
from workshop.membership import (
    deactivate_member,
    invite_member,
    join_path,
    members,
    open_member_invitations,
    withdraw_member_invitation,
)
from workshop.people import (
    ConsentState,
    consent_of,
    member,
    record_parent_consent,
    withdraw_consent,
)

router = APIRouter(
    prefix="/workshop/members", include_in_schema=False, dependencies=[Depends(current_staff)]
)
Moderator = Annotated[SignedIn, Depends(require(Permission.WORKSHOP_MODERATE))]


@router.get("", response_class=HTMLResponse)
def members_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    staff: Moderator,
    done: str | None = None,
) -> HTMLResponse:
    """Every member, and the invite links still open."""
    context = {
        "members": members(db),
        "invitations": open_member_invitations(db, clock()),
        "form": make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret),
        "done": DONE.get(done or ""),
    }
    return render(request, "members.html", context, staff=staff)


DONE = {
    "consent": "The parent's or carer's consent is recorded",
    "deactivated": "The account is deactivated",
    "withdrawn": "Their consent is withdrawn",
    "invite-withdrawn": "The invite link is withdrawn: it no longer works",
}
ROLE_HINTS = {
    Role.YOUTH_WRITER.value: "Writes examples in their own words",
    Role.PEER_REVIEWER.value: "Writes, and also checks other young people's everyday examples",
}


def _invite_page(
    request: Request,
    form: InviteMemberForm,
    staff: SignedIn,
    settings: SettingsDep,
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "form": form,
        "role_hints": ROLE_HINTS,
        "days": settings.workshop_invitation_days,
        "parent_consent_required": settings.workshop_parent_consent == "required",
    }
    return render(request, "invite.html", context, staff=staff, status_code=status_code)


@router.get("/invite", response_class=HTMLResponse)
def invite_page(request: Request, settings: SettingsDep, staff: Moderator) -> HTMLResponse:
    """Make an invite link: the role, and a private note."""
    form = make_form(InviteMemberForm, form_key(settings), staff.session.csrf_secret)
    return _invite_page(request, form, staff, settings)


@router.post("/invite", response_class=HTMLResponse)
def invite(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Moderator,
) -> HTMLResponse:
    """Make the link and show it, once: only its hash is kept."""
    form = make_form(InviteMemberForm, form_key(settings), staff.session.csrf_secret, data)
    if not form.validate():
        return _invite_page(request, form, staff, settings, 422)
    try:
        made = invite_member(
            db,
            staff.user,
            Role(form.role.data),
            form.note.data or "",
            settings.workshop_parent_consent == "required",
            clock(),
            dt.timedelta(days=settings.workshop_invitation_days),
        )
    except InvalidChange as problem:
        db.rollback()
        getattr(form, problem.field).errors = [problem.message]
        return _invite_page(request, form, staff, settings, 422)
    db.commit()
    context = {
        "link": settings.public_base_url + join_path(made.token),
        "invitation": made.invitation,
        "role_label": Role(made.invitation.role).label,
        "note": form.note.data or "",
    }
    return render(request, "invited.html", context, staff=staff)


@router.post("/invitations/{invitation_id}/withdraw")
def withdraw_invitation(
    invitation_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Moderator,
) -> Response:
    """Withdraw an invite link not used yet."""
    make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret, data)
    withdraw_member_invitation(db, staff.user, invitation_id, clock())
    db.commit()
    return redirect("/workshop/members?done=invite-withdrawn")


@router.get("/{member_id}", response_class=HTMLResponse)
def member_page(request: Request, member_id: str, db: SessionDep, staff: Moderator) -> HTMLResponse:
    """One member: their consent records and what a moderator may do."""
    user = member(db, member_id)
    row = next(r for r in members(db) if r.user.id == user.id)
    context = {
        "member": user,
        "row": row,
        "consent": consent_of(db, user.id),
        "ConsentState": ConsentState,
    }
    return render(request, "member.html", context, staff=staff)


def _action_page(
    request: Request,
    template: str,
    user: StaffUser,
    form: StaffForm,
    staff: SignedIn,
    status_code: int = 200,
) -> HTMLResponse:
    context = {"member": user, "form": form}
    return render(request, template, context, staff=staff, status_code=status_code)


@dataclass
class _Action:
    """A moderator's action on a member, from its page: the form checked, the change made (its
    refusal shown on `field`), committed, and back to the members with `done`."""

    request: Request
    db: Session
    staff: SignedIn
    user: StaffUser
    template: str

    def carry_out(
        self, form: StaffForm, field: Field, change: Callable[[], None], done: str
    ) -> Response:
        if not form.validate():
            return _action_page(self.request, self.template, self.user, form, self.staff, 422)
        try:
            change()
        except InvalidChange as problem:
            self.db.rollback()
            field.errors = [problem.message]
            return _action_page(self.request, self.template, self.user, form, self.staff, 422)
        self.db.commit()
        return redirect(f"/workshop/members?done={done}")


def _form(
    kind: type[StaffForm], settings: SettingsDep, staff: SignedIn, data: FormData | None = None
) -> StaffForm:
    return make_form(kind, form_key(settings), staff.session.csrf_secret, data)


@router.get("/{member_id}/parent-consent", response_class=HTMLResponse)
def parent_consent_page(
    request: Request, member_id: str, db: SessionDep, settings: SettingsDep, staff: Moderator
) -> HTMLResponse:
    """Record a parent's or carer's consent: how it was given."""
    user = member(db, member_id)
    form = _form(ParentConsentForm, settings, staff)
    return _action_page(request, "parent_consent.html", user, form, staff)


@router.post("/{member_id}/parent-consent", response_class=HTMLResponse)
def parent_consent(
    request: Request,
    member_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Moderator,
) -> Response:
    """Record it (once; never after consent was withdrawn)."""
    user = member(db, member_id)
    form = _form(ParentConsentForm, settings, staff, data)
    assert isinstance(form, ParentConsentForm)

    def record() -> None:
        record_parent_consent(db, staff.user, user, form.how.data or "", clock())

    page = _Action(request, db, staff, user, "parent_consent.html")
    return page.carry_out(form, form.how, record, "consent")


@router.get("/{member_id}/deactivate", response_class=HTMLResponse)
def deactivate_page(
    request: Request, member_id: str, db: SessionDep, settings: SettingsDep, staff: Moderator
) -> HTMLResponse:
    """Check before deactivating an account."""
    user = member(db, member_id)
    return _action_page(
        request, "deactivate.html", user, _form(ConfirmForm, settings, staff), staff
    )


@router.post("/{member_id}/deactivate")
def deactivate(
    member_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    store: SessionStoreDep,
    data: FormDataDep,
    staff: Moderator,
) -> Response:
    """Deactivate it: it can no longer sign in, and every session of it ends."""
    _form(ConfirmForm, settings, staff, data)
    user = member(db, member_id)
    if user.active:
        deactivate_member(db, staff.user, user, clock(), store)
        db.commit()
    return redirect("/workshop/members?done=deactivated")


@router.get("/{member_id}/withdraw", response_class=HTMLResponse)
def withdraw_for_page(
    request: Request, member_id: str, db: SessionDep, settings: SettingsDep, staff: Moderator
) -> HTMLResponse:
    """Withdraw consent on a member's behalf: why."""
    user = member(db, member_id)
    form = _form(WithdrawForMemberForm, settings, staff)
    return _action_page(request, "withdraw_for.html", user, form, staff)


@router.post("/{member_id}/withdraw", response_class=HTMLResponse)
def withdraw_for(
    request: Request,
    member_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Moderator,
) -> Response:
    """Withdraw it, with the reason in the record and the audit log."""
    user = member(db, member_id)
    form = _form(WithdrawForMemberForm, settings, staff, data)
    assert isinstance(form, WithdrawForMemberForm)

    def withdraw() -> None:
        withdraw_consent(db, staff.user, user, clock(), form.reason.data or "")

    page = _Action(request, db, staff, user, "withdraw_for.html")
    return page.carry_out(form, form.reason, withdraw, "withdrawn")
