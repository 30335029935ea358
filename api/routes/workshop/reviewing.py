"""Reviewing examples: the queue, one example with its checks and the decision form, and the
list of disagreements. Peer reviewers see everyday examples; moderators all of them, and settle
disagreements. Nobody reviews their own (workshop/review.py decides, here and in the queue)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import ClockDep, FormDataDep, SignedIn, current_staff
from api.routes.staff.forms import form_key, make_form
from api.routes.staff.rendering import redirect
from api.routes.workshop.item_forms import ReviewForm
from api.routes.workshop.rendering import render
from services_directory.accounts import StaffUser
from settings.app import Settings
from staff.errors import InvalidChange, PermissionDenied
from staff.policy import Permission, can
from workshop import corpus
from workshop.item_models import WorkshopItem
from workshop.items import checks_of, visible_item
from workshop.people import ConsentState, consent_of, is_member
from workshop.prompts import prompts
from workshop.review import ReviewRules, disagreements, queue, review, reviews_of, why_not

router = APIRouter(
    prefix="/workshop", include_in_schema=False, dependencies=[Depends(current_staff)]
)
RACE = "Someone else reviewed this example at the same moment: have another look."


def reviewer(db: SessionDep, staff: Annotated[SignedIn, Depends(current_staff)]) -> SignedIn:
    """Peer reviewers (whose consent stands) and moderators; else 403."""
    allowed = staff.can(Permission.WORKSHOP_PEER_REVIEW) or staff.can(Permission.WORKSHOP_MODERATE)
    if not allowed or not can(staff.actor, Permission.WORKSHOP_VIEW):
        raise PermissionDenied("reviewing examples needs a reviewer's role")
    if is_member(staff.user) and consent_of(db, staff.user.id).state != ConsentState.GIVEN:
        raise PermissionDenied("reviewing needs consent that stands")
    return staff


Reviewer = Annotated[SignedIn, Depends(reviewer)]


def rules_of(settings: Settings) -> ReviewRules:
    """The review rules from the settings."""
    return ReviewRules(settings.workshop_reviews_needed, settings.workshop_youth_voice_share)


@router.get("/review", response_class=HTMLResponse)
def review_queue(request: Request, db: SessionDep, staff: Reviewer) -> HTMLResponse:
    """The examples waiting for this person's review, oldest first."""
    context = {"queue": queue(db, staff.user), "prompts": prompts()}
    return render(request, "review_queue.html", context, staff=staff)


@router.get("/review/disagreements", response_class=HTMLResponse)
def disagreements_page(request: Request, db: SessionDep, staff: Reviewer) -> HTMLResponse:
    """Examples on which two reviewers disagreed, with both decisions and the reasons."""
    context = {"disputed": disagreements(db, staff.user), "prompts": prompts(), "names": _names(db)}
    return render(request, "disagreements.html", context, staff=staff)


def _names(db: Session) -> Any:
    def name(user_id: str | None) -> str:
        user = db.get(StaffUser, user_id) if user_id else None
        return user.display_name if user else "a former member"

    return name


def _page(
    request: Request,
    db: Session,
    staff: SignedIn,
    item: WorkshopItem,
    settings: Settings,
    form: ReviewForm | None = None,
    problem: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = {
        "item": item,
        "prompt": prompts().get(item.intent),
        "prompts": prompts(),
        "checks": checks_of(db, item),
        "reviews": reviews_of(db, item),
        "names": _names(db),
        "replies": corpus.bot_responses(),
        "why_not": why_not(db, staff.user, item),
        "form": form or make_form(ReviewForm, form_key(settings), staff.session.csrf_secret),
        "problem": problem,
    }
    return render(request, "review_item.html", context, staff=staff, status_code=status)


@router.get("/review/{item_id}", response_class=HTMLResponse)
def review_page(
    request: Request, item_id: str, db: SessionDep, settings: SettingsDep, staff: Reviewer
) -> HTMLResponse:
    """One example to review: the words, the checks, what the bot makes of it, and the form."""
    item = visible_item(db, staff.user, item_id)
    return _page(request, db, staff, item, settings)


@router.post("/review/{item_id}", response_class=HTMLResponse)
def decide(
    request: Request,
    item_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Reviewer,
) -> Response:
    """Approve or reject the example (refused, with why, for one's own or one already done)."""
    form = make_form(ReviewForm, form_key(settings), staff.session.csrf_secret, data)
    item = visible_item(db, staff.user, item_id)
    if not form.validate():
        return _page(request, db, staff, item, settings, form, status=422)
    try:
        review(
            db,
            staff.user,
            item,
            form.decision.data or "",
            clock(),
            rules=rules_of(settings),
            reason=form.reason.data or "",
        )
        db.commit()
    except (InvalidChange, StaleDataError) as refused:
        db.rollback()
        message = refused.message if isinstance(refused, InvalidChange) else RACE
        item = visible_item(db, staff.user, item_id)
        return _page(request, db, staff, item, settings, problem=message, status=409)
    return redirect("/workshop/review?done=1")
