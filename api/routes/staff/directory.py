"""The directory's pages, read-only: the services and organisations a person may see, one
service in full with the bot preview and the readiness checks, one organisation.

Council roles reach every record; organisation roles only their organisation's. A record outside
someone's reach is "not found", whatever id is put in the address (`staff.directory`)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import ClockDep, SignedIn, current_staff, require
from api.routes.staff.freshness import service_freshness
from api.routes.staff.preview import preview_message, preview_view
from api.routes.staff.rendering import render
from services_directory import schedules, wording
from services_directory.localities import load_localities
from staff import directory, drafts
from staff.policy import Permission, can, target_of
from staff.readiness import is_ready, readiness_of
from staff.service_document import REFERRAL

router = APIRouter(prefix="/staff", include_in_schema=False, dependencies=[Depends(current_staff)])

ServiceViewer = Annotated[SignedIn, Depends(require(Permission.SERVICES_VIEW))]
OrganisationViewer = Annotated[SignedIn, Depends(require(Permission.ORGANISATIONS_VIEW))]
READINESS_CHOICES = [
    ("", "Ready or not"),
    (directory.READY, "Ready"),
    (directory.NOT_READY, "Not ready"),
]


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 100_000 else 1


def _page_links(path: str, query: dict[str, str], page: directory.Page) -> dict[str, object]:
    """The GOV.UK pagination's previous, next and numbered links, keeping the filters."""

    def href(number: int) -> str:
        values = {k: v for k, v in query.items() if v}
        if number > 1:
            values["page"] = str(number)
        return f"{path}?{urlencode(values)}" if values else path

    shown = sorted(
        {1, page.pages, *range(max(1, page.page - 1), min(page.pages, page.page + 1) + 1)}
    )
    items: list[dict[str, object]] = []
    for number in shown:
        if items and number - int(str(items[-1]["number"])) > 1:
            items.append({"ellipsis": True, "number": number - 1})
        items.append({"number": number, "href": href(number), "current": number == page.page})
    return {
        "previous": href(page.page - 1) if page.page > 1 else None,
        "next": href(page.page + 1) if page.page < page.pages else None,
        "items": items if page.pages > 1 else [],
    }


@router.get("/services", response_class=HTMLResponse)
def services(
    request: Request,
    db: SessionDep,
    staff: ServiceViewer,
    q: str = "",
    organisation: str = "",
    readiness: str = "",
    page: str | None = None,
) -> HTMLResponse:
    """The services this person may see: search by name, filter by organisation (council roles)
    and readiness, 25 to a page."""
    q = q.strip()[:200]
    choose_organisation = not staff.actor.is_organisation_scoped
    if not choose_organisation:
        organisation = ""
    if readiness not in (directory.READY, directory.NOT_READY):
        readiness = ""
    filters = directory.ServiceFilters(q, organisation, readiness, _page_number(page))
    found = directory.visible_services(db, staff.actor, filters)
    query = {"q": q, "organisation": organisation, "readiness": readiness}
    context = {
        "found": found,
        "q": q,
        "organisation": organisation,
        "readiness": readiness,
        "readiness_choices": READINESS_CHOICES,
        "organisations": directory.organisation_choices(db, staff.actor)
        if choose_organisation
        else [],
        "page_links": _page_links("/staff/services", query, found),
        "filtered": any(query.values()),
    }
    return render(request, "services.html", context, staff=staff)


@router.get("/services/{service_id}", response_class=HTMLResponse)
def service_page(
    request: Request,
    service_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    staff: ServiceViewer,
) -> HTMLResponse:
    """One service as staff need it, the card as a young person sees it in the chat, and the
    readiness checks."""
    service = directory.visible_service(db, staff.actor, service_id)
    detail = directory.service_detail(db, service)
    checks = readiness_of(db, service.id)
    message = preview_message(db, service.id, clock())
    localities = load_localities(session=db)
    profile = service.profile
    rules = schedules.rules_from(
        [{c.name: getattr(s, c.name) for c in s.__table__.columns} for s in detail.schedules]
    )
    context = {
        "service": service,
        "profile": profile,
        "detail": detail,
        "ages": wording.ages_text(service.minimum_age, service.maximum_age),
        "hours": schedules.describe(
            rules,
            open_24_7=bool(profile and profile.open_24_7),
            closed_on_bank_holidays=bool(profile and profile.closed_on_bank_holidays),
        ),
        "localities": [
            localities[row.locality].name if row.locality in localities else row.locality
            for row in sorted(service.localities, key=lambda r: r.locality)
        ],
        "checks": checks,
        "ready": is_ready(checks),
        "preview": preview_view(message) if message else None,
        **service_freshness(request, db, settings, staff, service, clock()),
        "open_draft": drafts.open_draft(db, service.id),
        "referral_words": REFERRAL,
        "may_edit": can(staff.actor, Permission.SERVICES_EDIT, target_of(service)),
    }
    return render(request, "service.html", context, staff=staff)


@router.get("/organisations", response_class=HTMLResponse)
def organisations(
    request: Request,
    db: SessionDep,
    staff: OrganisationViewer,
    q: str = "",
    page: str | None = None,
) -> HTMLResponse:
    """The organisations this person may see (organisation roles: their own), by name."""
    q = q.strip()[:200]
    found = directory.visible_organisations(db, staff.actor, q, _page_number(page))
    context = {
        "found": found,
        "q": q,
        "page_links": _page_links("/staff/organisations", {"q": q}, found),
    }
    return render(request, "organisations.html", context, staff=staff)


@router.get("/organisations/{organisation_id}", response_class=HTMLResponse)
def organisation_page(
    request: Request, organisation_id: str, db: SessionDep, staff: OrganisationViewer
) -> HTMLResponse:
    """One organisation and its services."""
    organisation = directory.visible_organisation(db, staff.actor, organisation_id)
    context = {
        "organisation": organisation,
        "services": directory.services_of(db, organisation)
        if staff.can(Permission.SERVICES_VIEW)
        else [],
        "may_add": can(staff.actor, Permission.SERVICES_EDIT, target_of(organisation)),
        "may_change": can(staff.actor, Permission.ORGANISATIONS_EDIT, target_of(organisation)),
    }
    return render(request, "organisation.html", context, staff=staff)
