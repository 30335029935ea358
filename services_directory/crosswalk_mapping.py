"""The crosswalk as data: how it names a feed's taxonomy term (`TermKey`: its vocabulary and
its code), the bot's needs (`NeedTerm`: the terms under a `tier-*` term), and each term's mapping to
needs (`x_need_crosswalk`), checked: only needs the bot knows, never a crisis or safeguarding need
(those are set on each service by hand). `services_directory.crosswalk` applies the mappings."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services_directory.crosswalk_models import NeedCrosswalk
from services_directory.errors import DirectoryError
from services_directory.models import Attribute, Service, Taxonomy, TaxonomyTerm, utcnow
from services_directory.search.rows import TIER_PREFIX

URGENT_TIERS = frozenset({"crisis", "safeguarding"})


class InvalidMapping(DirectoryError, ValueError):
    """A mapping names a need the bot does not know, or one the crosswalk must not set."""


@dataclass(frozen=True)
class NeedTerm:
    """One of the bot's needs, as the directory holds it."""

    code: str
    term_id: str
    name: str
    tier: str


@dataclass(frozen=True)
class TermKey:
    """How the crosswalk names a feed term: its vocabulary and its code (or id)."""

    vocabulary: str
    code: str


def need_terms(session: Session) -> dict[str, NeedTerm]:
    """The bot's needs by code: the terms under a `tier-*` term."""
    rows = session.execute(
        select(TaxonomyTerm.id, TaxonomyTerm.code, TaxonomyTerm.name, TaxonomyTerm.parent_id)
    ).all()
    tiers = {
        r.id: r.code[len(TIER_PREFIX) :] for r in rows if (r.code or "").startswith(TIER_PREFIX)
    }
    return {
        r.code: NeedTerm(r.code, r.id, r.name, tiers[r.parent_id])
        for r in rows
        if r.code and r.parent_id in tiers
    }


def term_keys(session: Session) -> dict[str, TermKey]:
    """Every feed term (not a need, not a tier, not of the needs' taxonomy) by id, with the key
    the crosswalk knows it by."""
    taxonomies = {r[0]: r[1] for r in session.execute(select(Taxonomy.id, Taxonomy.name))}
    rows = session.execute(
        select(
            TaxonomyTerm.id,
            TaxonomyTerm.code,
            TaxonomyTerm.taxonomy,
            TaxonomyTerm.taxonomy_id,
            TaxonomyTerm.parent_id,
        )
    ).all()
    tiers = {r.id for r in rows if (r.code or "").startswith(TIER_PREFIX)}
    own = {r.taxonomy_id for r in rows if r.id in tiers and r.taxonomy_id}
    out: dict[str, TermKey] = {}
    for r in rows:
        if r.id in tiers or r.parent_id in tiers or (r.taxonomy_id and r.taxonomy_id in own):
            continue
        vocabulary = r.taxonomy or taxonomies.get(r.taxonomy_id or "") or ""
        out[r.id] = TermKey(vocabulary[:255], (r.code or r.id)[:255])
    return out


def checked_needs(session: Session, needs: Iterable[str]) -> list[str]:
    """The need codes, checked: each must be one of the bot's needs, and not a crisis or
    safeguarding need (those are set on each service by hand, never for a whole feed term)."""
    known = need_terms(session)
    wanted = sorted(set(needs))
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise InvalidMapping(f"not one of the bot's needs: {', '.join(unknown)}")
    urgent = [code for code in wanted if known[code].tier in URGENT_TIERS]
    if urgent:
        raise InvalidMapping(
            f"crisis and safeguarding needs are set on each service by hand: {', '.join(urgent)}"
        )
    return wanted


def set_mapping(
    session: Session,
    key: TermKey,
    term_name: str,
    needs: Iterable[str],
    *,
    set_by: str,
    now: dt.datetime | None = None,
) -> NeedCrosswalk:
    """Map the feed term `key` to `needs` (checked; an empty list is a decision too)."""
    codes = checked_needs(session, needs)
    row = session.scalar(
        select(NeedCrosswalk).where(
            NeedCrosswalk.vocabulary == key.vocabulary, NeedCrosswalk.term_code == key.code
        )
    )
    if row is None:
        row = NeedCrosswalk(id=str(uuid.uuid4()), vocabulary=key.vocabulary, term_code=key.code)
        session.add(row)
    row.term_name, row.needs, row.set_by, row.set_at = term_name, codes, set_by, now or utcnow()
    session.flush()
    return row


def remove_mapping(session: Session, key: TermKey) -> bool:
    """Forget the mapping of `key` (whether there was one)."""
    result = session.execute(
        delete(NeedCrosswalk).where(
            NeedCrosswalk.vocabulary == key.vocabulary, NeedCrosswalk.term_code == key.code
        )
    )
    return bool(getattr(result, "rowcount", 0))


def mappings(session: Session) -> dict[TermKey, list[str]]:
    """Every mapping: feed term -> need codes."""
    rows = session.execute(
        select(NeedCrosswalk.vocabulary, NeedCrosswalk.term_code, NeedCrosswalk.needs)
    )
    return {TermKey(v, c): list(needs or []) for v, c, needs in rows}


def services_with_term(session: Session, key: TermKey) -> list[str]:
    """The services tagged with the feed term `key`."""
    ids = [term_id for term_id, found in term_keys(session).items() if found == key]
    if not ids:
        return []
    return sorted(
        set(
            session.scalars(
                select(Attribute.link_id)
                .join(Service, Service.id == Attribute.link_id)
                .where(Attribute.taxonomy_term_id.in_(ids))
            )
        )
    )
