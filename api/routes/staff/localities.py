"""The council's localities: every role may see the list; council admins add, change, reorder
and remove them (`staff.localities`). Each change is one transaction, with its audit entry; once
committed, this process forgets its cached localities (the others see the change within seconds).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import ClockDep, FormDataDep, SignedIn, current_staff, require
from api.routes.staff.forms import ConfirmForm, StaffForm, form_key, make_form
from api.routes.staff.rendering import redirect, render
from services_directory.localities import Locality, forget_cached_localities, read_localities
from services_directory.locality_edit import tagged_services
from services_directory.locality_rules import (
    InvalidLocality,
    LocalityNotFound,
    LocalityValues,
    existing,
    split_list,
)
from staff import localities
from staff.errors import RecordNotFound
from staff.policy import Permission

router = APIRouter(prefix="/staff", include_in_schema=False, dependencies=[Depends(current_staff)])
Viewer = Annotated[SignedIn, Depends(require(Permission.LOCALITIES_VIEW))]
Admin = Annotated[SignedIn, Depends(require(Permission.LOCALITIES_EDIT))]
ORDER = ["name", "id", "districts", "aliases"]
NOTICES = {
    "added": "Locality added",
    "changed": "Locality changed",
    "removed": "Locality removed",
    "moved": "Locality moved",
}


class LocalityForm(StaffForm):
    name = StringField("Name", [Length(max=200)])
    id = StringField("Id", [Length(max=64)])
    districts = TextAreaField("Postcode districts", [Length(max=2000)])
    aliases = TextAreaField("Other names", [Length(max=6000)])

    def values(self) -> LocalityValues:
        """What was typed, as the rules read it."""
        return LocalityValues(
            name=self.name.data or "",
            districts=split_list(self.districts.data or ""),
            aliases=split_list(self.aliases.data or "", by_comma=False),
            id=self.id.data or "",
        )


def _locality(db: Session, locality_id: str) -> Locality:
    found = existing(db).get(locality_id)
    if found is None:
        raise RecordNotFound("no such locality")
    return found


def _form_page(
    request: Request,
    staff: SignedIn,
    form: LocalityForm,
    locality: Locality | None,
    status: int = 200,
    problem: tuple[str, str] | None = None,
) -> HTMLResponse:
    context = {"form": form, "order": ORDER, "locality": locality, "problem": problem}
    return render(request, "locality_edit.html", context, staff=staff, status_code=status)


def _saved(db: Session, notice: str) -> Response:
    db.commit()
    forget_cached_localities()
    return redirect(f"/staff/localities?notice={notice}")


@router.get("/localities", response_class=HTMLResponse)
def localities_page(
    request: Request, db: SessionDep, settings: SettingsDep, staff: Viewer
) -> HTMLResponse:
    """The localities in their order, how many services each has, and (for admins) buttons."""
    places = existing(db)
    context: dict[str, Any] = {
        "places": list(places.values()),
        "tagged": {key: tagged_services(db, key) for key in places},
        "from_file": not read_localities(db),
        "notice": NOTICES.get(request.query_params.get("notice", "")),
        "may_edit": staff.can(Permission.LOCALITIES_EDIT),
        "button_form": make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret),
    }
    return render(request, "localities.html", context, staff=staff)


@router.get("/localities/new", response_class=HTMLResponse)
def new_locality_page(request: Request, settings: SettingsDep, staff: Admin) -> HTMLResponse:
    """An empty form for a new locality."""
    form = make_form(LocalityForm, form_key(settings), staff.session.csrf_secret)
    return _form_page(request, staff, form, None)


@router.post("/localities/new", response_class=HTMLResponse)
def add_locality(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Admin,
) -> Response:
    """Add the locality if every rule holds; else the form again, each problem beside its field."""
    form = make_form(LocalityForm, form_key(settings), staff.session.csrf_secret, data)
    return _write(
        request,
        db,
        staff,
        form,
        None,
        lambda: localities.add(db, staff.user, form.values(), clock()),
        "added",
    )


@router.get("/localities/{locality_id}/edit", response_class=HTMLResponse)
def edit_locality_page(
    request: Request, locality_id: str, db: SessionDep, settings: SettingsDep, staff: Admin
) -> HTMLResponse:
    """The locality's name, districts and other names, to change."""
    place = _locality(db, locality_id)
    form = make_form(LocalityForm, form_key(settings), staff.session.csrf_secret)
    form.name.data = place.name
    form.districts.data = ", ".join(place.districts)
    form.aliases.data = "\n".join(place.aliases)
    return _form_page(request, staff, form, place)


