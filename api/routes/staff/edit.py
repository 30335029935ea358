"""Changing a service: the form, and sending the change for review as a draft.

The chat and the Open Referral API keep reading the published service until a reviewer approves
(`review.py`). A service outside someone's reach is "not found", whatever id is in the address.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import ClockDep, FormDataDep, SignedIn, current_staff, require
from api.routes.staff.edit_forms import (
    ServiceForm,
    add_spare_routes,
    document_of,
    fill,
    offer_choices,
)
from api.routes.staff.forms import form_key, make_form
from api.routes.staff.rendering import redirect, render
from services_directory import wording
from services_directory.drafts import ServiceDraft
from services_directory.localities import load_localities
from services_directory.models import Organization, Service
from staff import directory, drafts, new_services
from staff.errors import InvalidChange, PermissionDenied, RecordNotFound
from staff.policy import Permission, can, target_of
from staff.service_document import empty_document, need_terms, read_document

router = APIRouter(prefix="/staff", include_in_schema=False, dependencies=[Depends(current_staff)])
Editor = Annotated[SignedIn, Depends(require(Permission.SERVICES_EDIT))]
ORDER = [
    "name",
    "summary",
    "description",
    "what_happens",
    "who_answers",
    "referral",
    "wait_time",
    "confidentiality_summary",
    "who_is_told",
    "anonymous",
    "tells_parents",
    "minimum_age",
    "maximum_age",
    "url",
    "email",
    "contact_modes",
    "places",
    "hours",
    "notice",
    "notice_year",
    "needs",
    "localities",
    "languages",
    "review_interval_months",
    "reason",
]


def _choices(db: Session, form: ServiceForm) -> None:
    terms = sorted(need_terms(db).values(), key=lambda t: t.name)
    offer_choices(
        form,
        [(t.code, t.name) for t in terms if t.code],
        [(key, place.name) for key, place in load_localities(session=db).items()],
        [(key, info["name"]) for key, info in wording.languages().items()],
    )


def _page(
    request: Request, staff: SignedIn, service: Service, form: ServiceForm, status: int = 200
) -> HTMLResponse:
    where = {
        "organisation": service.organization,
        "heading": f"Change {service.name}",
        "action": f"/staff/services/{service.id}/edit",
        "back": f"/staff/services/{service.id}",
    }
    return _form_page(request, staff, form, where, status)


def _form_page(
    request: Request, staff: SignedIn, form: ServiceForm, where: dict[str, Any], status: int = 200
) -> HTMLResponse:
    add_spare_routes(form)
    context: dict[str, Any] = {"form": form, "order": ORDER, "problem": None, **where}
    return render(request, "edit.html", context, staff=staff, status_code=status)


@router.get("/services/{service_id}/edit", response_class=HTMLResponse)
def edit_page(
    request: Request, service_id: str, db: SessionDep, settings: SettingsDep, staff: Editor
) -> Response:
    """The service's fields, from the author's own open draft if they have one."""
    service = directory.visible_service(db, staff.actor, service_id)
    draft = drafts.open_draft(db, service.id)
    if draft is not None and draft.author_id != staff.user.id:
        return redirect(f"/staff/drafts/{draft.id}")
    form = make_form(ServiceForm, form_key(settings), staff.session.csrf_secret)
    _choices(db, form)
    fill(form, draft.proposed if draft is not None else read_document(db, service))
    form.reason.data = ""
    return _page(request, staff, service, form)


@router.post("/services/{service_id}/edit", response_class=HTMLResponse)
def edit(
    request: Request,
    service_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Editor,
) -> Response:
    """Check every field; if all are right, send the change for review."""
    form = make_form(ServiceForm, form_key(settings), staff.session.csrf_secret, data)
    service = directory.visible_service(db, staff.actor, service_id)
    _choices(db, form)
    if not form.validate():
        return _page(request, staff, service, form, 422)
    try:
        draft = drafts.propose(
            db, staff.user, service, document_of(form), form.reason.data or "", clock()
        )
    except InvalidChange as problem:
        db.rollback()
        getattr(form, problem.field).errors = [problem.message]
        return _page(request, staff, service, form, 422)
    db.commit()
    return redirect(f"/staff/drafts/{draft.id}?sent=1")


def _new_page(
    request: Request,
    staff: SignedIn,
    organisation: Organization,
    form: ServiceForm,
    again: ServiceDraft | None,
    status: int = 200,
) -> HTMLResponse:
    action = f"/staff/organisations/{organisation.id}/services/new"
    where = {
        "organisation": organisation,
        "heading": "Add a service",
        "action": f"{action}?draft={again.id}" if again else action,
        "back": f"/staff/organisations/{organisation.id}",
    }
    return _form_page(request, staff, form, where, status)


def _organisation_for_new(db: Session, staff: SignedIn, organisation_id: str) -> Organization:
    """The organisation, when this person may see it (else not found) and add services to it."""
    organisation = directory.visible_organisation(db, staff.actor, organisation_id)
    if not can(staff.actor, Permission.SERVICES_EDIT, target_of(organisation)):
        raise PermissionDenied("you may not add services to this organisation")
    return organisation


def _again(
    db: Session, staff: SignedIn, organisation: Organization, draft_id: str | None
) -> ServiceDraft | None:
    """The author's own open draft of a new service being changed again (else not found)."""
    if not draft_id:
        return None
    draft = drafts.visible_draft(db, staff.user, draft_id)
    if not new_services.is_own_new_draft(draft, staff.user, organisation):
        raise RecordNotFound("no such draft")
    return draft


@router.get("/organisations/{organisation_id}/services/new", response_class=HTMLResponse)
def new_page(
    request: Request,
    organisation_id: str,
    db: SessionDep,
    settings: SettingsDep,
    staff: Editor,
    draft: str | None = None,
) -> HTMLResponse:
    """An empty service form for one of the organisation's services to come (or the author's
    own draft of one, to change it again)."""
    organisation = _organisation_for_new(db, staff, organisation_id)
    again = _again(db, staff, organisation, draft)
    form = make_form(ServiceForm, form_key(settings), staff.session.csrf_secret)
    _choices(db, form)
    fill(form, again.proposed if again else empty_document())
    return _new_page(request, staff, organisation, form, again)


@router.post("/organisations/{organisation_id}/services/new", response_class=HTMLResponse)
def new(
    request: Request,
    organisation_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Editor,
    draft: str | None = None,
) -> Response:
    """Check every field; if all are right, send the new service for review."""
    form = make_form(ServiceForm, form_key(settings), staff.session.csrf_secret, data)
    organisation = _organisation_for_new(db, staff, organisation_id)
    again = _again(db, staff, organisation, draft)
    _choices(db, form)
    if not form.validate():
        return _new_page(request, staff, organisation, form, again, 422)
    try:
        made = new_services.propose_new(
            db, staff.user, organisation, document_of(form), form.reason.data or "", clock(), again
        )
    except InvalidChange as problem:
        db.rollback()
        getattr(form, problem.field).errors = [problem.message]
        return _new_page(request, staff, organisation, form, again, 422)
    db.commit()
    return redirect(f"/staff/drafts/{made.id}?sent=1")
