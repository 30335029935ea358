"""What still stops each service being offered by the bot (the "bot-ready" view): no need tag,
no age range, no locality while not national, no way to get in touch, not active, withheld from
the chat for being overdue; and the suggestions waiting for staff. No web imports.

Every service in reach is read in one query (its facts as IN subqueries, as `staff.readiness`
does); the postcodes of imported services with no locality (the search places those by their
postcodes) and the suggestions are worked out only for the page's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from services_directory.crosswalk_suggest import Suggestion, suggestions_for
from services_directory.freshness import ServiceReview
from services_directory.import_models import FeedService, ImportFeed
from services_directory.io.writer import chunks
from services_directory.localities import load_localities, locality_for_postcode
from services_directory.models import (
    Address,
    Attribute,
    ContactMode,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
    ServiceLocality,
    ServiceProfile,
    TaxonomyTerm,
)
from services_directory.search.rows import TIER_PREFIX
from staff.directory import Page
from staff.policy import Actor

PER_PAGE = 25
BLOCKERS = {
    "inactive": "Not active: the feed or staff withdrew it",
    "withheld": "Withheld from the chat: its details are long overdue for a check",
    "needs": "No need tag: the chat never offers it for anything a young person asks about",
    "ages": "No age range: say which ages it is for",
    "locality": "No locality and not national: the chat never offers it in any area",
    "contact": "No way to get in touch: no phone, e-mail, website or place",
}


@dataclass(frozen=True)
class BotReadyFilters:
    organisation_id: str = ""
    feed_id: str = ""
    not_ready_only: bool = False
    page: int = 1


@dataclass
class BotReadyRow:
    """One service and what stops it being offered."""

    service_id: str
    name: str
    organisation_name: str
    blockers: list[str]
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.blockers

    @property
    def reasons(self) -> list[str]:
        return [BLOCKERS[key] for key in self.blockers]


def _in(owners: Any, owner: Any) -> ColumnElement[bool]:
    return Service.id.in_(owners.where(owner.is_not(None)))


def _has_need() -> ColumnElement[bool]:
    term, parent = aliased(TaxonomyTerm), aliased(TaxonomyTerm)
    linked = (
        select(Attribute.link_id)
        .join(term, term.id == Attribute.taxonomy_term_id)
        .join(parent, parent.id == term.parent_id)
        .where(parent.code.like(f"{TIER_PREFIX}%"))
    )
    return _in(linked, Attribute.link_id)


def _has_contact() -> ColumnElement[bool]:
    return or_(
        and_(Service.url.is_not(None), Service.url != ""),
        and_(Service.email.is_not(None), Service.email != ""),
        _in(select(ContactMode.service_id), ContactMode.service_id),
        _in(select(Phone.service_id), Phone.service_id),
        _in(select(ServiceAtLocation.service_id), ServiceAtLocation.service_id),
    )


def _criteria(actor: Actor, filters: BotReadyFilters) -> list[ColumnElement[bool]]:
    criteria: list[ColumnElement[bool]] = []
    if actor.is_organisation_scoped:
        criteria.append(
            Service.organization_id == actor.organisation_id if actor.organisation_id else false()
        )
    if filters.organisation_id:
        criteria.append(Service.organization_id == filters.organisation_id)
    if filters.feed_id:
        criteria.append(
            _in(
                select(FeedService.service_id).where(FeedService.feed_id == filters.feed_id),
                FeedService.service_id,
            )
        )
    return criteria


@dataclass(frozen=True)
class _Facts:
    """The facts of a service the blockers are read from, as SQL expressions."""

    withheld: ColumnElement[bool]
    has_need: ColumnElement[bool]
    placed: ColumnElement[bool]
    has_contact: ColumnElement[bool]

    @classmethod
    def make(cls) -> _Facts:
        return cls(
            withheld=_in(
                select(ServiceReview.service_id).where(ServiceReview.withheld_from_bot.is_(True)),
                ServiceReview.service_id,
            ),
            has_need=_has_need(),
            placed=_in(select(ServiceLocality.service_id), ServiceLocality.service_id),
            has_contact=_has_contact(),
        )

    def not_ready(self) -> ColumnElement[bool]:
        """Any blocker at all (`_blockers`, in SQL: the list is filtered and counted there)."""
        return or_(
            Service.status != "active",
            self.withheld,
            ~self.has_need,
            and_(Service.minimum_age.is_(None), Service.maximum_age.is_(None)),
            and_(
                ServiceProfile.service_id.is_not(None),
                ServiceProfile.area != "national",
                ~self.placed,
            ),
            ~self.has_contact,
        )


def _blockers(row: Any) -> list[str]:
    found = []
    if row.status != "active":
        found.append("inactive")
    if row.withheld:
        found.append("withheld")
    if not row.has_need:
        found.append("needs")
    if row.minimum_age is None and row.maximum_age is None:
        found.append("ages")
    # With a profile, its area says whether it is national. Without one (imported), the search
    # places it by its postcodes, else offers it in every area (the borough's when a council's
    # feed brought it, else national): offered, so not a blocker, but the page says so
    # (`offered_everywhere`).
    if not row.placed and row.has_profile and row.area != "national":
        found.append("locality")
    if not row.has_contact:
        found.append("contact")
    return found


def bot_ready_page(db: Session, actor: Actor, filters: BotReadyFilters) -> Page:
    """One page of the services in reach (by name), each with what stops the bot offering it
    and its pending suggestions. Filtering, counting and paging happen in the database; the
    blockers and suggestions are worked out for the page's rows only."""
    facts = _Facts.make()
    criteria = _criteria(actor, filters)
    if filters.not_ready_only:
        criteria.append(facts.not_ready())
    scope = (
        select(Service.id)
        .outerjoin(ServiceProfile, ServiceProfile.service_id == Service.id)
        .where(*criteria)
    )
    total = int(db.scalar(select(func.count()).select_from(scope.subquery())) or 0)
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, filters.page), pages)
    statement = (
        select(
            Service.id,
            Service.name,
            Organization.name.label("organisation_name"),
            Service.status,
            facts.withheld.label("withheld"),
            facts.has_need.label("has_need"),
            Service.minimum_age,
            Service.maximum_age,
            ServiceProfile.area,
            ServiceProfile.service_id.is_not(None).label("has_profile"),
            facts.placed.label("placed"),
            facts.has_contact.label("has_contact"),
        )
        .join(Organization, Organization.id == Service.organization_id)
        .outerjoin(ServiceProfile, ServiceProfile.service_id == Service.id)
        .where(*criteria)
        .order_by(Service.name, Service.id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    shown = [
        BotReadyRow(r.id, r.name, r.organisation_name, _blockers(r)) for r in db.execute(statement)
    ]
    pending = suggestions_for(db, [r.service_id for r in shown])
    for row in shown:
        row.suggestions = pending.get(row.service_id, [])
    return Page(shown, total, page, PER_PAGE)


def _placed_by_postcode(db: Session, service_ids: list[str]) -> set[str]:
    """Of these services (imported, with no profile), those the search places in a locality
    by a location's postcode."""
    localities = load_localities(session=db)
    placed: set[str] = set()
    for part in chunks(service_ids):
        rows = db.execute(
            select(ServiceAtLocation.service_id, Address.postal_code)
            .join(Address, Address.location_id == ServiceAtLocation.location_id)
            .where(ServiceAtLocation.service_id.in_(part))
        )
        for sid, postcode in rows:
            if sid not in placed and locality_for_postcode(postcode or "", localities):
                placed.add(sid)
    return placed


def offered_everywhere(db: Session, rows: list[BotReadyRow]) -> set[str]:
    """Of these rows, the imported services the search offers in every area for want of a
    locality (no locality and no postcode in the borough): worth a locality."""
    ids = [r.service_id for r in rows]
    if not ids:
        return set()
    no_profile = set(
        db.scalars(
            select(Service.id)
            .outerjoin(ServiceProfile, ServiceProfile.service_id == Service.id)
            .where(Service.id.in_(ids), ServiceProfile.service_id.is_(None))
        )
    )
    placed = set(
        db.scalars(select(ServiceLocality.service_id).where(ServiceLocality.service_id.in_(ids)))
    )
    candidates = sorted(no_profile - placed)
    return set(candidates) - _placed_by_postcode(db, candidates)


def feeds(db: Session) -> list[tuple[str, str]]:
    """The feeds services were imported from: (id, name)."""
    return [(f.id, f.name) for f in db.scalars(select(ImportFeed).order_by(ImportFeed.name))]
