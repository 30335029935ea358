"""The feed terms seen in the directory, for the crosswalk's page: each with how many services
use it, its mapping (if any), and the needs suggested for it with the reason; and the starter
crosswalk (`data/crosswalk_starter.yml`) staff can load for the terms it knows by name."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services_directory.crosswalk_lexicon import TermSuggestion, suggest_for_term
from services_directory.crosswalk_mapping import (
    URGENT_TIERS,
    NeedTerm,
    TermKey,
    need_terms,
    set_mapping,
    term_keys,
)
from services_directory.crosswalk_models import NeedCrosswalk
from services_directory.models import Attribute, Service, TaxonomyTerm

STARTER_FILE = "data/crosswalk_starter.yml"


@dataclass
class FeedTerm:
    """A feed term as the crosswalk page shows it."""

    key: TermKey
    name: str
    services: int
    needs: list[str] | None  # None: not mapped yet
    set_by: str | None
    set_at: dt.datetime | None
    suggestions: list[TermSuggestion]

    @property
    def mapped(self) -> bool:
        return self.needs is not None


def offered_needs(session: Session) -> dict[str, NeedTerm]:
    """The needs a mapping may name (not crisis or safeguarding ones), by code."""
    return {c: n for c, n in need_terms(session).items() if n.tier not in URGENT_TIERS}


def feed_terms(session: Session) -> list[FeedTerm]:
    """Every feed term used by at least one service, the most used first."""
    keys = term_keys(session)
    if not keys:
        return []
    counted = (
        select(Attribute.taxonomy_term_id, func.count(func.distinct(Attribute.link_id)))
        .join(Service, Service.id == Attribute.link_id)
        .group_by(Attribute.taxonomy_term_id)
    )
    counts = {r[0]: r[1] for r in session.execute(counted)}
    names = {r[0]: r[1] for r in session.execute(select(TaxonomyTerm.id, TaxonomyTerm.name))}
    grouped: dict[TermKey, list[str]] = defaultdict(list)
    for term_id, key in keys.items():
        if counts.get(term_id):
            grouped[key].append(term_id)
    saved = {TermKey(r.vocabulary, r.term_code): r for r in session.scalars(select(NeedCrosswalk))}
    need_names = {code: n.name for code, n in offered_needs(session).items()}
    out = []
    for key, ids in grouped.items():
        name = names.get(ids[0]) or key.code
        row = saved.get(key)
        out.append(
            FeedTerm(
                key=key,
                name=name,
                services=sum(counts[i] for i in ids),
                needs=list(row.needs) if row is not None else None,
                set_by=row.set_by if row is not None else None,
                set_at=row.set_at if row is not None else None,
                suggestions=suggest_for_term(name, need_names),
            )
        )
    out.sort(key=lambda t: (-t.services, t.name.lower(), t.key.code))
    return out


def find_term(session: Session, vocabulary: str, code: str) -> FeedTerm | None:
    """One feed term by its key (None when no service uses it)."""
    wanted = TermKey(vocabulary, code)
    return next((t for t in feed_terms(session) if t.key == wanted), None)


def _plain(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


def starter_file() -> Path:
    return Path(str(resources.files("services_directory").joinpath(STARTER_FILE)))


@cache
def _starter(path: str) -> dict[str, list[str]]:
    data = yaml.safe_load(Path(path).read_text("utf-8")) or {}
    out: dict[str, list[str]] = {}
    for entry in data.get("terms") or []:
        out[_plain(str(entry["name"]))] = [str(c) for c in entry.get("needs") or []]
    return out


def starter_mappings(path: str | None = None) -> dict[str, list[str]]:
    """The starter crosswalk: a term's name (plain lower case) -> need codes."""
    return _starter(str(path or starter_file()))


def load_starter(
    session: Session, *, set_by: str, now: dt.datetime | None = None, path: str | None = None
) -> list[FeedTerm]:
    """Map every feed term not mapped yet whose name the starter crosswalk knows; the terms
    mapped (the caller applies the crosswalk and commits)."""
    starter = starter_mappings(path)
    known = set(offered_needs(session))
    done = []
    for term in feed_terms(session):
        needs = starter.get(_plain(term.name))
        if term.mapped or needs is None:
            continue
        set_mapping(
            session,
            term.key,
            term.name,
            [c for c in needs if c in known],
            set_by=set_by,
            now=now,
        )
        done.append(term)
    return done
