"""Setting an account up: the invitation's link (name and password), then two-factor for the
roles that need it. Following the link shows the form; only posting it uses the invitation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import (
    ClockDep,
    FormDataDep,
    SessionStoreDep,
    ThrottleRulesDep,
    Visit,
    VisitDep,
    attempt_of,
)
from api.routes.staff.forms import (
    CodeForm,
    SetUpForm,
    TurnOnTwoFactorForm,
    form_key,
    make_form,
)
from api.routes.staff.rendering import (
    before_sign_in,
    redirect,
    render,
    set_session_cookie,
)
from api.routes.staff.sign_in import THROTTLED, WRONG_CODE, posted_presession, start_session
from services_directory.accounts import StaffInvitation
from services_directory.models import Organization
from settings.app import Settings
from staff import audit
from staff.errors import InvalidChange, SignInRefused, SignInThrottled
from staff.invitations import accept, usable_invitation
from staff.policy import Role, needs_two_factor
from staff.sessions import NEEDS_ENROLMENT, SIGNED_IN
from staff.signin import check_current_password, confirm_enrolment, enrolment_secret, signed_in
from staff.throttle import ThrottleRules
from staff.totp import grouped, provisioning_uri

router = APIRouter(prefix="/staff", include_in_schema=False)


def _set_up_context(db: SessionDep, invitation: StaffInvitation, token: str) -> dict[str, object]:
    organisation = (
        db.get(Organization, invitation.organisation_id) if invitation.organisation_id else None
    )
    return {
        "invitation": invitation,
        "token": token,
        "role_label": Role(invitation.role).label,
        "organisation": organisation,
    }


@router.get("/set-up/{token}", response_class=HTMLResponse)
def set_up_page(
    request: Request,
    token: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    _visit: VisitDep,  # a young person's session is refused here, as on every staff page
) -> Response:
    """The invitation's page: name and password (`InvitationUnusable` if the link is spent)."""
    invitation = usable_invitation(db, token, clock())

    def draw(value: str) -> Response:
        form = make_form(SetUpForm, form_key(settings), value)
        context = {"form": form, **_set_up_context(db, invitation, token)}
        return render(request, "set_up.html", context)

    return before_sign_in(request, settings, draw)


