"""Young people sign in to the workshop with their workshop name and password (staff sign in at
/staff/sign-in, with two-factor where their role needs it, and come here signed in). The same
throttling, sessions and cookies as staff: a new session at each sign-in, the pre-session cookie
against login CSRF."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import (
    ClockDep,
    FormDataDep,
    SessionStoreDep,
    ThrottleRulesDep,
    VisitDep,
    attempt_of,
)
from api.routes.staff.forms import ConfirmForm, form_key, make_form
from api.routes.staff.rendering import (
    before_sign_in,
    clear_session_cookie,
    redirect,
    set_session_cookie,
)
from api.routes.staff.sign_in import THROTTLED, posted_presession, start_session
from api.routes.workshop.forms import WorkshopSignInForm
from api.routes.workshop.rendering import render, safe_next
from staff import audit, throttle
from staff.errors import SignInRefused, SignInThrottled
from staff.policy import YOUTH_ROLES, Role
from staff.sessions import SIGNED_IN
from staff.signin import check_password, signed_in, stage_after_password

router = APIRouter(prefix="/workshop", include_in_schema=False)

WRONG_CREDENTIALS = "Enter a correct workshop name and password"
NOTICES = {
    "signed-out": "You have signed out",
    "expired": "You were signed out because you had not used the workshop for a while",
}


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(
    request: Request,
    settings: SettingsDep,
    visit: VisitDep,
    next: str | None = None,
    notice: str | None = None,
) -> Response:
    """The sign-in page (straight on when already signed in)."""
    if visit is not None and visit.record.stage == SIGNED_IN:
        return redirect(safe_next(next))

    def draw(value: str) -> Response:
        form = make_form(WorkshopSignInForm, form_key(settings), value)
        context = {"form": form, "next": safe_next(next), "notice": NOTICES.get(notice or "")}
        return render(request, "sign_in.html", context)

    return before_sign_in(request, settings, draw)


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(
    request: Request,
    db: SessionDep,
    store: SessionStoreDep,
    clock: ClockDep,
    settings: SettingsDep,
    rules: ThrottleRulesDep,
    data: FormDataDep,
    visit: VisitDep,
) -> Response:
    """Check the workshop name and password; a right pair starts a new session."""
    form = make_form(
        WorkshopSignInForm, form_key(settings), posted_presession(request, settings), data
    )
    next_page = safe_next(str(data.get("next") or ""))
    context: dict[str, Any] = {"form": form, "next": next_page, "problem": None}
    if not form.validate():
        return render(request, "sign_in.html", context, status_code=422)
    now = clock()
    name = form.name.data or ""
    attempt = attempt_of(request, rules, name)
    try:
        user = check_password(
            db, name, form.password.data or "", attempt, rules, now, workshop=True
        )
    except SignInThrottled:
        db.commit()
        minutes = int(rules.window.total_seconds() // 60)
        context["problem"] = ("name", THROTTLED.format(minutes=minutes))
        return render(request, "sign_in.html", context, status_code=429)
    except SignInRefused:
        db.commit()  # the failure counts towards throttling
        context["problem"] = ("name", WRONG_CREDENTIALS)
        return render(request, "sign_in.html", context, status_code=422)
    store.purge(now)
    throttle.purge(db, now)
    # Young people's roles never need two-factor: signing in is complete.
    stage = stage_after_password(db, user, now)
    token = start_session(store, visit, user.id, stage, now)
    signed_in(db, user, attempt, now)
    db.commit()
    response = redirect(next_page if stage == SIGNED_IN else "/workshop/sign-in")
    set_session_cookie(response, token, settings)
    return response


@router.post("/sign-out")
def sign_out(
    request: Request,
    db: SessionDep,
    store: SessionStoreDep,
    clock: ClockDep,
    settings: SettingsDep,
    data: FormDataDep,
    visit: VisitDep,
) -> RedirectResponse:
    """End this session and forget its cookie; young people go back to the workshop's sign-in,
    staff to theirs."""
    if visit is None:
        response = redirect("/workshop/sign-in")
    else:
        make_form(ConfirmForm, form_key(settings), visit.record.csrf_secret, data)
        now = clock()
        store.revoke(visit.token, now)
        audit.record(
            db, visit.user, "signed_out", now, record_type="staff_user", record_id=visit.user.id
        )
        db.commit()
        door = "/workshop" if Role(visit.user.role) in YOUTH_ROLES else "/staff"
        response = redirect(f"{door}/sign-in?notice=signed-out")
    clear_session_cookie(response, settings)
    return response
