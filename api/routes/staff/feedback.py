"""The triage queue of young people's reports on services (/staff/feedback): each organisation's
managers and editors see their own services' reports, reviewers and council admins see all. A
report outside a person's reach is "not found". Every change is a POST with its CSRF token and
leaves an entry in the audit log."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from wtforms import RadioField
from wtforms.validators import InputRequired

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import ClockDep, FormDataDep, SignedIn, current_staff, require
from api.routes.staff.forms import StaffForm, form_key, make_form
from api.routes.staff.rendering import redirect, render
from services_directory.feedback import FIXED, NOT_A_PROBLEM, OPEN
from staff import feedback
from staff.errors import InvalidChange
from staff.policy import Permission

router = APIRouter(prefix="/staff", include_in_schema=False, dependencies=[Depends(current_staff)])

Triager = Annotated[SignedIn, Depends(require(Permission.FEEDBACK_TRIAGE))]
SHOW_CHOICES = [
    (OPEN, "To look at"),
    (FIXED, "Fixed"),
    (NOT_A_PROBLEM, "Not a problem"),
    ("all", "All reports"),
]


class OutcomeForm(StaffForm):
    outcome = RadioField(
        "What happened?",
        [InputRequired("Choose whether it is fixed or not a problem")],
        choices=[(FIXED, "Fixed"), (NOT_A_PROBLEM, "Not a problem")],
    )


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 100_000 else 1


def _href(show: str, number: int) -> str:
    values = {"show": show} if show != OPEN else {}
    if number > 1:
        values["page"] = str(number)
    return f"/staff/feedback?{urlencode(values)}" if values else "/staff/feedback"


@router.get("/feedback", response_class=HTMLResponse)
def triage_queue(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    staff: Triager,
    show: str = OPEN,
    page: str | None = None,
    done: str | None = None,
) -> HTMLResponse:
    """Reports within this person's reach: those still to look at first, newest day first."""
    if show not in {value for value, _label in SHOW_CHOICES}:
        show = OPEN
    found = feedback.queue(db, staff.actor, "" if show == "all" else show, _page_number(page))
    links: dict[str, object] = {
        "previous": _href(show, found.page - 1) if found.page > 1 else None,
        "next": _href(show, found.page + 1) if found.page < found.pages else None,
        "items": [],
    }
    context = {
        "found": found,
        "show": show,
        "choices": SHOW_CHOICES,
        "waiting": feedback.open_counts(db, staff.actor),
        "form": make_form(OutcomeForm, form_key(settings), staff.session.csrf_secret),
        "may_edit": staff.can(Permission.SERVICES_EDIT),
        "page_links": links,
        "done": done if done in (FIXED, NOT_A_PROBLEM) else None,
        "open": OPEN,
    }
    return render(request, "feedback.html", context, staff=staff)


@router.post("/feedback/{report_id}")
def give_outcome(
    report_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Triager,
) -> RedirectResponse:
    """Mark one report as fixed or as not a problem."""
    form = make_form(OutcomeForm, form_key(settings), staff.session.csrf_secret, data)
    report, _service = feedback.visible_report(db, staff.actor, report_id)
    if not form.validate():
        return redirect("/staff/feedback")
    try:
        feedback.resolve(db, staff.user, report, str(form.outcome.data), clock())
    except InvalidChange:
        db.rollback()
        return redirect("/staff/feedback")
    db.commit()
    return redirect(f"/staff/feedback?done={report.status}")
