"""The queries behind the Open Referral UK read API (`/openreferral`): paged lists and full
records in the HSDS 3.0 / UK profile 3.0 shapes. No web framework here; api/ maps it to HTTP."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from services_directory.errors import (
    InvalidSearch,
    ServiceAtLocationNotFound,
    ServiceNotFound,
    TaxonomyNotFound,
    TaxonomyTermNotFound,
)
from services_directory.io.export import (
    load_graph,
    scalars,
    service_at_location_item,
    service_full,
    service_list_item,
    taxonomy_term_item,
)
from services_directory.localities import locality_for_postcode, outward_code
from services_directory.models import (
    Attribute,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from services_directory.search import get_index, text_scores

HSDS_VERSION = "3.0"
PROFILE_URL = "https://openreferraluk.org/uk-profile"
OPENAPI_URL = "https://raw.githubusercontent.com/OpenReferralUK/uk-profile/main/schema/openapi.json"


@dataclass(frozen=True)
class ServiceFilters:
    """The filters of `/services` and `/service_at_locations` (the profile's parameters)."""

    search: str | None = None
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    organization_id: str | None = None
    minimum_age: float | None = None
    maximum_age: float | None = None
    postcode: str | None = None
    proximity: float | None = None


def about() -> dict[str, str]:
    """The `/` document: HSDS version, profile and the profile's OpenAPI description."""
    return {"version": HSDS_VERSION, "profile": PROFILE_URL, "openapi_url": OPENAPI_URL}


def page(items: list[Any], total: int, page_number: int, per_page: int) -> dict[str, Any]:
    """The profile's paging envelope around one page of `items`."""
    total_pages = math.ceil(total / per_page) if total else 0
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": len(items),
        "first_page": page_number == 1,
        "last_page": page_number >= total_pages,
        "empty": not items,
        "contents": items,
    }


def filtered_service_ids(session: Session, filters: ServiceFilters) -> list[str]:
    """Active services that pass the filters: by relevance when searching, else by name."""
    index = get_index(session)
    entries = index.entries
    chosen = set(range(len(entries)))
    if filters.minimum_age is not None:
        # "Services with a minimum age of at least the specified value" (the profile's words).
        least = filters.minimum_age
        chosen = {i for i in chosen if _at_least(entries[i].min_age, least)}
    if filters.maximum_age is not None:
        most = filters.maximum_age
        chosen = {i for i in chosen if _at_most(entries[i].max_age, most)}
    if filters.postcode is not None:
        if outward_code(filters.postcode) is None:
            raise InvalidSearch(
                f"{filters.postcode!r} is not a UK postcode or postcode district", "postcode"
            )
        locality = locality_for_postcode(filters.postcode, index.localities)
        covered = set(index.national)
        if locality is not None:
            covered |= index.by_locality.get(locality, set())
        chosen &= covered
    elif filters.proximity is not None:
        raise InvalidSearch("proximity needs a postcode", "proximity")
    ids = {entries[i].id for i in chosen}
    if filters.taxonomy_term_id or filters.taxonomy_id or filters.organization_id:
        stmt = (
            select(Service.id).where(Service.id.in_(ids))
            if len(ids) < 30000
            else select(Service.id)
        )
        if filters.organization_id:
            stmt = stmt.where(Service.organization_id == filters.organization_id)
        if filters.taxonomy_term_id or filters.taxonomy_id:
            stmt = stmt.join(Attribute, Attribute.link_id == Service.id).join(
                TaxonomyTerm, TaxonomyTerm.id == Attribute.taxonomy_term_id
            )
            if filters.taxonomy_term_id:
                stmt = stmt.where(
                    or_(
                        TaxonomyTerm.id == filters.taxonomy_term_id,
                        TaxonomyTerm.code == filters.taxonomy_term_id,
                    )
                )
            if filters.taxonomy_id:
                stmt = stmt.where(TaxonomyTerm.taxonomy_id == filters.taxonomy_id)
        ids &= set(session.execute(stmt.distinct()).scalars())
    if filters.search and filters.search.strip():
        wanted = {i for i in chosen if entries[i].id in ids}
        scores = text_scores(index, filters.search, wanted)
        ranked = sorted(scores, key=lambda i: (-scores[i], entries[i].name))
        return [entries[i].id for i in ranked]
    return [e.id for e in entries if e.id in ids]


def list_services(
    session: Session, filters: ServiceFilters, page_number: int = 1, per_page: int = 50
) -> dict[str, Any]:
    """`/services`: a page of services with their one-to-one fields."""
    ids = filtered_service_ids(session, filters)
    chosen = ids[(page_number - 1) * per_page : page_number * per_page]
    graph = load_graph(session, chosen)
    items = [service_list_item(graph, sid) for sid in chosen]
    return page(items, len(ids), page_number, per_page)


