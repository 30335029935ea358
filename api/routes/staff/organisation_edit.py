"""Changing an organisation's own details: council admins and the organisation's managers. An
organisation outside someone's reach is "not found", whatever id is in the address."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import ClockDep, FormDataDep, SignedIn, current_staff, require
from api.routes.staff.forms import StaffForm, form_key, make_form
from api.routes.staff.rendering import redirect, render
from services_directory.models import Organization
from staff import directory, organisations
from staff.errors import InvalidChange, PermissionDenied
from staff.policy import Permission, can, target_of

router = APIRouter(prefix="/staff", include_in_schema=False, dependencies=[Depends(current_staff)])


class OrganisationForm(StaffForm):
    name = StringField("Name", [InputRequired("Enter the organisation's name"), Length(max=200)])
    description = TextAreaField("Description", [Optional(), Length(max=2000)])
    website = StringField("Website", [Optional(), Length(max=500)])
    email = EmailField(
        "E-mail",
        [Optional(), Length(max=320), Email("Enter an e-mail address like name@example.org")],
    )
    reason = TextAreaField(
        "Why are you making this change?",
        [InputRequired("Say why you are making this change"), Length(max=1000)],
    )

    def validate_website(self, field: Any) -> None:
        if field.data and not field.data.strip().startswith("https://"):
            raise ValidationError("Enter a web address starting with https://")


OrganisationEditor = Annotated[SignedIn, Depends(require(Permission.ORGANISATIONS_EDIT))]
ORGANISATION_ORDER = ["name", "description", "website", "email", "reason"]


def _changeable_organisation(db: Session, staff: SignedIn, organisation_id: str) -> Organization:
    organisation = directory.visible_organisation(db, staff.actor, organisation_id)
    if not can(staff.actor, Permission.ORGANISATIONS_EDIT, target_of(organisation)):
        raise PermissionDenied("you may not change this organisation")
    return organisation


def _organisation_page(
    request: Request,
    staff: SignedIn,
    organisation: Organization,
    form: OrganisationForm,
    status: int = 200,
) -> HTMLResponse:
    context = {"form": form, "organisation": organisation, "order": ORGANISATION_ORDER}
    return render(request, "organisation_edit.html", context, staff=staff, status_code=status)


@router.get("/organisations/{organisation_id}/edit", response_class=HTMLResponse)
def organisation_edit_page(
    request: Request,
    organisation_id: str,
    db: SessionDep,
    settings: SettingsDep,
    staff: OrganisationEditor,
) -> HTMLResponse:
    """The organisation's own details, to change."""
    organisation = _changeable_organisation(db, staff, organisation_id)
    form = make_form(OrganisationForm, form_key(settings), staff.session.csrf_secret)
    for field in organisations.FIELDS:
        getattr(form, field).data = getattr(organisation, field) or ""
    return _organisation_page(request, staff, organisation, form)


@router.post("/organisations/{organisation_id}/edit", response_class=HTMLResponse)
def organisation_edit(
    request: Request,
    organisation_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: OrganisationEditor,
) -> Response:
    """Check every field; if all are right, change the organisation now (and log it)."""
    form = make_form(OrganisationForm, form_key(settings), staff.session.csrf_secret, data)
    organisation = _changeable_organisation(db, staff, organisation_id)
    if not form.validate():
        return _organisation_page(request, staff, organisation, form, 422)
    values = {f: (getattr(form, f).data or "").strip() or None for f in organisations.FIELDS}
    try:
        organisations.change_organisation(
            db, staff.user, organisation, values, form.reason.data or "", clock()
        )
    except InvalidChange as problem:
        db.rollback()
        getattr(form, problem.field).errors = [problem.message]
        return _organisation_page(request, staff, organisation, form, 422)
    db.commit()
    return redirect(f"/staff/organisations/{organisation.id}")
