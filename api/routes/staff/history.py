"""A service's history: every published version with who, when and why; the differences between
any two; and an older version proposed again as a new draft (which goes through review)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import ClockDep, FormDataDep, SignedIn, current_staff, require
from api.routes.staff.forms import StaffForm, form_key, make_form
from api.routes.staff.rendering import redirect, render
from staff import directory, drafts
from staff import versions as history_of
from staff.errors import InvalidChange
from staff.policy import Permission
from staff.service_document import differences

router = APIRouter(prefix="/staff", include_in_schema=False, dependencies=[Depends(current_staff)])
Viewer = Annotated[SignedIn, Depends(require(Permission.SERVICES_VIEW))]
Editor = Annotated[SignedIn, Depends(require(Permission.SERVICES_EDIT))]


class RestoreForm(StaffForm):
    reason = TextAreaField(
        "Why restore this version?",
        [InputRequired("Say why you are restoring this version"), Length(max=900)],
    )


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 7 else None


@router.get("/services/{service_id}/history", response_class=HTMLResponse)
def history(
    request: Request,
    service_id: str,
    db: SessionDep,
    staff: Viewer,
    older: str | None = None,
    newer: str | None = None,
) -> HTMLResponse:
    """The versions, newest first, and the differences between the two chosen."""
    service = directory.visible_service(db, staff.actor, service_id)
    versions = history_of.versions(db, service.id)
    a, b = _number(older), _number(newer)
    if (a is None or b is None) and len(versions) >= 2:
        a, b = versions[1].number, versions[0].number
    changes, compared = None, None
    if a is not None and b is not None:
        first = history_of.version(db, service.id, a)
        second = history_of.version(db, service.id, b)
        changes, compared = differences(first.document, second.document), (first, second)
    context = {"service": service, "versions": versions, "changes": changes, "compared": compared}
    return render(request, "history.html", context, staff=staff)


@router.get("/services/{service_id}/history/{number}/restore", response_class=HTMLResponse)
def restore_page(
    request: Request,
    service_id: str,
    number: int,
    db: SessionDep,
    settings: SettingsDep,
    staff: Editor,
) -> HTMLResponse:
    """Ask why, before proposing an older version again."""
    service = directory.visible_service(db, staff.actor, service_id)
    old = history_of.version(db, service.id, number)
    form = make_form(RestoreForm, form_key(settings), staff.session.csrf_secret)
    context = {"service": service, "version": old, "form": form, "problem": None}
    return render(request, "restore.html", context, staff=staff)


@router.post("/services/{service_id}/history/{number}/restore", response_class=HTMLResponse)
def restore(
    request: Request,
    service_id: str,
    number: int,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Editor,
) -> Response:
    """Propose the older version again, as a draft for review."""
    form = make_form(RestoreForm, form_key(settings), staff.session.csrf_secret, data)
    service = directory.visible_service(db, staff.actor, service_id)
    old = history_of.version(db, service.id, number)
    context = {"service": service, "version": old, "form": form, "problem": None}
    if not form.validate():
        return render(request, "restore.html", context, staff=staff, status_code=422)
    try:
        draft = drafts.restore(db, staff.user, service, number, form.reason.data or "", clock())
    except InvalidChange as problem:
        db.rollback()
        form.reason.errors = [problem.message]
        return render(request, "restore.html", context, staff=staff, status_code=422)
    db.commit()
    return redirect(f"/staff/drafts/{draft.id}?sent=1")
