"""Rendering the workshop's pages: templates in `api/templates/workshop/` extending its layout
(`_layout.html`: the navigation the policy allows and the crisis contacts in every footer), with
the staff pages' strict headers, and where to go after signing in."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.routes.staff.deps import SignedIn
from api.routes.staff.forms import ConfirmForm, form_key, make_form
from api.routes.staff.rendering import STAFF_HEADERS, templates
from staff.policy import YOUTH_ROLES, Permission, Role

HOME = "/workshop/"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    staff: SignedIn | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """A workshop page from `api/templates/workshop/`, for the signed-in person `staff` (a
    young person or a member of staff), with the navigation the policy allows them."""
    values: dict[str, Any] = {
        "staff": staff,
        "Permission": Permission,
        "current_path": request.url.path,
        "is_young_person": staff is not None and Role(staff.user.role) in YOUTH_ROLES,
    }
    if staff is not None:
        key = form_key(request.app.state.settings)
        values["sign_out_form"] = make_form(ConfirmForm, key, staff.session.csrf_secret)
    values.update(context or {})
    form = values.get("form")
    values["error_title"] = bool(values.get("problem")) or bool(form is not None and form.errors)
    response = templates.TemplateResponse(
        request, f"workshop/{template}", values, status_code=status_code
    )
    response.headers.update(STAFF_HEADERS)
    return response


def safe_next(path: str | None) -> str:
    """Where to go after signing in: a workshop page of this site, never anywhere else."""
    if not path:
        return HOME
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not parts.path.startswith(HOME) or "\\" in path:
        return HOME
    return path
