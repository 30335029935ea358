"""The moderators' pages for what needs a member of staff: disclosure alerts (open ones first,
each marked handled with what was done) and members' suggested wording for the bot's replies.
Writers suggest wording here too (/workshop/wording/new): content for staff, never training data.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import ClockDep, FormDataDep, SignedIn, current_staff, require
from api.routes.staff.forms import ConfirmForm, form_key, make_form
from api.routes.staff.rendering import redirect
from api.routes.workshop.item_forms import HandleAlertForm, WordingForm, reply_choices
from api.routes.workshop.rendering import render
from api.routes.workshop.writing import Writer
from services_directory.crisis import crisis_contacts
from staff.policy import Permission
from workshop import alerts
from workshop.corpus import bot_responses
from workshop.wording import mark_read, suggest, suggestions

router = APIRouter(
    prefix="/workshop", include_in_schema=False, dependencies=[Depends(current_staff)]
)
Moderator = Annotated[SignedIn, Depends(require(Permission.WORKSHOP_MODERATE))]


def _alerts_page(
    request: Request, db: SessionDep, staff: SignedIn, settings: Any, **extra: Any
) -> HTMLResponse:
    key, csrf = form_key(settings), staff.session.csrf_secret
    status = extra.pop("status", 200)
    context = {
        "open": alerts.alerts(db),
        "handled": alerts.alerts(db, handled=True)[:20],
        "form": make_form(HandleAlertForm, key, csrf),
        "failed": None,
    }
    context.update(extra)
    return render(request, "alerts.html", context, staff=staff, status_code=status)


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request, db: SessionDep, settings: SettingsDep, staff: Moderator
) -> HTMLResponse:
    """Open disclosure alerts, oldest first, and the latest handled ones."""
    return _alerts_page(request, db, staff, settings)


@router.post("/alerts/{alert_id}/handled", response_class=HTMLResponse)
def handled(
    request: Request,
    alert_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Moderator,
) -> Response:
    """Mark an alert handled, with what was done to follow it up."""
    form = make_form(HandleAlertForm, form_key(settings), staff.session.csrf_secret, data)
    if not form.validate():
        return _alerts_page(request, db, staff, settings, form=form, failed=alert_id, status=422)
    alerts.handle(db, staff.user, alert_id, form.note.data or "", clock())
    db.commit()
    return redirect("/workshop/alerts")


@router.get("/wording", response_class=HTMLResponse)
def wording_list(
    request: Request, db: SessionDep, settings: SettingsDep, staff: Moderator
) -> HTMLResponse:
    """Members' suggested wording for the bot's replies, unread first."""
    context = {
        "suggestions": suggestions(db),
        "replies": bot_responses(),
        "read_form": make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret),
    }
    return render(request, "wording_list.html", context, staff=staff)


@router.post("/wording/{suggestion_id}/read")
def wording_read(
    suggestion_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Moderator,
) -> Response:
    """Mark a suggestion read."""
    make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret, data)
    mark_read(db, staff.user, suggestion_id, clock())
    db.commit()
    return redirect("/workshop/wording")


def _wording_form(settings: Any, staff: SignedIn, data: Any = None) -> WordingForm:
    form = make_form(WordingForm, form_key(settings), staff.session.csrf_secret, data)
    form.response.choices = [("", "Choose one of the bot's replies")] + reply_choices()[1:]
    return form


@router.get("/wording/new", response_class=HTMLResponse)
def wording_new(
    request: Request, settings: SettingsDep, staff: Writer, reply: str | None = None
) -> HTMLResponse:
    """Suggest better words for one of the bot's replies."""
    form = _wording_form(settings, staff)
    if reply in bot_responses():
        form.response.data = reply
    context = {"form": form, "replies": bot_responses(), "sent": None, "problems": []}
    return render(request, "wording_new.html", context, staff=staff)


@router.post("/wording/new", response_class=HTMLResponse)
def wording_send(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Writer,
) -> Response:
    """Keep the suggestion for staff (blocked, with hints, when it has personal details)."""
    form = _wording_form(settings, staff, data)
    context: dict[str, Any] = {"form": form, "replies": bot_responses(), "sent": None}
    if not form.validate():
        context["problems"] = []
        return render(request, "wording_new.html", context, staff=staff, status_code=422)
    done = suggest(db, staff.user, form.response.data or "", form.suggestion.data or "", clock())
    db.commit()
    if done.suggestion is None:
        context["problems"] = [d.hint for d in done.personal]
        return render(request, "wording_new.html", context, staff=staff, status_code=422)
    if done.alert is not None:
        alerts.notify(db, request.app.state.mailer, settings.mail_sender, settings.public_base_url)
    context.update(
        sent=done.suggestion,
        problems=[],
        contacts=crisis_contacts(db) if done.alert else [],
        form=_wording_form(settings, staff),
    )
    return render(request, "wording_new.html", context, staff=staff)
