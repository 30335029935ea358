"""The "bot-ready" page: each service in reach and what still stops the bot offering it, with the
suggestions waiting for staff (needs from its text, an age range, localities), confirmed or
rejected in bulk: one form, ticked checkboxes, one POST with its CSRF token, an audit entry per
service. Council roles see every service; organisation roles only their own (and cannot confirm:
a confirmed suggestion reaches young people at once, as an approved change does)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from wtforms import SelectMultipleField, StringField
from wtforms.validators import AnyOf

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import ClockDep, FormDataDep, SignedIn, current_staff, require
from api.routes.staff.forms import StaffForm, form_key, make_form
from api.routes.staff.rendering import redirect, render
from services_directory.crosswalk_confirm import parse_key
from services_directory.models import Organization
from staff import bot_ready, directory
from staff.crosswalk import decide_suggestions
from staff.errors import PermissionDenied, RecordNotFound
from staff.policy import Permission, can, can_see, target_of

router = APIRouter(prefix="/staff", include_in_schema=False, dependencies=[Depends(current_staff)])

Viewer = Annotated[SignedIn, Depends(require(Permission.SERVICES_VIEW))]
Decider = Annotated[SignedIn, Depends(require(Permission.SERVICES_APPROVE))]


class DecisionForm(StaffForm):
    suggestion = SelectMultipleField("Suggestions", choices=[], validate_choice=False)
    decision = StringField("Decision", [AnyOf(["confirm", "reject"])])


def _number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 100_000 else 1


def _query(organisation: str, feed: str, show: str, page: int = 1) -> str:
    values = {"organisation": organisation, "feed": feed, "show": show}
    values["page"] = str(page) if page > 1 else ""
    return urlencode({k: v for k, v in values.items() if v})


@router.get("/bot-ready", response_class=HTMLResponse)
def bot_ready_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    staff: Viewer,
    organisation: str = "",
    feed: str = "",
    show: str = "",
    page: str | None = None,
    confirmed: int = 0,
    rejected: int = 0,
) -> HTMLResponse:
    """Each service in reach, what stops the bot offering it, and its pending suggestions."""
    scoped = staff.actor.is_organisation_scoped
    filters = bot_ready.BotReadyFilters(
        organisation_id="" if scoped else organisation,
        feed_id=feed,
        not_ready_only=show == "not_ready",
        page=_number(page),
    )
    found = bot_ready.bot_ready_page(db, staff.actor, filters)
    base = ("/staff/bot-ready", filters.organisation_id, feed, show)

    def href(n: int) -> str:
        query = _query(*base[1:], n)
        return f"{base[0]}?{query}" if query else base[0]

    organisations = (
        []
        if scoped
        else [(o.id, o.name) for o in db.scalars(select(Organization).order_by(Organization.name))]
    )
    context = {
        "found": found,
        "filters": filters,
        "show": show,
        "organisations": organisations,
        "feeds": bot_ready.feeds(db),
        "everywhere": bot_ready.offered_everywhere(db, found.rows),
        "may_decide": staff.can(Permission.SERVICES_APPROVE),
        "form": make_form(DecisionForm, form_key(settings), staff.session.csrf_secret),
        "back": _query(*base[1:], found.page),
        "done": {"confirmed": confirmed, "rejected": rejected},
        "page_links": {
            "previous": href(found.page - 1) if found.page > 1 else None,
            "next": href(found.page + 1) if found.page < found.pages else None,
            "items": [],
        },
    }
    return render(request, "bot_ready.html", context, staff=staff)


def _safe_back(back: str) -> str:
    """The list's filters from `back`, and nothing else."""
    values = {k: v[0] for k, v in parse_qs(back).items() if v}
    page = values.get("page", "")
    return _query(
        values.get("organisation", ""),
        values.get("feed", ""),
        "not_ready" if values.get("show") == "not_ready" else "",
        int(page) if page.isdigit() and int(page) < 100_000 else 1,
    )


@router.post("/bot-ready/suggestions")
def decide(
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Decider,
    back: str = "",
) -> RedirectResponse:
    """Confirm or reject the ticked suggestions. A service outside this person's reach is not
    found; a key that is not a suggestion any more is left alone."""
    form = make_form(DecisionForm, form_key(settings), staff.session.csrf_secret, data)
    back = _safe_back(back)
    if not form.validate():
        return redirect(f"/staff/bot-ready?{back}")
    keys = [k for k in form.suggestion.data or [] if parse_key(k) is not None]
    for service_id in sorted({k.split("|", 1)[0] for k in keys}):
        service = directory.visible_service(db, staff.actor, service_id)
        if not can_see(staff.actor, target_of(service)):
            raise RecordNotFound(service_id)
        if not can(staff.actor, Permission.SERVICES_APPROVE, target_of(service)):
            raise PermissionDenied("you may not confirm suggestions for this service")
    confirm = form.decision.data == "confirm"
    done = decide_suggestions(db, staff.user, keys, confirm=confirm, now=clock())
    db.commit()
    counts = {"confirmed": len(done.confirmed), "rejected": len(done.rejected)}
    query = "&".join(part for part in (back, urlencode(counts)) if part)
    return redirect(f"/staff/bot-ready?{query}")
