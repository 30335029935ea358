"""The one translation of the staff package's refusals to HTTP, as a page for browsers and as
the API's usual error body (`api/errors.py`) for anything that asks for JSON:

- `NotSignedIn`: browsers are sent to sign in (303, with where they were going); else 401;
- `CsrfRefused` and `PermissionDenied`: 403;
- `AccountNotFound`, `RecordNotFound`: 404 (also for a record outside the person's
  organisation);
- `InvitationUnusable`: 404, with a page that says what to do.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from api.routes.staff.rendering import clear_session_cookie, redirect, render
from staff.errors import (
    AccountNotFound,
    CsrfRefused,
    InvitationUnusable,
    NotSignedIn,
    PermissionDenied,
    RecordNotFound,
    StaffError,
)

PAGES: dict[type[StaffError], tuple[int, str, str, str]] = {
    # error: (status, JSON type, page heading, what to tell the person)
    CsrfRefused: (
        403,
        "csrf_refused",
        "Your form could not be sent",
        "The page had been open too long, or was sent from somewhere else. Go back, reload the "
        "page and try again.",
    ),
    PermissionDenied: (
        403,
        "forbidden",
        "You cannot do this",
        "Your role does not allow it. Ask your council's directory team if you need to.",
    ),
    AccountNotFound: (404, "not_found", "Page not found", "There is nothing at this address."),
    RecordNotFound: (404, "not_found", "Page not found", "There is nothing at this address."),
    InvitationUnusable: (
        404,
        "invitation_unusable",
        "This link no longer works",
        "Set-up links work once, for a limited time. Ask the person who invited you to send "
        "a new one.",
    ),
}


def wants_html(request: Request) -> bool:
    """Whether the client is a browser asking for a page (else it gets JSON)."""
    return "text/html" in request.headers.get("accept", "")


def _json(status: int, kind: str, message: str) -> JSONResponse:
    body = {"detail": [{"field": "request", "message": message, "type": kind}]}
    return JSONResponse(status_code=status, content=body, headers={"Cache-Control": "no-store"})


async def _not_signed_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotSignedIn)
    response: Response
    if not wants_html(request):
        response = _json(401, "not_signed_in", "Sign in to use the staff pages")
        response.headers["WWW-Authenticate"] = 'Cookie realm="staff"'
    elif exc.pending_step:
        response = redirect(exc.pending_step)
    else:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        notice = "&notice=expired" if exc.expired else ""
        response = redirect(f"/staff/sign-in?next={quote(target, safe='/')}{notice}")
    if exc.expired:
        clear_session_cookie(response, request.app.state.settings)
    return response


async def _refused(request: Request, exc: Exception) -> Response:
    kind = next(k for k in PAGES if isinstance(exc, k))
    status, json_type, heading, message = PAGES[kind]
    if not wants_html(request):
        return _json(status, json_type, message)
    context = {"heading": heading, "message": message}
    return render(request, "error.html", context, status_code=status)


def install(app: FastAPI) -> None:
    """Use this translation for the staff package's errors, app-wide."""
    app.add_exception_handler(NotSignedIn, _not_signed_in)
    for kind in PAGES:
        app.add_exception_handler(kind, _refused)
