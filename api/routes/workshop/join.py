"""A young person's invite link: the page where they pick a workshop name and a password, read
what happens to what they write, and agree (or close the page). Following the link shows the
form; only posting it uses the link, and signs them in."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import (
    ClockDep,
    FormDataDep,
    SessionStoreDep,
    ThrottleRulesDep,
    VisitDep,
    attempt_of,
)
from api.routes.staff.forms import form_key, make_form
from api.routes.staff.rendering import (
    before_sign_in,
    redirect,
    set_session_cookie,
)
from api.routes.staff.sign_in import posted_presession, start_session
from api.routes.workshop.forms import JoinForm
from api.routes.workshop.rendering import render
from services_directory.accounts import StaffInvitation
from staff.errors import InvalidChange
from staff.passwords import MIN_LENGTH
from staff.policy import Role
from staff.sessions import SIGNED_IN
from staff.signin import signed_in
from workshop.membership import join, usable_member_invitation
from workshop.people_models import WorkshopInvitation

router = APIRouter(prefix="/workshop", include_in_schema=False)


def _context(
    invitation: StaffInvitation, side: WorkshopInvitation, token: str, form: JoinForm
) -> dict[str, Any]:
    return {
        "form": form,
        "token": token,
        "role": Role(invitation.role),
        "parent_consent_required": side.parent_consent_required,
        "password_length": MIN_LENGTH,
    }


@router.get("/join/{token}", response_class=HTMLResponse)
def join_page(
    request: Request, token: str, db: SessionDep, settings: SettingsDep, clock: ClockDep
) -> Response:
    """The invite link's page (`InvitationUnusable` if it was used, withdrawn or expired)."""
    invitation, side = usable_member_invitation(db, token, clock())

    def draw(value: str) -> Response:
        form = make_form(JoinForm, form_key(settings), value)
        return render(request, "join.html", _context(invitation, side, token, form))

    return before_sign_in(request, settings, draw)


@router.post("/join/{token}", response_class=HTMLResponse)
def join_workshop(
    request: Request,
    token: str,
    db: SessionDep,
    store: SessionStoreDep,
    clock: ClockDep,
    settings: SettingsDep,
    rules: ThrottleRulesDep,
    data: FormDataDep,
    visit: VisitDep,
) -> Response:
    """Use the link: the account and their consent are recorded, and they are signed in."""
    form = make_form(JoinForm, form_key(settings), posted_presession(request, settings), data)
    now = clock()
    invitation, side = usable_member_invitation(db, token, now)
    context = _context(invitation, side, token, form)
    if not form.validate():
        return render(request, "join.html", context, status_code=422)
    try:
        user = join(
            db,
            token,
            form.name.data or "",
            form.password.data or "",
            bool(form.consent.data),
            now,
        )
    except InvalidChange as problem:
        db.rollback()
        getattr(form, problem.field).errors = [problem.message]
        return render(request, "join.html", context, status_code=422)
    session_token = start_session(store, visit, user.id, SIGNED_IN, now)
    signed_in(db, user, attempt_of(request, rules, user.email), now)
    db.commit()
    response = redirect("/workshop/?welcome=1")
    set_session_cookie(response, session_token, settings)
    return response
