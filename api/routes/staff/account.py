"""The signed-in home page and "your account" (two-factor status, sign out everywhere)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import (
    ClockDep,
    CurrentStaff,
    FormDataDep,
    SessionStoreDep,
    current_staff,
)
from api.routes.staff.forms import ConfirmForm, form_key, make_form
from api.routes.staff.rendering import clear_session_cookie, redirect, render
from services_directory.models import Organization
from staff.accounts import sign_out_everywhere
from staff.policy import Role

# Every page here needs a signed-in person: the router checks it first.
router = APIRouter(prefix="/staff", include_in_schema=False, dependencies=[Depends(current_staff)])


def _who(db: SessionDep, staff: CurrentStaff) -> dict[str, object]:
    organisation_id = staff.user.organisation_id
    return {
        "role_label": Role(staff.user.role).label,
        "organisation": db.get(Organization, organisation_id) if organisation_id else None,
    }


@router.get("/", response_class=HTMLResponse)
def home(request: Request, db: SessionDep, staff: CurrentStaff) -> HTMLResponse:
    """The staff home page: what this person's role lets them do."""
    return render(request, "home.html", _who(db, staff), staff=staff)


@router.get("/account", response_class=HTMLResponse)
def account(
    request: Request, db: SessionDep, settings: SettingsDep, staff: CurrentStaff
) -> HTMLResponse:
    """The person's own account."""
    key = form_key(settings)
    form = make_form(ConfirmForm, key, staff.session.csrf_secret)
    return render(request, "account.html", {"form": form, **_who(db, staff)}, staff=staff)


@router.post("/account/sign-out-everywhere")
def sign_out_everywhere_route(
    db: SessionDep,
    store: SessionStoreDep,
    clock: ClockDep,
    settings: SettingsDep,
    data: FormDataDep,
    staff: CurrentStaff,
) -> RedirectResponse:
    """End every session of the account, this one too."""
    make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret, data)
    sign_out_everywhere(db, staff.user, clock(), store)
    db.commit()
    response = redirect("/staff/sign-in?notice=everywhere")
    clear_session_cookie(response, settings)
    return response