@router.post("/set-up/{token}", response_class=HTMLResponse)
def set_up(
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
    """Use the invitation: the account is ready, then two-factor set-up or straight in."""
    key = form_key(settings)
    form = make_form(SetUpForm, key, posted_presession(request, settings), data)
    now = clock()
    invitation = usable_invitation(db, token, now)
    context = {"form": form, **_set_up_context(db, invitation, token)}
    if not form.validate():
        return render(request, "set_up.html", context, status_code=422)
    try:
        user = accept(db, token, form.display_name.data or "", form.password.data or "", now, store)
    except InvalidChange as problem:
        db.rollback()
        form.password.errors = [problem.message]
        return render(request, "set_up.html", context, status_code=422)
    stage = NEEDS_ENROLMENT if needs_two_factor(user.role) else SIGNED_IN
    session_token = start_session(store, visit, user.id, stage, now)
    if stage == SIGNED_IN:
        signed_in(db, user, attempt_of(request, rules, user.email), now)
    db.commit()
    response = redirect("/staff/two-factor" if stage == NEEDS_ENROLMENT else "/staff/")
    set_session_cookie(response, session_token, settings)
    return response


WRONG_PASSWORD = "Enter your current password"  # noqa: S105 - a message


def _two_factor_form(
    settings: Settings, visit: Visit, data: FormData | None = None
) -> CodeForm | TurnOnTwoFactorForm:
    """The code alone while signing in; the password as well from a signed-in session."""
    form_class = TurnOnTwoFactorForm if visit.record.stage == SIGNED_IN else CodeForm
    return make_form(form_class, form_key(settings), visit.record.csrf_secret, data)


@router.get("/two-factor", response_class=HTMLResponse)
def two_factor_page(
    request: Request, db: SessionDep, settings: SettingsDep, visit: VisitDep
) -> Response:
    """Setting two-factor up: the key (and setup link) to add to an authenticator app."""
    if visit is None or visit.record.stage not in (NEEDS_ENROLMENT, SIGNED_IN):
        return redirect("/staff/sign-in")
    if visit.user.totp_confirmed_at is not None:
        return redirect("/staff/account")
    secret = enrolment_secret(visit.user)
    db.commit()  # the same key until it is confirmed, however often the page is shown
    form = _two_factor_form(settings, visit)
    return render(request, "two_factor.html", _enrolment_context(form, secret, visit))


def _enrolment_context(
    form: CodeForm | TurnOnTwoFactorForm, secret: str, visit: Visit
) -> dict[str, object]:
    return {
        "form": form,
        "problem": None,
        "secret_grouped": grouped(secret),
        "uri": provisioning_uri(secret, visit.user.email),
        "required": needs_two_factor(visit.user.role),
        "asks_password": isinstance(form, TurnOnTwoFactorForm),
        "email": visit.user.email,
    }


def _refused(
    request: Request,
    db: SessionDep,
    rules: ThrottleRules,
    context: dict[str, object],
    refusal: Exception,
    field: str,
    wrong: str,
) -> Response:
    """The set-up page again, with why the password or code was refused (the failure counts:
    it is committed)."""
    db.commit()
    if isinstance(refusal, SignInThrottled):
        minutes = int(rules.window.total_seconds() // 60)
        context["problem"] = (field, THROTTLED.format(minutes=minutes))
        return render(request, "two_factor.html", context, status_code=429)
    context["problem"] = (field, wrong)
    return render(request, "two_factor.html", context, status_code=422)


@router.post("/two-factor", response_class=HTMLResponse)
def turn_on_two_factor(
    request: Request,
    db: SessionDep,
    store: SessionStoreDep,
    clock: ClockDep,
    settings: SettingsDep,
    rules: ThrottleRulesDep,
    data: FormDataDep,
    visit: VisitDep,
) -> Response:
    """Confirm the first code (and, from a signed-in session, the password); a new session
    starts either way, and from a signed-in session every other session of the account ends."""
    if visit is None or visit.record.stage not in (NEEDS_ENROLMENT, SIGNED_IN):
        return redirect("/staff/sign-in")
    form = _two_factor_form(settings, visit, data)
    if visit.user.totp_confirmed_at is not None or visit.user.totp_secret is None:
        return redirect("/staff/account")
    context = _enrolment_context(form, visit.user.totp_secret, visit)
    if not form.validate():
        return render(request, "two_factor.html", context, status_code=422)
    now = clock()
    attempt = attempt_of(request, rules, visit.user.email)
    if isinstance(form, TurnOnTwoFactorForm):
        try:
            check_current_password(db, visit.user, form.password.data or "", attempt, rules, now)
        except (SignInThrottled, SignInRefused) as refusal:
            return _refused(request, db, rules, context, refusal, "password", WRONG_PASSWORD)
    try:
        confirm_enrolment(db, visit.user, form.code.data or "", attempt, rules, now)
    except (SignInThrottled, SignInRefused) as refusal:
        return _refused(request, db, rules, context, refusal, "code", WRONG_CODE)
    if visit.record.stage == SIGNED_IN:
        # Whoever else holds a session of this account must now sign in with the new factor.
        ended = store.revoke_all(visit.user.id, now)
        session_token, _ = store.create(visit.user.id, SIGNED_IN, now)
        audit.record(
            db,
            visit.user,
            "other_sessions_ended",
            now,
            record_type="staff_user",
            record_id=visit.user.id,
            detail=f"two-factor turned on; {max(ended - 1, 0)} other session(s) ended",
        )
        db.commit()
        response = redirect("/staff/account")
        set_session_cookie(response, session_token, settings)
        return response
    session_token = start_session(store, visit, visit.user.id, SIGNED_IN, now)
    signed_in(db, visit.user, attempt, now)
    db.commit()
    response = redirect("/staff/")
    set_session_cookie(response, session_token, settings)
    return response
