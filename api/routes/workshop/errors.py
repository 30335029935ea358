"""The staff package's refusals on the workshop's pages: the same statuses and JSON bodies as on
the staff pages (api/routes/staff/errors.py, whose handlers stay in charge of every other path),
but the workshop's own sign-in and error pages, in plainer words:

- `NotSignedIn` under /workshop/: browsers go to /workshop/sign-in (303), others get 401;
- a young person's account on a staff page (`OutsideTheWorkshop`): browsers go to /workshop/,
  others get 403;
- the other refusals under /workshop/: the workshop's error page with the same status.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from api.routes.staff.deps import OutsideTheWorkshop
from api.routes.staff.errors import PAGES, wants_html
from api.routes.staff.rendering import clear_session_cookie, redirect
from api.routes.workshop.rendering import HOME, render
from staff.errors import InvitationUnusable, NotSignedIn, PermissionDenied

Handler = Callable[[Request, Exception], Awaitable[Response]]

# What the workshop says instead, where the staff pages' words do not fit young people.
WORKSHOP_WORDS = {
    PermissionDenied: (
        "You cannot do this",
        "This part of the workshop is not open to your account. Ask a workshop moderator if you "
        "think it should be.",
    ),
    InvitationUnusable: (
        "This link no longer works",
        "Invite links work once, for a limited time. Ask the youth worker who gave you the link "
        "for a new one.",
    ),
}


def _in_workshop(request: Request) -> bool:
    return request.url.path == HOME.rstrip("/") or request.url.path.startswith(HOME)


def _not_signed_in(staff_handler: Handler) -> Handler:
    async def handle(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, NotSignedIn)
        if not _in_workshop(request):
            return await staff_handler(request, exc)
        response: Response
        if not wants_html(request):
            body = {
                "detail": [
                    {
                        "field": "request",
                        "message": "Sign in to use the workshop",
                        "type": "not_signed_in",
                    }
                ]
            }
            response = JSONResponse(
                status_code=401, content=body, headers={"Cache-Control": "no-store"}
            )
            response.headers["WWW-Authenticate"] = 'Cookie realm="workshop"'
        elif exc.pending_step:
            response = redirect(exc.pending_step)
        else:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            notice = "&notice=expired" if exc.expired else ""
            response = redirect(f"/workshop/sign-in?next={quote(target, safe='/')}{notice}")
        if exc.expired:
            clear_session_cookie(response, request.app.state.settings)
        return response

    return handle


def _refused(staff_handler: Handler) -> Handler:
    async def handle(request: Request, exc: Exception) -> Response:
        if isinstance(exc, OutsideTheWorkshop) and wants_html(request):
            return redirect(HOME)
        if not _in_workshop(request) or not wants_html(request):
            return await staff_handler(request, exc)
        kind = next(k for k in PAGES if isinstance(exc, k))
        status, _, heading, message = PAGES[kind]
        words = next((w for k, w in WORKSHOP_WORDS.items() if kind is k), (heading, message))
        context = {"heading": words[0], "message": words[1]}
        return render(request, "error.html", context, status_code=status)

    return handle


def install(app: FastAPI) -> None:
    """Wrap the staff pages' handlers (installed first) so that /workshop/ gets its own pages."""
    staff_not_signed_in = app.exception_handlers[NotSignedIn]
    app.add_exception_handler(NotSignedIn, _not_signed_in(staff_not_signed_in))  # type: ignore[arg-type]
    for kind in PAGES:
        staff_handler = app.exception_handlers[kind]
        app.add_exception_handler(kind, _refused(staff_handler))  # type: ignore[arg-type]
    app.add_exception_handler(
        OutsideTheWorkshop,
        _refused(app.exception_handlers[PermissionDenied]),  # type: ignore[arg-type]
    )
