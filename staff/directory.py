"""The directory as staff read it: services and organisations within a person's reach, searched,
filtered and paged on the server, and one record in full. No web imports.

Every query is scoped by the policy's reach (an organisation's roles: their organisation only);
a record outside it is `RecordNotFound`, exactly as if it did not exist (STYLE item 12).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, false, func, select
from sqlalchemy.orm import Session, selectinload

from services_directory.models import (
    Address,
    Attribute,
    Contact,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from staff.errors import RecordNotFound
from staff.policy import Actor, can_see, target_of
from staff.readiness import Check, check_readiness, facts_where, is_ready, readiness_page

PER_PAGE = 25
READY, NOT_READY = "ready", "not_ready"


def _reach(actor: Actor, column: Any) -> ColumnElement[bool] | None:
    """The condition that keeps a query within the actor's reach (None: everything)."""
    if not actor.is_organisation_scoped:
        return None
    if actor.organisation_id is None:
        return false()
    return column == actor.organisation_id


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows, the total, and where the page is."""

    rows: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        """The position of the page's first row (1-based; 0 when empty)."""
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        """The position of the page's last row."""
        return self.first + len(self.rows) - 1 if self.rows else 0


@dataclass(frozen=True)
class ServiceRow:
    """A service in the list, with its readiness."""

    service: Service
    checks: list[Check]

    @property
    def ready(self) -> bool:
        """Whether every readiness check passed."""
        return is_ready(self.checks)


@dataclass(frozen=True)
class ServiceFilters:
    """What the list of services is narrowed by."""

    search: str = ""
    organisation_id: str = ""
    readiness: str = ""  # READY, NOT_READY or "" (either)
    page: int = 1


def _service_criteria(actor: Actor, filters: ServiceFilters) -> list[ColumnElement[bool]]:
    criteria = []
    reach = _reach(actor, Service.organization_id)
    if reach is not None:
        criteria.append(reach)
    if filters.search.strip():
        criteria.append(func.lower(Service.name).like(_like(filters.search.strip()), escape="\\"))
    if filters.organisation_id:
        criteria.append(Service.organization_id == filters.organisation_id)
    return criteria


def visible_services(
    db: Session, actor: Actor, filters: ServiceFilters, per_page: int = PER_PAGE
) -> Page:
    """One page of the services this person may see, by name, with each one's readiness.

    Without a readiness filter the page is a LIMIT/OFFSET query; with one, the checks' facts
    are read afresh for every matching service in one query, and only the services whose facts
    changed since this process last checked them are checked again (`readiness_page`)."""
    criteria = _service_criteria(actor, filters)
    page = max(1, filters.page)
    offset = (page - 1) * per_page
    if filters.readiness in (READY, NOT_READY):
        total, chosen = readiness_page(
            db, *criteria, ready=filters.readiness == READY, offset=offset, limit=per_page
        )
        ids = [sid for sid, _checks in chosen]
        checks_by_id = dict(chosen)
    else:
        total = int(db.scalar(select(func.count(Service.id)).where(*criteria)) or 0)
        ids = list(
            db.scalars(
                select(Service.id)
                .where(*criteria)
                .order_by(Service.name, Service.id)
                .limit(per_page)
                .offset(offset)
            )
        )
        checks_by_id = (
            {
                facts.service_id: check_readiness(facts)
                for facts in facts_where(db, Service.id.in_(ids))
            }
            if ids
            else {}
        )
    services = _load_services(db, ids)
    rows = [ServiceRow(services[sid], checks_by_id[sid]) for sid in ids if sid in services]
    return Page(rows, total, page, per_page)


def _load_services(db: Session, ids: list[str]) -> dict[str, Service]:
    if not ids:
        return {}
    statement = (
        select(Service)
        .where(Service.id.in_(ids))
        .options(selectinload(Service.organization), selectinload(Service.profile))
    )
    return {s.id: s for s in db.scalars(statement)}


def visible_service(db: Session, actor: Actor, service_id: str) -> Service:
    """One service this person may see; `RecordNotFound` if none, or one outside their reach."""
    statement = (
        select(Service)
        .where(Service.id == service_id)
        .options(
            selectinload(Service.organization),
            selectinload(Service.profile),
            selectinload(Service.contact_modes),
            selectinload(Service.localities),
        )
    )
    service = db.scalars(statement).first()
    if service is None or not can_see(actor, target_of(service)):
        raise RecordNotFound(service_id)
    return service


