"""Suggestions for services the bot cannot offer yet, each with its reason, for staff to confirm:

- needs, from the service's name, description and eligibility text (`crosswalk_lexicon`), only for
  a service with no need tag at all (its feed terms gave it none);
- an age range, from its eligibility text (`crosswalk_ages`), when it has none;
- localities, from its service areas (a locality's name or alias in them) and its locations'
  postcodes (`localities.locality_for_postcode`), when it has none and is not national.

A suggestion staff rejected is not made again. Crisis and safeguarding needs are suggested only
from strong phrases, are marked as such, and are never ticked in advance; ages and localities, read
from plain facts, are ticked in advance (staff untick what is wrong). Nothing here writes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.crosswalk_ages import ages_in
from services_directory.crosswalk_lexicon import match_needs, quoted
from services_directory.crosswalk_mapping import URGENT_TIERS, NeedTerm, need_terms
from services_directory.crosswalk_models import AGES, LOCALITY, NEED, SuggestionDecision
from services_directory.io.writer import chunks
from services_directory.localities import Locality, load_localities, locality_for_postcode
from services_directory.models import (
    Address,
    Attribute,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceLocality,
    ServiceProfile,
)

TEXT_FIELDS = (("name", "name"), ("description", "description"), ("eligibility", "eligibility"))


@dataclass(frozen=True)
class Suggestion:
    """One thing to confirm about one service."""

    service_id: str
    kind: str  # NEED, AGES or LOCALITY
    value: str  # a need code, "11-19" / "-17" / "16-", or a locality id
    label: str
    reason: str
    crisis: bool = False
    ticked: bool = False

    @property
    def key(self) -> str:
        """How a form names it: "service id|kind|value"."""
        return f"{self.service_id}|{self.kind}|{self.value}"


@dataclass
class ServiceText:
    """What the suggestions are read from, for one service."""

    id: str
    name: str
    description: str
    eligibility: str
    minimum_age: float | None
    maximum_age: float | None
    national: bool
    needs: set[str]
    localities: set[str]
    areas: list[str]
    postcodes: list[str]
    decided: set[tuple[str, str]]


def _grouped(session: Session, statement: Any, column: Any, ids: list[str]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for part in chunks(ids):
        for row in session.execute(statement.where(column.in_(part))):
            out[row[0]].append(row[1:] if len(row) > 2 else row[1])
    return out


def read_texts(
    session: Session, service_ids: Iterable[str], needs: dict[str, NeedTerm]
) -> list[ServiceText]:
    """What the suggestions of `service_ids` are read from: a few queries, whatever their number."""
    ids = sorted(set(service_ids))
    need_by_term = {n.term_id: code for code, n in needs.items()}
    tags = _grouped(
        session,
        select(Attribute.link_id, Attribute.taxonomy_term_id).where(
            Attribute.taxonomy_term_id.in_(list(need_by_term))
        ),
        Attribute.link_id,
        ids,
    )
    places = _grouped(
        session,
        select(ServiceLocality.service_id, ServiceLocality.locality),
        ServiceLocality.service_id,
        ids,
    )
    areas = _grouped(
        session,
        select(ServiceArea.service_id, ServiceArea.name, ServiceArea.service_area),
        ServiceArea.service_id,
        ids,
    )
    postcodes = _grouped(
        session,
        select(ServiceAtLocation.service_id, Address.postal_code).join(
            Address, Address.location_id == ServiceAtLocation.location_id
        ),
        ServiceAtLocation.service_id,
        ids,
    )
    decided = _grouped(
        session,
        select(SuggestionDecision.service_id, SuggestionDecision.kind, SuggestionDecision.value),
        SuggestionDecision.service_id,
        ids,
    )
    out = []
    columns = (
        Service.id,
        Service.name,
        Service.description,
        Service.eligibility_description,
        Service.minimum_age,
        Service.maximum_age,
        ServiceProfile.area,
    )
    for part in chunks(ids):
        statement = (
            select(*columns)
            .outerjoin(ServiceProfile, ServiceProfile.service_id == Service.id)
            .where(Service.id.in_(part))
        )
        for sid, name, description, eligibility, low, high, area in session.execute(statement):
            out.append(
                ServiceText(
                    id=sid,
                    name=name or "",
                    description=description or "",
                    eligibility=eligibility or "",
                    minimum_age=low,
                    maximum_age=high,
                    national=area == "national",
                    needs={need_by_term[t] for t in tags.get(sid, [])},
                    localities=set(places.get(sid, [])),
                    areas=[a for row in areas.get(sid, []) for a in row if a],
                    postcodes=[p for p in postcodes.get(sid, []) if p],
                    decided={(kind, value) for kind, value in decided.get(sid, [])},
                )
            )
    return out


def need_suggestions(service: ServiceText, needs: dict[str, NeedTerm]) -> list[Suggestion]:
    """Needs the service's own words speak of, when it has no need tag yet."""
    if service.needs:
        return []
    found: dict[str, list[str]] = {}
    for field, label in TEXT_FIELDS:
        for code, match in match_needs(getattr(service, field)).items():
            if code not in needs or (NEED, code) in service.decided:
                continue
            if needs[code].tier in URGENT_TIERS and not match.strong:
                continue  # a crisis need only from a phrase that says it plainly
            words = match.strong if needs[code].tier in URGENT_TIERS else match.words
            found.setdefault(code, []).append(f"{label} mentions {quoted(words)}")
    return [
        Suggestion(
            service.id,
            NEED,
            code,
            needs[code].name,
            "; ".join(reasons),
            crisis=needs[code].tier in URGENT_TIERS,
        )
        for code, reasons in sorted(found.items())
    ]


