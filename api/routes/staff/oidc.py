"""Signing in through the council's identity provider (OpenID Connect, authorization code flow
with PKCE). The button posts a form (CSRF-checked against the pre-session cookie); the browser is
sent to the provider with a fresh `state`, `nonce` and code challenge, kept meanwhile in a short-
lived signed cookie of this browser; the callback checks `state`, exchanges the code, validates
the ID token (`staff.oidc_provider`) and asks `staff.oidc` which account it lets in. Then the same
server-side session as a password sign-in starts, with a new id."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from dataclasses import asdict, dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import (
    Clock,
    ClockDep,
    FormDataDep,
    SessionStoreDep,
    ThrottleRulesDep,
    Visit,
    VisitDep,
    attempt_of,
    staff_cookies,
)
from api.routes.staff.forms import ConfirmForm, make_form
from api.routes.staff.identity_provider import provider_of
from api.routes.staff.rendering import (
    STAFF_HEADERS,
    redirect,
    render,
    safe_next,
    set_session_cookie,
)
from api.routes.staff.sign_in import NEXT_STEP, posted_presession, start_session
from settings.app import Settings
from staff import audit, throttle
from staff.errors import AccountNotFound, OidcRefused
from staff.oidc import SIGNED_IN_ACTION, admit, identity_of
from staff.sessions import NEEDS_ENROLMENT, SIGNED_IN, SessionStore
from staff.signin import signed_in
from staff.throttle import ThrottleRules

router = APIRouter(prefix="/staff", include_in_schema=False)
log = logging.getLogger(__name__)

# Long enough to sign in at the provider (a password, an authenticator), short enough that a
# forgotten tab's request is not completed later.
PENDING_SECONDS = 10 * 60
NEXT_STEP_AFTER_OIDC = {**NEXT_STEP, NEEDS_ENROLMENT: "/staff/two-factor"}

START_AGAIN = "Go back to the sign-in page and start again."
ASK_TEAM = "Staff accounts are by invitation only. Ask your council's directory team for help."
PAGES: dict[str, tuple[int, str, str]] = {
    # reason: (status, heading, what to tell the person)
    "state_mismatch": (
        400,
        "Sign-in could not be completed",
        "The sign-in took too long, or was started in another browser or tab. " + START_AGAIN,
    ),
    "cancelled": (400, "Sign-in was cancelled", START_AGAIN),
    "unknown_email": (
        403,
        "There is no account you can use for {email}",
        "There is no active account or open invitation for this email address. " + ASK_TEAM,
    ),
    "subject_changed": (
        403,
        "This account belongs to someone else's sign-in",
        "The account for {email} was set up with a different identity at your organisation's "
        "sign-in service. " + ASK_TEAM,
    ),
    "identity_in_use": (
        403,
        "Your sign-in is linked to another account",
        "Your identity at your organisation's sign-in service is already linked to another "
        "account. " + ASK_TEAM,
    ),
    "no_email": (
        403,
        "Your sign-in has no email address",
        "Your organisation's sign-in service did not share a verified email address. " + ASK_TEAM,
    ),
    "second_factor_missing": (
        403,
        "Two-factor authentication is needed",
        "Your role needs two-factor authentication, and your organisation's sign-in service did "
        "not confirm one. Sign in there with your second factor, or ask for a new invitation to "
        "set up an authenticator app.",
    ),
}
PAGES["email_unverified"] = PAGES["no_email"]
PROVIDER_TROUBLE = (
    502,
    "Your organisation's sign-in service did not answer as expected",
    "Try again in a few minutes. If it keeps happening, tell your council's directory team.",
)


@dataclass(frozen=True)
class Pending:
    """An authorization request in progress, as kept in this browser's signed cookie."""

    state: str
    nonce: str
    code_verifier: str
    next: str
    expires: int


def _cookie(settings: Settings) -> tuple[str, str]:
    """The pending request's cookie name and path (prefixed whenever it is Secure)."""
    cookies = staff_cookies(settings)
    return cookies.session.replace("staff_session", "staff_oidc"), cookies.path


def _mac(settings: Settings, payload: str) -> str:
    # Its own key, derived from STAFF_SECRET_KEY, so this MAC is never valid as anything else.
    secret = settings.staff_secret_key.get_secret_value().encode()
    key = hashlib.sha256(b"staff-oidc-pending\0" + secret).digest()
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def _seal(settings: Settings, pending: Pending) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(asdict(pending)).encode()).decode()
    return f"{payload}.{_mac(settings, payload)}"


def _unseal(settings: Settings, value: str | None) -> Pending | None:
    """The pending request of a cookie made here and not past its time; else None."""
    if not value or "." not in value:
        return None
    payload, mac = value.rsplit(".", 1)
    if not hmac.compare_digest(mac.encode(), _mac(settings, payload).encode()):
        return None
    try:
        pending = Pending(**json.loads(base64.urlsafe_b64decode(payload)))
    except (ValueError, TypeError):
        return None
    return pending if time.time() < pending.expires else None


