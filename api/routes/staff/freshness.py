"""Freshness pages: the dashboard of services due for review or overdue, "Checked, still correct",
and withholding a long-overdue service from the chat (and releasing it).

Council roles reach every service; organisation roles only their organisation's (any other is
"not found", `staff.directory.visible_service`). Every change is a POST with its CSRF token."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import ClockDep, FormDataDep, SignedIn, current_staff, require
from api.routes.staff.forms import ConfirmForm, StaffForm, form_key, make_form
from api.routes.staff.rendering import redirect, render
from services_directory.freshness import DUE_WITHIN_DAYS, ServiceReview, london_today
from services_directory.models import Service
from settings.app import Settings
from staff import directory, freshness
from staff.errors import InvalidChange, PermissionDenied
from staff.policy import Permission, can, can_see, target_of

router = APIRouter(prefix="/staff", include_in_schema=False, dependencies=[Depends(current_staff)])

Viewer = Annotated[SignedIn, Depends(require(Permission.SERVICES_VIEW))]
Checker = Annotated[SignedIn, Depends(require(Permission.SERVICES_MARK_CHECKED))]
Withholder = Annotated[SignedIn, Depends(require(Permission.SERVICES_WITHHOLD))]
PER_PAGE = 50
SHOW_CHOICES = [
    (freshness.SHOW_ALL, "Due, overdue or withheld"),
    (freshness.SHOW_OVERDUE, "Overdue"),
    (freshness.SHOW_DUE, f"Due in the next {DUE_WITHIN_DAYS} days"),
    (freshness.SHOW_FLAGGED, "Overdue past the limit, still in the chat"),
    (freshness.SHOW_WITHHELD, "Withheld from the chat"),
]


class WithholdForm(StaffForm):
    reason = TextAreaField(
        "Why is it withheld from the chat?",
        [
            InputRequired("Enter why the service is withheld from the chat"),
            Length(max=freshness.REASON_MAX, message="The reason must be 500 characters or fewer"),
        ],
    )


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 100_000 else 1


def _page_links(show: str, page: directory.Page) -> dict[str, object]:
    def href(number: int) -> str:
        values = {k: v for k, v in {"show": show, "page": str(number)}.items() if v}
        if number == 1:
            values.pop("page")
        return f"/staff/freshness?{urlencode(values)}" if values else "/staff/freshness"

    return {
        "previous": href(page.page - 1) if page.page > 1 else None,
        "next": href(page.page + 1) if page.page < page.pages else None,
        "items": [],
    }


def _limit(settings: Settings) -> int:
    return settings.staff_overdue_withhold_days


@router.get("/freshness", response_class=HTMLResponse)
def dashboard(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    staff: Viewer,
    show: str = "",
    page: str | None = None,
    checked: str | None = None,
) -> HTMLResponse:
    """The services within this person's reach that are due for review, overdue or withheld,
    soonest first; council admins also see those overdue past the limit."""
    today = london_today(clock())
    rows = freshness.review_rows(db, staff.actor, today, _limit(settings))
    may_withhold = staff.can(Permission.SERVICES_WITHHOLD)
    choices = [c for c in SHOW_CHOICES if may_withhold or c[0] != freshness.SHOW_FLAGGED]
    if show not in {value for value, _label in choices}:
        show = freshness.SHOW_ALL
    shown = freshness.narrowed(rows, show)
    number = min(_page_number(page), max(1, -(-len(shown) // PER_PAGE)))
    found = directory.Page(
        shown[(number - 1) * PER_PAGE : number * PER_PAGE], len(shown), number, PER_PAGE
    )
    just_checked = db.get(Service, checked) if checked else None
    if just_checked is not None and not can_see(staff.actor, target_of(just_checked)):
        just_checked = None
    context = {
        "found": found,
        "show": show,
        "choices": choices,
        "counts": {
            key: len(freshness.narrowed(rows, key))
            for key in (freshness.SHOW_OVERDUE, freshness.SHOW_DUE, freshness.SHOW_FLAGGED)
        },
        "today": today,
        "limit_days": _limit(settings),
        "may_check": staff.can(Permission.SERVICES_MARK_CHECKED),
        "may_withhold": may_withhold,
        "form": make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret),
        "page_links": _page_links(show, found),
        "just_checked": just_checked,
    }
    return render(request, "freshness.html", context, staff=staff)


def service_freshness(
    request: Request,
    db: SessionDep,
    settings: Settings,
    staff: SignedIn,
    service: Service,
    now: dt.datetime,
) -> dict[str, Any]:
    """What a service's page shows about its freshness, and the buttons this person may use."""
    target = target_of(service)
    return {
        "review": freshness.review_of(db, service, london_today(now), _limit(settings)),
        "review_record": db.get(ServiceReview, service.id),
        "review_form": make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret),
        "may_check": can(staff.actor, Permission.SERVICES_MARK_CHECKED, target),
        "may_withhold": can(staff.actor, Permission.SERVICES_WITHHOLD, target),
        "limit_days": _limit(settings),
        "notice": request.query_params.get("notice", ""),
    }