def age_suggestion(service: ServiceText) -> list[Suggestion]:
    """The age range its eligibility text (else its description) gives, when it has none."""
    if service.minimum_age is not None or service.maximum_age is not None:
        return []
    for label, source in (
        ("eligibility", service.eligibility),
        ("description", service.description),
    ):
        found = ages_in(source)
        if found is not None:
            if (AGES, found.value) in service.decided:
                return []
            reason = f"{label} says '{found.words}'"
            return [Suggestion(service.id, AGES, found.value, found.shown(), reason, ticked=True)]
    return []


def _names(locality: Locality) -> list[str]:
    return [locality.name, *locality.aliases]


def locality_suggestions(service: ServiceText, localities: dict[str, Locality]) -> list[Suggestion]:
    """Localities its service areas name or its postcodes are in, when it has none."""
    if service.localities or service.national:
        return []
    found: dict[str, str] = {}
    for area in service.areas:
        for locality in localities.values():
            for name in _names(locality):
                if locality.id not in found and re.search(
                    rf"(?<![\w]){re.escape(name)}(?![\w])", area, re.I
                ):
                    found[locality.id] = f"service area '{area}' names {name}"
    for postcode in service.postcodes:
        place = locality_for_postcode(postcode, localities)
        if place is not None and place not in found:
            found[place] = f"location postcode {postcode} is in {localities[place].name}"
    return [
        Suggestion(service.id, LOCALITY, lid, localities[lid].name, reason, ticked=True)
        for lid, reason in sorted(found.items())
        if (LOCALITY, lid) not in service.decided
    ]


def suggestions_for(session: Session, service_ids: Iterable[str]) -> dict[str, list[Suggestion]]:
    """Every pending suggestion of each service (services without any left out)."""
    needs = need_terms(session)
    localities = load_localities()
    out: dict[str, list[Suggestion]] = {}
    for service in read_texts(session, service_ids, needs):
        found = [
            *need_suggestions(service, needs),
            *age_suggestion(service),
            *locality_suggestions(service, localities),
        ]
        if found:
            out[service.id] = found
    return out
