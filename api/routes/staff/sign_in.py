"""Signing in and out: e-mail and password, then the TOTP code (or setting two-factor up, when
the role needs it and it is not set up yet). Each step that completes signing in starts a new
session, so a session id known before signing in is worth nothing after (no fixation)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import (
    ClockDep,
    FormDataDep,
    SessionStoreDep,
    ThrottleRulesDep,
    Visit,
    VisitDep,
    attempt_of,
    staff_cookies,
)
from api.routes.staff.forms import CodeForm, ConfirmForm, SignInForm, form_key, make_form
from api.routes.staff.identity_provider import allow_form_to_provider, button_context
from api.routes.staff.rendering import (
    before_sign_in,
    clear_session_cookie,
    redirect,
    render,
    safe_next,
    set_session_cookie,
)
from settings.app import Settings
from staff import audit, throttle
from staff.errors import (
    CsrfRefused,
    PermissionDenied,
    SignInRefused,
    SignInThrottled,
    TwoFactorNotSetUp,
)
from staff.sessions import NEEDS_CODE, SIGNED_IN, SessionStore
from staff.signin import check_code, check_password, signed_in, stage_after_password

router = APIRouter(prefix="/staff", include_in_schema=False)

WRONG_CREDENTIALS = "Enter a correct email address and password"
WRONG_CODE = "Enter the code shown in your authenticator app now"
THROTTLED = "Too many attempts. Wait {minutes} minutes, then try again"
SET_UP_NOT_FINISHED = (
    "Your account was not finished: two-factor authentication was not set up. Ask the person "
    "who invited you to send a new invitation"
)
NOTICES = {
    "signed-out": "You have signed out",
    "everywhere": "You have signed out everywhere",
    "expired": "You were signed out because you had not used the pages for a while",
}
NEXT_STEP = {
    SIGNED_IN: "/staff/",
    NEEDS_CODE: "/staff/sign-in/code",
}


def posted_presession(request: Request, settings: Settings) -> str:
    """The pre-session cookie a form before sign-in was bound to; without it, CSRF fails."""
    value = request.cookies.get(staff_cookies(settings).presession)
    if not value:
        raise CsrfRefused("no pre-session cookie")
    return value


def start_session(
    store: SessionStore, visit: Visit | None, user_id: str, stage: str, now: dt.datetime
) -> str:
    """End the request's session, if any, and start a new one; returns the new token."""
    if visit is not None:
        store.revoke(visit.token, now)
    token, _ = store.create(user_id, stage, now)
    return token


def _sign_in_page(
    request: Request, settings: Settings, context: dict[str, Any], status_code: int
) -> Response:
    """The sign-in page again (with why), its forms allowed to go on to the provider."""
    response = render(request, "sign_in.html", context, status_code=status_code)
    allow_form_to_provider(request, settings, response)
    return response


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
        form = make_form(SignInForm, form_key(settings), value)
        context = {"form": form, "next": safe_next(next), "notice": NOTICES.get(notice or "")}
        return _sign_in_page(request, settings, {**context, **button_context(settings, value)}, 200)

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
    """Check the e-mail and password; then on to the code, two-factor set-up, or in."""
    if not settings.staff_password_sign_in:
        raise PermissionDenied("password sign-in is turned off: sign in with the provider")
    presession = posted_presession(request, settings)
    form = make_form(SignInForm, form_key(settings), presession, data)
    next_page = safe_next(str(data.get("next") or ""))
    context: dict[str, Any] = {"form": form, "next": next_page, "problem": None}
    context.update(button_context(settings, presession))
    if not form.validate():
        return _sign_in_page(request, settings, context, 422)
    now = clock()
    attempt = attempt_of(request, rules, form.email.data or "")
    try:
        user = check_password(
            db, form.email.data or "", form.password.data or "", attempt, rules, now
        )
    except SignInThrottled:
        db.commit()
        minutes = int(rules.window.total_seconds() // 60)
        context["problem"] = ("email", THROTTLED.format(minutes=minutes))
        return _sign_in_page(request, settings, context, 429)
    except SignInRefused:
        db.commit()  # the failure counts towards throttling
        context["problem"] = ("email", WRONG_CREDENTIALS)
        return _sign_in_page(request, settings, context, 422)
    # Each sign-in tidies up: ended sessions and old failures are kept no longer than needed.
    store.purge(now)
    throttle.purge(db, now)
    try:
        stage = stage_after_password(db, user, now)
    except TwoFactorNotSetUp:
        db.commit()
        context["problem"] = ("email", SET_UP_NOT_FINISHED)
        return _sign_in_page(request, settings, context, 403)
    token = start_session(store, visit, user.id, stage, now)
    if stage == SIGNED_IN:
        signed_in(db, user, attempt, now)
    db.commit()
    response = redirect(next_page if stage == SIGNED_IN else NEXT_STEP[stage])
    set_session_cookie(response, token, settings)
    return response


@router.get("/sign-in/code", response_class=HTMLResponse)
def code_page(request: Request, settings: SettingsDep, visit: VisitDep) -> Response:
    """The second step: the code from the authenticator app."""
    if visit is None or visit.record.stage != NEEDS_CODE:
        return redirect("/staff/sign-in")
    form = make_form(CodeForm, form_key(settings), visit.record.csrf_secret)
    return render(request, "code.html", {"form": form, "problem": None})


@router.post("/sign-in/code", response_class=HTMLResponse)
def check_sign_in_code(
    request: Request,
    db: SessionDep,
    store: SessionStoreDep,
    clock: ClockDep,
    settings: SettingsDep,
    rules: ThrottleRulesDep,
    data: FormDataDep,
    visit: VisitDep,
) -> Response:
    """Check the code; a right one completes signing in with a new session."""
    if visit is None or visit.record.stage != NEEDS_CODE:
        return redirect("/staff/sign-in")
    form = make_form(CodeForm, form_key(settings), visit.record.csrf_secret, data)
    context: dict[str, Any] = {"form": form, "problem": None}
    if not form.validate():
        return render(request, "code.html", context, status_code=422)
    now = clock()
    attempt = attempt_of(request, rules, visit.user.email)
    try:
        check_code(db, visit.user, form.code.data or "", attempt, rules, now)
    except SignInThrottled:
        db.commit()
        minutes = int(rules.window.total_seconds() // 60)
        context["problem"] = ("code", THROTTLED.format(minutes=minutes))
        return render(request, "code.html", context, status_code=429)
    except SignInRefused:
        db.commit()
        context["problem"] = ("code", WRONG_CODE)
        return render(request, "code.html", context, status_code=422)
    token = start_session(store, visit, visit.user.id, SIGNED_IN, now)
    signed_in(db, visit.user, attempt, now)
    db.commit()
    response = redirect("/staff/")
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
    """End this session (at any step of signing in) and forget its cookie."""
    if visit is None:
        response = redirect("/staff/sign-in")
    else:
        make_form(ConfirmForm, form_key(settings), visit.record.csrf_secret, data)
        now = clock()
        store.revoke(visit.token, now)
        audit.record(
            db, visit.user, "signed_out", now, record_type="staff_user", record_id=visit.user.id
        )
        db.commit()
        response = redirect("/staff/sign-in?notice=signed-out")
    clear_session_cookie(response, settings)
    return response
