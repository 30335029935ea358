"""Reading the directory's tables for the search index: one query each, grouped by service."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from services_directory.freshness import ServiceReview
from services_directory.import_models import FeedService
from services_directory.models import (
    Address,
    Attribute,
    ContactMode,
    CostOption,
    Language,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceLocality,
    ServiceProfile,
    TaxonomyTerm,
)

TIER_PREFIX = "tier-"


def _grouped(rows: Iterable[Any], key: str) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        out[row[key]].append(row)
    return out


@dataclass
class Rows:
    """The directory's tables, read once per index, grouped by service."""

    services: list[dict[str, Any]]
    profiles: dict[str, Any]
    modes: dict[str, list[Any]]
    localities: dict[str, list[Any]]
    schedules: dict[str, list[Any]]
    languages: dict[str, list[Any]]
    phones: dict[str, list[Any]]
    costs: dict[str, list[Any]]
    postcodes: dict[str, list[Any]]
    terms: dict[str, Any]
    links: dict[str, list[Any]]
    from_feeds: set[str]  # the services a council's feed brought (services_directory.io.feeds)


def read_rows(session: Session, service_id: str | None = None) -> Rows:
    """Read every table the index needs, in one query each: every active service not withheld
    from the chat, or only the service `service_id` (whatever its status: a staff preview of one
    card)."""

    def rows(statement: Any, column: Any = None) -> Any:
        if service_id is not None and column is not None:
            statement = statement.where(column == service_id)
        return session.execute(statement).mappings()

    services = select(Service.__table__).order_by(Service.name)
    if service_id is None:
        withheld = exists().where(
            ServiceReview.service_id == Service.id, ServiceReview.withheld_from_bot.is_(True)
        )
        services = services.where(Service.status == "active", ~withheld)
    return Rows(
        services=[dict(r) for r in rows(services, Service.id)],
        profiles={
            r["service_id"]: r
            for r in rows(select(ServiceProfile.__table__), ServiceProfile.service_id)
        },
        modes=_grouped(
            rows(
                select(ContactMode.__table__).order_by(
                    ContactMode.service_id, ContactMode.position
                ),
                ContactMode.service_id,
            ),
            "service_id",
        ),
        localities=_grouped(
            rows(select(ServiceLocality.__table__), ServiceLocality.service_id), "service_id"
        ),
        schedules=_grouped(
            rows(
                select(Schedule.__table__).where(Schedule.service_id.is_not(None)),
                Schedule.service_id,
            ),
            "service_id",
        ),
        languages=_grouped(
            rows(
                select(Language.service_id, Language.name, Language.code).where(
                    Language.service_id.is_not(None)
                ),
                Language.service_id,
            ),
            "service_id",
        ),
        phones=_grouped(
            rows(
                select(Phone.service_id, Phone.number, Phone.type)
                .where(Phone.service_id.is_not(None))
                .order_by(Phone.service_id, Phone.number, Phone.id),  # the same order every time
                Phone.service_id,
            ),
            "service_id",
        ),
        costs=_grouped(
            rows(select(CostOption.service_id, CostOption.amount), CostOption.service_id),
            "service_id",
        ),
        postcodes=_grouped(
            rows(
                select(ServiceAtLocation.service_id, Address.postal_code).join(
                    Address, Address.location_id == ServiceAtLocation.location_id
                ),
                ServiceAtLocation.service_id,
            ),
            "service_id",
        ),
        terms={r["id"]: r for r in rows(select(TaxonomyTerm.__table__))},
        links=_grouped(
            rows(
                select(Attribute.link_id, Attribute.taxonomy_term_id, Attribute.value),
                Attribute.link_id,
            ),
            "link_id",
        ),
        from_feeds={
            r["service_id"] for r in rows(select(FeedService.service_id), FeedService.service_id)
        },
    )


def need_terms(terms: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Need code -> tier, and need code -> name: the terms under a `tier-*` parent."""
    need_tier: dict[str, str] = {}
    need_name: dict[str, str] = {}
    for term in terms.values():
        parent = terms.get(term["parent_id"] or "")
        if term["code"] and parent is not None and (parent["code"] or "").startswith(TIER_PREFIX):
            need_tier[term["code"]] = parent["code"][len(TIER_PREFIX) :]
            need_name[term["code"]] = term["name"]
    return need_tier, need_name
