"""The workshop's home page (what this person may do here), and a young person's own account:
their consent, and withdrawing it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import (
    ClockDep,
    FormDataDep,
    SignedIn,
    current_staff,
    require,
)
from api.routes.staff.forms import ConfirmForm, form_key, make_form
from api.routes.staff.rendering import redirect
from api.routes.workshop.rendering import render
from staff.errors import InvalidChange
from staff.policy import Permission, Role
from workshop.people import ConsentState, consent_of, is_member, may_write, withdraw_consent

router = APIRouter(
    prefix="/workshop", include_in_schema=False, dependencies=[Depends(current_staff)]
)

Visitor = Annotated[SignedIn, Depends(require(Permission.WORKSHOP_VIEW))]


def _who(db: SessionDep, staff: SignedIn) -> dict[str, object]:
    member = is_member(staff.user)
    return {
        "role_label": Role(staff.user.role).label,
        "consent": consent_of(db, staff.user.id) if member else None,
        "ConsentState": ConsentState,
        "may_write": may_write(db, staff.user),
    }


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, db: SessionDep, staff: Visitor, welcome: str | None = None
) -> HTMLResponse:
    """The workshop's home page: what this person's role lets them do here."""
    context = {**_who(db, staff), "welcome": bool(welcome)}
    return render(request, "home.html", context, staff=staff)


@router.get("/account", response_class=HTMLResponse)
def account(
    request: Request, db: SessionDep, staff: Visitor, withdrawn: str | None = None
) -> HTMLResponse:
    """This person's account: name, role and (for young people) their consent."""
    context = {**_who(db, staff), "withdrawn": bool(withdrawn)}
    return render(request, "account.html", context, staff=staff)


@router.get("/account/withdraw", response_class=HTMLResponse)
def withdraw_page(
    request: Request, db: SessionDep, settings: SettingsDep, staff: Visitor
) -> Response:
    """Check before withdrawing: what happens to what they wrote, in plain words."""
    if not is_member(staff.user) or consent_of(db, staff.user.id).state in (
        ConsentState.WITHDRAWN,
        ConsentState.NONE,
    ):
        return redirect("/workshop/account")
    form = make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret)
    return render(request, "withdraw.html", {"form": form}, staff=staff)


@router.post("/account/withdraw")
def withdraw(
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Visitor,
) -> Response:
    """Withdraw their own consent (nothing to withdraw: back to the account page)."""
    make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret, data)
    try:
        withdraw_consent(db, staff.user, staff.user, clock())
    except InvalidChange:
        db.rollback()
        return redirect("/workshop/account")
    db.commit()
    return redirect("/workshop/account?withdrawn=1")
