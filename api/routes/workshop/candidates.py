"""Candidates and releases: the release manager starts a named candidate from the approved items
and follows its training and gate; the safety lead signs off a passed gate; the release manager
releases a signed-off candidate and rolls back to any earlier release. The worker process does
the work (`workshop.worker`); these pages only ask for it and show how it went."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import ClockDep, FormDataDep, SignedIn, current_staff, require
from api.routes.staff.forms import ConfirmForm, StaffForm, form_key, make_form
from api.routes.staff.rendering import redirect
from api.routes.workshop.rendering import render
from staff.errors import InvalidChange, PermissionDenied, RecordNotFound
from staff.policy import Permission
from workshop import candidates, releases
from workshop.gate import gate_passed
from workshop.release_models import RUNNING, WorkshopCandidate, WorkshopRelease

router = APIRouter(
    prefix="/workshop", include_in_schema=False, dependencies=[Depends(current_staff)]
)
Releaser = Annotated[SignedIn, Depends(require(Permission.WORKSHOP_RELEASE))]
SignerOff = Annotated[SignedIn, Depends(require(Permission.WORKSHOP_SAFETY_SIGN_OFF))]


def _follower(staff: Annotated[SignedIn, Depends(current_staff)]) -> SignedIn:
    """Release managers and safety leads (and council admins) follow the candidates."""
    if not (
        staff.can(Permission.WORKSHOP_RELEASE) or staff.can(Permission.WORKSHOP_SAFETY_SIGN_OFF)
    ):
        raise PermissionDenied("your role does not follow candidates")
    return staff


Follower = Annotated[SignedIn, Depends(_follower)]


class CandidateForm(StaffForm):
    name = StringField(
        "Name of the candidate",
        [
            InputRequired("Give the candidate a name"),
            Length(max=candidates.NAME_MAX, message="Use 100 characters or fewer"),
        ],
    )


def _candidate(db: SessionDep, candidate_id: str) -> WorkshopCandidate:
    candidate = db.get(WorkshopCandidate, candidate_id)
    if candidate is None:
        raise RecordNotFound("no such candidate")
    return candidate


def _refused(request: Request, staff: SignedIn, problem: InvalidChange) -> HTMLResponse:
    context = {"heading": "This cannot be done yet", "message": problem.message}
    return render(request, "error.html", context, staff=staff, status_code=409)


def _list_page(
    request: Request, db: SessionDep, staff: SignedIn, form: CandidateForm, status: int = 200
) -> HTMLResponse:
    key = form_key(request.app.state.settings)
    context = {
        "form": form,
        "candidates": candidates.candidates_newest_first(db),
        "releases": releases.history(db),
        "live": releases.live_release(db),
        "confirm": make_form(ConfirmForm, key, staff.session.csrf_secret),
        "may_release": staff.can(Permission.WORKSHOP_RELEASE),
        "notice": request.query_params.get("notice", ""),
    }
    return render(request, "candidates.html", context, staff=staff, status_code=status)


@router.get("/candidates", response_class=HTMLResponse)
def candidate_list(
    request: Request, db: SessionDep, settings: SettingsDep, staff: Follower
) -> HTMLResponse:
    """The candidates, newest first, the releases, and (release managers) a new candidate."""
    form = make_form(CandidateForm, form_key(settings), staff.session.csrf_secret)
    return _list_page(request, db, staff, form)


@router.post("/candidates", response_class=HTMLResponse)
def start(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Releaser,
) -> Response:
    """Queue a named candidate trained on the approved items (the worker trains it)."""
    form = make_form(CandidateForm, form_key(settings), staff.session.csrf_secret, data)
    if not form.validate():
        return _list_page(request, db, staff, form, 422)
    try:
        candidate = candidates.start_candidate(
            db, staff.user, form.name.data or "", str(settings.workshop_training_config), clock()
        )
    except InvalidChange as problem:
        db.rollback()
        form.name.errors = [problem.message]
        return _list_page(request, db, staff, form, 422)
    db.commit()
    return redirect(f"/workshop/candidates/{candidate.id}")


@router.get("/candidates/{candidate_id}", response_class=HTMLResponse)
def candidate_page(
    request: Request, candidate_id: str, db: SessionDep, settings: SettingsDep, staff: Follower
) -> HTMLResponse:
    """A candidate's progress (stage and log), its gate report, and the buttons allowed."""
    candidate = _candidate(db, candidate_id)
    whole = gate_passed(candidate.gate_report)
    context = {
        "candidate": candidate,
        "running": candidate.status in RUNNING or candidate.status == "queued",
        "form": make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret),
        "may_sign_off": staff.can(Permission.WORKSHOP_SAFETY_SIGN_OFF)
        and whole
        and candidate.signed_off_at is None,
        "may_release": staff.can(Permission.WORKSHOP_RELEASE)
        and whole
        and candidate.signed_off_at is not None,
        "whole_gate": whole,
    }
    return render(request, "candidate.html", context, staff=staff)


@router.post("/candidates/{candidate_id}/sign-off")
def sign_off(
    request: Request,
    candidate_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: SignerOff,
) -> Response:
    """The safety lead signs off a candidate whose whole gate passed."""
    make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret, data)
    candidate = _candidate(db, candidate_id)
    try:
        candidates.sign_off(db, staff.user, candidate, clock())
    except InvalidChange as problem:
        db.rollback()
        return _refused(request, staff, problem)
    db.commit()
    return redirect(f"/workshop/candidates/{candidate.id}")


@router.post("/candidates/{candidate_id}/release")
def release(
    request: Request,
    candidate_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Releaser,
) -> Response:
    """Ask for a signed-off candidate to go live (the worker switches the model)."""
    make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret, data)
    try:
        releases.request_release(db, staff.user, _candidate(db, candidate_id), clock())
    except InvalidChange as problem:
        db.rollback()
        return _refused(request, staff, problem)
    db.commit()
    return redirect("/workshop/candidates?notice=release")


@router.post("/releases/{release_id}/rollback")
def rollback(
    request: Request,
    release_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Releaser,
) -> Response:
    """Ask for an earlier release's model to be live again, in one action."""
    make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret, data)
    earlier = db.get(WorkshopRelease, release_id)
    if earlier is None:
        raise RecordNotFound("no such release")
    try:
        releases.request_rollback(db, staff.user, earlier, clock())
    except InvalidChange as problem:
        db.rollback()
        return _refused(request, staff, problem)
    db.commit()
    return redirect("/workshop/candidates?notice=rollback")