@router.post("/localities/{locality_id}/edit", response_class=HTMLResponse)
def change_locality(
    request: Request,
    locality_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Admin,
) -> Response:
    """Change the locality if every rule holds; else the form again with the problems."""
    form = make_form(LocalityForm, form_key(settings), staff.session.csrf_secret, data)
    place = _locality(db, locality_id)
    return _write(
        request,
        db,
        staff,
        form,
        place,
        lambda: localities.change(db, staff.user, locality_id, form.values(), clock()),
        "changed",
    )


def _write(
    request: Request,
    db: Session,
    staff: SignedIn,
    form: LocalityForm,
    place: Locality | None,
    change: Any,
    notice: str,
) -> Response:
    if not form.validate():
        return _form_page(request, staff, form, place, 422)
    try:
        change()
    except InvalidLocality as refused:
        db.rollback()
        for problem in refused.problems:
            getattr(form, problem.field).errors = [problem.message]
        return _form_page(request, staff, form, place, 422)
    except IntegrityError:
        # Another admin claimed a district or the id at the same moment.
        db.rollback()
        form.districts.errors = [
            "Someone else changed the localities just now: check and try again"
        ]
        return _form_page(request, staff, form, place, 409)
    return _saved(db, notice)


@router.get("/localities/{locality_id}/remove", response_class=HTMLResponse)
def remove_locality_page(
    request: Request, locality_id: str, db: SessionDep, settings: SettingsDep, staff: Admin
) -> HTMLResponse:
    """Are you sure? With how many services are tagged with the locality."""
    place = _locality(db, locality_id)
    form = make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret)
    return _remove_page(request, db, staff, form, place)


def _remove_page(
    request: Request,
    db: Session,
    staff: SignedIn,
    form: ConfirmForm,
    place: Locality,
    problem: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = {
        "form": form,
        "locality": place,
        "tagged": tagged_services(db, place.id),
        "last": len(existing(db)) == 1,
        "problem": problem,
    }
    return render(request, "locality_remove.html", context, staff=staff, status_code=status)


@router.post("/localities/{locality_id}/remove", response_class=HTMLResponse)
def remove_locality(
    request: Request,
    locality_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Admin,
) -> Response:
    """Remove the locality and untag its services (the confirmation page was the question)."""
    form = make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret, data)
    place = _locality(db, locality_id)
    try:
        localities.remove(db, staff.user, locality_id, clock())
    except InvalidLocality as refused:
        db.rollback()
        message = refused.problems[0].message
        return _remove_page(request, db, staff, form, place, message, 422)
    return _saved(db, "removed")


@router.post("/localities/{locality_id}/move/{direction}", response_class=HTMLResponse)
def move_locality(
    locality_id: str,
    direction: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Admin,
) -> Response:
    """Move the locality one place up or down the list (the order of the chat's buttons)."""
    make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret, data)
    if direction not in ("up", "down"):
        raise RecordNotFound("no such direction")
    _locality(db, locality_id)
    try:
        localities.move(db, staff.user, locality_id, -1 if direction == "up" else 1, clock())
    except LocalityNotFound as missing:
        raise RecordNotFound("no such locality") from missing
    return _saved(db, "moved")