def _page(request: Request, reason: str, email: str = "") -> HTMLResponse:
    status, heading, message = PAGES.get(reason, PROVIDER_TROUBLE)
    context = {
        "heading": heading.format(email=email),
        "paragraphs": [message.format(email=email)],
        "link": ("/staff/sign-in", "Go to the sign-in page"),
    }
    return render(request, "message.html", context, status_code=status)


@router.post("/sign-in/oidc")
def start_oidc_sign_in(
    request: Request,
    settings: SettingsDep,
    data: FormDataDep,
    _visit: VisitDep,  # a young person's session is refused here, as on every staff page
) -> Response:
    """Send the browser to the identity provider, remembering what the callback must find."""
    key = settings.staff_secret_key.get_secret_value()
    make_form(ConfirmForm, key, posted_presession(request, settings), data)  # CSRF first
    provider = provider_of(request, settings)
    if provider is None:
        raise AccountNotFound("sign-in through an identity provider is not configured")
    try:
        authorization = provider.start()
    except OidcRefused as refusal:
        log.warning("OIDC sign-in could not start: %s", refusal)
        return _page(request, refusal.reason)
    pending = Pending(
        state=authorization.state,
        nonce=authorization.nonce,
        code_verifier=authorization.code_verifier,
        next=safe_next(str(data.get("next") or "")),
        expires=int(time.time()) + PENDING_SECONDS,
    )
    response = RedirectResponse(authorization.url, status_code=303)
    response.headers.update(STAFF_HEADERS)
    name, path = _cookie(settings)
    # SameSite=Lax: the provider sends the browser back with a top-level GET, which carries it.
    response.set_cookie(
        name,
        _seal(settings, pending),
        max_age=PENDING_SECONDS,
        path=path,
        httponly=True,
        samesite="lax",
        secure=settings.staff_cookie_is_secure,
    )
    return response


@router.get("/sign-in/oidc/callback", response_class=HTMLResponse)
def finish_oidc_sign_in(
    request: Request,
    db: SessionDep,
    store: SessionStoreDep,
    clock: ClockDep,
    settings: SettingsDep,
    rules: ThrottleRulesDep,
    visit: VisitDep,
    state: str = "",
    code: str = "",
    error: str = "",
) -> Response:
    """Check `state`, exchange the code, validate the ID token, and sign in to the account it
    lets in (or refuse, with a page and an audit entry). The pending cookie is used once."""
    provider = provider_of(request, settings)
    if provider is None:
        raise AccountNotFound("sign-in through an identity provider is not configured")
    name, path = _cookie(settings)
    pending = _unseal(settings, request.cookies.get(name))
    response = _finish(
        request, db, store, clock, settings, rules, visit, pending, state, code, error
    )
    response.delete_cookie(
        name, path=path, httponly=True, samesite="lax", secure=settings.staff_cookie_is_secure
    )
    return response


def _finish(
    request: Request,
    db: SessionDep,
    store: SessionStore,
    clock: Clock,
    settings: Settings,
    rules: ThrottleRules,
    visit: Visit | None,
    pending: Pending | None,
    state: str,
    code: str,
    error: str,
) -> Response:
    if pending is None or not hmac.compare_digest(pending.state.encode(), state.encode()):
        return _page(request, "state_mismatch")
    if error or not code:
        return _page(request, "cancelled")
    provider = provider_of(request, settings)
    assert provider is not None
    now = clock()
    try:
        claims = provider.claims(code, pending.code_verifier, pending.nonce)
        identity = identity_of(claims, settings.staff_oidc_mfa_acr_values.split())
    except OidcRefused as refusal:
        log.warning("OIDC sign-in refused: %s", refusal)
        return _page(request, refusal.reason)
    try:
        admission = admit(db, identity, now, store)
    except OidcRefused as refusal:
        db.commit()  # the audit entry of the refusal (and nothing else was changed)
        return _page(request, refusal.reason, identity.email)
    store.purge(now)
    throttle.purge(db, now)
    user, stage = admission.user, admission.stage
    token = start_session(store, visit, user.id, stage, now)
    attempt = attempt_of(request, rules, user.email)
    if stage == SIGNED_IN:
        how = "second factor at the provider" if identity.second_factor else "one factor"
        signed_in(db, user, attempt, now, action=SIGNED_IN_ACTION, detail=how)
    else:
        audit.record(
            db,
            user,
            SIGNED_IN_ACTION,
            now,
            record_type="staff_user",
            record_id=user.id,
            detail=f"provider accepted; {stage.replace('_', ' ')}",
        )
    db.commit()
    response = redirect(pending.next if stage == SIGNED_IN else NEXT_STEP_AFTER_OIDC[stage])
    set_session_cookie(response, token, settings)
    return response