def _service_for(
    db: SessionDep, staff: SignedIn, service_id: str, permission: Permission
) -> Service:
    """The service, when this person may see it (else not found) and do `permission` to it."""
    service = directory.visible_service(db, staff.actor, service_id)
    if not can(staff.actor, permission, target_of(service)):
        raise PermissionDenied(f"you may not do {permission.value} to this service")
    return service


@router.post("/services/{service_id}/checked")
def mark_checked(
    service_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Checker,
    back: str = "",
) -> RedirectResponse:
    """ "Checked, still correct": today becomes the service's assured date, in one action."""
    make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret, data)
    service = _service_for(db, staff, service_id, Permission.SERVICES_MARK_CHECKED)
    freshness.mark_checked(db, staff.user, service, clock())
    db.commit()
    if back == "freshness":
        return redirect(f"/staff/freshness?checked={service.id}")
    return redirect(f"/staff/services/{service.id}?notice=checked#freshness")


def _withhold_page(
    request: Request, staff: SignedIn, service: Service, form: WithholdForm, status: int = 200
) -> HTMLResponse:
    context = {"service": service, "form": form, "profile": service.profile}
    return render(request, "withhold.html", context, staff=staff, status_code=status)


@router.get("/services/{service_id}/withhold", response_class=HTMLResponse)
def withhold_page(
    request: Request, service_id: str, db: SessionDep, settings: SettingsDep, staff: Withholder
) -> HTMLResponse:
    """Ask why a long-overdue service is withheld from the chat."""
    service = _service_for(db, staff, service_id, Permission.SERVICES_WITHHOLD)
    form = make_form(WithholdForm, form_key(settings), staff.session.csrf_secret)
    return _withhold_page(request, staff, service, form)


@router.post("/services/{service_id}/withhold", response_class=HTMLResponse)
def withhold(
    request: Request,
    service_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Withholder,
) -> Response:
    """Withhold the service from the chat: the search index leaves it out from now on."""
    form = make_form(WithholdForm, form_key(settings), staff.session.csrf_secret, data)
    service = _service_for(db, staff, service_id, Permission.SERVICES_WITHHOLD)
    if not form.validate():
        return _withhold_page(request, staff, service, form, 422)
    try:
        freshness.withhold(
            db, staff.user, service, form.reason.data or "", clock(), _limit(settings)
        )
    except InvalidChange as problem:
        db.rollback()
        form.reason.errors = [problem.message]
        return _withhold_page(request, staff, service, form, 422)
    db.commit()
    return redirect(f"/staff/services/{service.id}?notice=withheld#freshness")


@router.post("/services/{service_id}/release")
def release(
    service_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Withholder,
) -> RedirectResponse:
    """Offer a withheld service in the chat again."""
    make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret, data)
    service = _service_for(db, staff, service_id, Permission.SERVICES_WITHHOLD)
    try:
        freshness.release(db, staff.user, service, clock())
    except InvalidChange:
        db.rollback()
        return redirect(f"/staff/services/{service.id}#freshness")
    db.commit()
    return redirect(f"/staff/services/{service.id}?notice=released#freshness")