def get_service(session: Session, service_id: str) -> dict[str, Any]:
    """`/services/{id}`: the service in the `service_full` shape (ServiceNotFound if none)."""
    graph = load_graph(session, [service_id])
    if service_id not in graph.rows["service"]:
        raise ServiceNotFound(service_id)
    return service_full(graph, service_id)


def list_service_at_locations(
    session: Session, filters: ServiceFilters, page_number: int = 1, per_page: int = 50
) -> dict[str, Any]:
    """`/service_at_locations`: a page of services at locations (service and location nested)."""
    ids = filtered_service_ids(session, filters)
    order = {sid: n for n, sid in enumerate(ids)}
    rows: list[Any] = []
    for part_start in range(0, len(ids), 500):
        part = ids[part_start : part_start + 500]
        rows.extend(
            session.execute(
                select(ServiceAtLocation.id, ServiceAtLocation.service_id).where(
                    ServiceAtLocation.service_id.in_(part)
                )
            ).all()
        )
    rows.sort(key=lambda r: (order[r.service_id], r.id))
    chosen = rows[(page_number - 1) * per_page : page_number * per_page]
    graph = load_graph(session, {r.service_id for r in chosen})
    items = [service_at_location_item(graph, r.id) for r in chosen]
    return page(items, len(rows), page_number, per_page)


def get_service_at_location(session: Session, sal_id: str) -> dict[str, Any]:
    """`/service_at_locations/{id}`: one service at a location, fully nested."""
    service_id = session.execute(
        select(ServiceAtLocation.service_id).where(ServiceAtLocation.id == sal_id)
    ).scalar_one_or_none()
    if service_id is None:
        raise ServiceAtLocationNotFound(sal_id)
    graph = load_graph(session, [service_id])
    return service_at_location_item(graph, sal_id, full=True)


def list_taxonomies(session: Session, page_number: int = 1, per_page: int = 50) -> dict[str, Any]:
    """`/taxonomies`: a page of taxonomies."""
    total = session.execute(select(func.count(Taxonomy.id))).scalar_one()
    rows = session.execute(
        select(Taxonomy.__table__)
        .order_by(Taxonomy.name, Taxonomy.id)
        .offset((page_number - 1) * per_page)
        .limit(per_page)
    ).mappings()
    return page([scalars("taxonomy", dict(r)) for r in rows], total, page_number, per_page)


def get_taxonomy(session: Session, taxonomy_id: str) -> dict[str, Any]:
    """`/taxonomies/{id}`: a taxonomy with its terms."""
    row = (
        session.execute(select(Taxonomy.__table__).where(Taxonomy.id == taxonomy_id))
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise TaxonomyNotFound(taxonomy_id)
    terms = session.execute(
        select(TaxonomyTerm.__table__)
        .where(TaxonomyTerm.taxonomy_id == taxonomy_id)
        .order_by(TaxonomyTerm.name)
    ).mappings()
    obj = scalars("taxonomy", dict(row))
    obj["taxonomy_terms"] = [scalars("taxonomy_term", dict(t)) for t in terms]
    return obj


def list_taxonomy_terms(
    session: Session, page_number: int = 1, per_page: int = 50, taxonomy_id: str | None = None
) -> dict[str, Any]:
    """`/taxonomy_terms`: a page of taxonomy terms, each with its taxonomy."""
    where = [TaxonomyTerm.taxonomy_id == taxonomy_id] if taxonomy_id else []
    total = session.execute(select(func.count(TaxonomyTerm.id)).where(*where)).scalar_one()
    rows = [
        dict(r)
        for r in session.execute(
            select(TaxonomyTerm.__table__)
            .where(*where)
            .order_by(TaxonomyTerm.name, TaxonomyTerm.id)
            .offset((page_number - 1) * per_page)
            .limit(per_page)
        ).mappings()
    ]
    return page(_terms_with_taxonomies(session, rows), total, page_number, per_page)


def get_taxonomy_term(session: Session, term_id: str) -> dict[str, Any]:
    """`/taxonomy_terms/{id}`: one taxonomy term."""
    row = (
        session.execute(select(TaxonomyTerm.__table__).where(TaxonomyTerm.id == term_id))
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise TaxonomyTermNotFound(term_id)
    return _terms_with_taxonomies(session, [dict(row)])[0]


def _terms_with_taxonomies(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    taxonomy_ids = {r["taxonomy_id"] for r in rows if r["taxonomy_id"]}
    taxonomies = (
        {
            t["id"]: dict(t)
            for t in session.execute(
                select(Taxonomy.__table__).where(Taxonomy.id.in_(taxonomy_ids))
            ).mappings()
        }
        if taxonomy_ids
        else {}
    )
    return [taxonomy_term_item(r, taxonomies.get(r["taxonomy_id"] or "")) for r in rows]


def _at_least(value: float | None, least: float) -> bool:
    return (value if value is not None else 0) >= least


def _at_most(value: float | None, most: float) -> bool:
    # A service with no maximum age is open to every age: it is not "at most" anything.
    return value is not None and value <= most
