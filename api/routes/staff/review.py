"""Reviewing changes: the queue, one draft with its field-level differences and the card as it
would look, approving, returning with a reason, and the author withdrawing.

Everyone who may see the service may read its draft; only reviewers and council admins may
approve or return one, never their own; a crisis line's new numbers need two of them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import ClockDep, FormDataDep, SignedIn, current_staff, require
from api.routes.staff.forms import ConfirmForm, StaffForm, form_key, make_form
from api.routes.staff.rendering import redirect, render
from services_directory.accounts import StaffUser
from services_directory.drafts import PENDING, ServiceDraft
from services_directory.models import Organization, Service
from staff import drafts
from staff.errors import InvalidChange
from staff.policy import Permission, Target, can
from staff.service_document import differences

router = APIRouter(prefix="/staff", include_in_schema=False, dependencies=[Depends(current_staff)])
Viewer = Annotated[SignedIn, Depends(require(Permission.SERVICES_VIEW))]
Reviewer = Annotated[SignedIn, Depends(require(Permission.SERVICES_APPROVE))]


RACE = "Someone else acted on this change at the same moment: look at it again"


class ReturnForm(StaffForm):
    return_reason = TextAreaField(
        "What needs to change?",
        [InputRequired("Say what needs to change before it can be approved"), Length(max=1000)],
    )


@router.get("/review", response_class=HTMLResponse)
def queue(request: Request, db: SessionDep, staff: Reviewer) -> HTMLResponse:
    """Changes waiting for review, oldest first (never the reviewer's own)."""
    items = drafts.review_queue(db, staff.user)
    return render(request, "review.html", {"queue": items}, staff=staff)


def _context(
    db: Session, staff: SignedIn, draft: ServiceDraft, settings: Any, **extra: Any
) -> dict[str, Any]:
    service = db.get(Service, draft.service_id) if draft.service_id else None
    author = db.get(StaffUser, draft.author_id)
    approvals = drafts.approvals_of(db, draft)
    approvers = [db.get(StaffUser, a.approver_id) for a in approvals]
    may_review = (
        draft.status == PENDING
        and draft.author_id != staff.user.id
        and can(staff.actor, Permission.SERVICES_APPROVE, Target(draft.organisation_id))
        and staff.user.id not in {a.approver_id for a in approvals}
    )
    key, csrf = form_key(settings), staff.session.csrf_secret
    context = {
        "draft": draft,
        "service": service,
        "organisation": db.get(Organization, draft.organisation_id),
        "name": service.name if service else draft.proposed.get("name") or "A new service",
        "author": author.display_name if author else "a former member of staff",
        "changes": differences(draft.base, draft.proposed),
        "approvers": [a.display_name for a in approvers if a],
        "needed": drafts.approvals_needed(draft),
        "may_review": may_review,
        "is_author": draft.author_id == staff.user.id,
        "approve_form": make_form(ConfirmForm, key, csrf),
        "return_form": make_form(ReturnForm, key, csrf),
        "withdraw_form": make_form(ConfirmForm, key, csrf),
        "problem": None,
        "sent": False,
    }
    context.update(extra)
    return context


def _refused(
    request: Request,
    db: Session,
    staff: SignedIn,
    draft_id: str,
    settings: Any,
    problem: InvalidChange | StaleDataError,
) -> HTMLResponse:
    """The draft's page again, saying why the review step was refused (nothing was saved)."""
    db.rollback()
    message = problem.message if isinstance(problem, InvalidChange) else RACE
    draft = drafts.visible_draft(db, staff.user, draft_id)
    context = _context(db, staff, draft, settings, problem=("approve", message))
    return render(request, "draft.html", context, staff=staff, status_code=409)


@router.get("/drafts/{draft_id}", response_class=HTMLResponse)
def draft_page(
    request: Request,
    draft_id: str,
    db: SessionDep,
    settings: SettingsDep,
    staff: Viewer,
    sent: str | None = None,
) -> HTMLResponse:
    """One change: what it changes, field by field, who asked and who approved."""
    draft = drafts.visible_draft(db, staff.user, draft_id)
    context = _context(db, staff, draft, settings, sent=bool(sent))
    return render(request, "draft.html", context, staff=staff)


@router.post("/drafts/{draft_id}/approve", response_class=HTMLResponse)
def approve(
    request: Request,
    draft_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Reviewer,
) -> Response:
    """Approve; the change is published once enough different reviewers have approved."""
    make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret, data)
    draft = drafts.visible_draft(db, staff.user, draft_id)
    try:
        drafts.approve(db, staff.user, draft, clock())
        db.commit()
    except (InvalidChange, StaleDataError) as problem:
        return _refused(request, db, staff, draft_id, settings, problem)
    return redirect(f"/staff/drafts/{draft.id}")


@router.post("/drafts/{draft_id}/return", response_class=HTMLResponse)
def return_draft(
    request: Request,
    draft_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Reviewer,
) -> Response:
    """Send the change back to its author with what needs to change."""
    form = make_form(ReturnForm, form_key(settings), staff.session.csrf_secret, data)
    draft = drafts.visible_draft(db, staff.user, draft_id)
    if not form.validate():
        context = _context(db, staff, draft, settings, return_form=form)
        return render(request, "draft.html", context, staff=staff, status_code=422)
    try:
        drafts.return_draft(db, staff.user, draft, form.return_reason.data or "", clock())
        db.commit()
    except (InvalidChange, StaleDataError) as problem:
        return _refused(request, db, staff, draft_id, settings, problem)
    return redirect(f"/staff/drafts/{draft.id}")


@router.post("/drafts/{draft_id}/withdraw")
def withdraw(
    draft_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Viewer,
) -> Response:
    """The author takes their change back."""
    make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret, data)
    draft = drafts.visible_draft(db, staff.user, draft_id)
    drafts.withdraw(db, staff.user, draft, clock())
    db.commit()
    if draft.service_id is None:
        return redirect(f"/staff/organisations/{draft.organisation_id}")
    return redirect(f"/staff/services/{draft.service_id}")
