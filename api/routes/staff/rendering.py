"""Rendering the staff pages: one template folder, the headers every staff page carries, and the
cookies of the session and the pre-session."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from api.routes.staff.deps import SignedIn, staff_cookies
from api.routes.staff.forms import ConfirmForm, make_form
from settings.app import ROOT, Settings
from staff.policy import Permission

templates = Jinja2Templates(directory=ROOT / "api" / "templates")

# Only this site's own scripts, styles and images; no framing; no referrer, so that a set-up
# link in the address bar never leaks to another site; nothing cached by the browser or a proxy.
STAFF_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    staff: SignedIn | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """A staff page from `api/templates/staff/`, with the navigation the policy allows."""
    values: dict[str, Any] = {
        "staff": staff,
        "Permission": Permission,
        "current_path": request.url.path,
    }
    if staff is not None:
        key = request.app.state.settings.staff_secret_key.get_secret_value()
        values["sign_out_form"] = make_form(ConfirmForm, key, staff.session.csrf_secret)
    values.update(context or {})
    form = values.get("form")
    values["error_title"] = bool(values.get("problem")) or bool(form is not None and form.errors)
    response = templates.TemplateResponse(
        request, f"staff/{template}", values, status_code=status_code
    )
    response.headers.update(STAFF_HEADERS)
    return response


def redirect(path: str) -> RedirectResponse:
    """A 303 "see other" to a page of this site (after a form, the browser GETs it)."""
    response = RedirectResponse(path, status_code=303)
    response.headers.update(STAFF_HEADERS)
    return response


def safe_next(path: str | None) -> str:
    """Where to go after signing in: a staff or workshop page of this site, never anywhere
    else."""
    if not path:
        return "/staff/"
    parts = urlsplit(path)
    inside = parts.path.startswith(("/staff/", "/workshop/"))
    if parts.scheme or parts.netloc or not inside or "\\" in path:
        return "/staff/"
    return path


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    """The session cookie: HttpOnly, SameSite=Lax, and Secure with the `__Host-` prefix and
    Path=/ (but in development over http: no Secure, no prefix)."""
    cookies = staff_cookies(settings)
    response.set_cookie(
        cookies.session,
        token,
        path=cookies.path,
        httponly=True,
        samesite="lax",
        secure=settings.staff_cookie_is_secure,
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    """Tell the browser to forget the session cookie."""
    cookies = staff_cookies(settings)
    response.delete_cookie(
        cookies.session,
        path=cookies.path,
        httponly=True,
        samesite="lax",
        secure=settings.staff_cookie_is_secure,
    )


def presession_value(request: Request, settings: Settings) -> tuple[str, bool]:
    """The pre-session cookie's value that forms before sign-in are bound to, and whether it is
    new (then the response must set it)."""
    value = request.cookies.get(staff_cookies(settings).presession)
    if value and len(value) == 64:
        return value, False
    return secrets.token_hex(32), True


def before_sign_in(
    request: Request, settings: Settings, draw: Callable[[str], Response]
) -> Response:
    """A form's page before sign-in: `draw` makes it with the pre-session value the form is
    bound to, and the pre-session cookie is set when that value is new."""
    value, new = presession_value(request, settings)
    response = draw(value)
    if new:
        set_presession_cookie(response, value, settings)
    return response


def set_presession_cookie(response: Response, value: str, settings: Settings) -> None:
    """The pre-session cookie, with the same flags as the session's."""
    cookies = staff_cookies(settings)
    response.set_cookie(
        cookies.presession,
        value,
        path=cookies.path,
        httponly=True,
        samesite="lax",
        secure=settings.staff_cookie_is_secure,
    )