def visible_organisations(
    db: Session, actor: Actor, search: str = "", page: int = 1, per_page: int = PER_PAGE
) -> Page:
    """One page of the organisations this person may see, by name, each with its number of
    services (rows are (organisation, count))."""
    criteria = []
    reach = _reach(actor, Organization.id)
    if reach is not None:
        criteria.append(reach)
    if search.strip():
        criteria.append(func.lower(Organization.name).like(_like(search.strip()), escape="\\"))
    page = max(1, page)
    total = int(db.scalar(select(func.count(Organization.id)).where(*criteria)) or 0)
    counts = (
        select(Service.organization_id, func.count(Service.id).label("services"))
        .group_by(Service.organization_id)
        .subquery()
    )
    statement = (
        select(Organization, func.coalesce(counts.c.services, 0))
        .outerjoin(counts, counts.c.organization_id == Organization.id)
        .where(*criteria)
        .order_by(Organization.name, Organization.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [(organisation, int(count)) for organisation, count in db.execute(statement)]
    return Page(rows, total, page, per_page)


def visible_organisation(db: Session, actor: Actor, organisation_id: str) -> Organization:
    """One organisation this person may see; `RecordNotFound` otherwise."""
    organisation = db.get(Organization, organisation_id)
    if organisation is None or not can_see(actor, target_of(organisation)):
        raise RecordNotFound(organisation_id)
    return organisation


def organisation_choices(db: Session, actor: Actor) -> list[tuple[str, str]]:
    """(id, name) of the organisations this person may filter the services by."""
    statement = select(Organization.id, Organization.name).order_by(Organization.name)
    reach = _reach(actor, Organization.id)
    if reach is not None:
        statement = statement.where(reach)
    return [(row.id, row.name) for row in db.execute(statement)]


def services_of(db: Session, organisation: Organization) -> list[Service]:
    """An organisation's services, by name."""
    statement = (
        select(Service)
        .where(Service.organization_id == organisation.id)
        .options(selectinload(Service.profile))
        .order_by(Service.name, Service.id)
    )
    return list(db.scalars(statement))


# --- one service in full ---------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceDetail:
    """A place the service is at, with its address on one line."""

    name: str
    address: str


@dataclass
class ServiceDetail:
    """What the service page shows beyond the service's own columns."""

    needs: list[str] = field(default_factory=list)
    other_terms: list[str] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    places: list[PlaceDetail] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)


def service_detail(db: Session, service: Service) -> ServiceDetail:
    """The linked records of one service: needs and other terms, phones, contacts, places,
    schedules and languages (a query each)."""
    detail = ServiceDetail()
    parent = select(TaxonomyTerm.id, TaxonomyTerm.code).subquery()
    terms = db.execute(
        select(TaxonomyTerm.name, parent.c.code)
        .join(Attribute, Attribute.taxonomy_term_id == TaxonomyTerm.id)
        .outerjoin(parent, parent.c.id == TaxonomyTerm.parent_id)
        .where(Attribute.link_id == service.id)
        .order_by(TaxonomyTerm.name)
    )
    for name, parent_code in terms:
        is_need = (parent_code or "").startswith("tier-")
        (detail.needs if is_need else detail.other_terms).append(name)
    detail.phones = list(db.scalars(select(Phone).where(Phone.service_id == service.id)))
    detail.contacts = list(db.scalars(select(Contact).where(Contact.service_id == service.id)))
    places = db.execute(
        select(Location, Address)
        .join(ServiceAtLocation, ServiceAtLocation.location_id == Location.id)
        .outerjoin(Address, Address.location_id == Location.id)
        .where(ServiceAtLocation.service_id == service.id)
    )
    for location, address in places:
        parts = (
            [address.address_1, address.address_2, address.city, address.postal_code]
            if address is not None
            else []
        )
        detail.places.append(PlaceDetail(location.name or "", ", ".join(p for p in parts if p)))
    detail.schedules = list(
        db.scalars(select(Schedule).where(Schedule.service_id == service.id).order_by(Schedule.id))
    )
    detail.languages = [
        row.name or row.code or ""
        for row in db.execute(
            select(Language.name, Language.code)
            .where(Language.service_id == service.id)
            .order_by(Language.name)
        )
    ]
    return detail
