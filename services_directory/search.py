"""Find services: need, free text, age, locality or postcode, ways to get in touch, open now,
language and cost, ranked, each with the plain-words reasons it matched.

A search index (tokens, postings, parsed schedules) is built once per database state and kept
in a small in-process cache keyed by the HSDS `metadata` change log, so a search costs a few
set operations rather than a pass over every row.
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
import threading
import weakref
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from services_directory import schedules, text, wording
from services_directory.errors import InvalidSearch
from services_directory.localities import load_localities, locality_for_postcode, outward_code
from services_directory.models import (
    Address,
    Attribute,
    ContactMode,
    CostOption,
    Language,
    MetadataEntry,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceLocality,
    ServiceProfile,
    TaxonomyTerm,
)

CONTACT_MODES = (
    "call",
    "text",
    "webchat",
    "email",
    "drop_in",
    "in_person_appointment",
    "online_appointment",
    "website",
)
MODE_ALIASES = {
    "online_chat": ("webchat",),
    "chat": ("webchat",),
    "phone": ("call",),
    "in_person": ("drop_in", "in_person_appointment"),
    "online": ("webchat", "online_appointment", "website", "email"),
}
REMOTE_MODES = frozenset({"call", "text", "webchat", "email", "online_appointment", "website"})
NO_FILTER_MODES = frozenset({"any", "skipped"})
SAFE_SCHEMES = ("tel:", "sms:", "https:", "mailto:")
TIER_PREFIX = "tier-"
URGENT_TIERS = frozenset({"crisis", "safeguarding"})
FIELD_WEIGHTS = {"name": 3.0, "term": 2.5, "summary": 2.0, "description": 1.0, "what": 0.5}
MAX_LIMIT = 50


@dataclass(frozen=True)
class ContactRoute:
    """One way to get in touch with a service."""

    mode: str
    label: str
    href: str | None
    value: str
    open_now: bool | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "label": self.label,
            "href": self.href,
            "value": self.value,
            "open_now": self.open_now,
        }


@dataclass(frozen=True)
class SearchResult:
    """A service that fits the search, with why it fits."""

    id: str
    slug: str
    name: str
    summary: str
    what_happens: str
    confidentiality: str
    how_to_contact: list[ContactRoute]
    open_now: bool | None
    hours: str
    ages: str
    url: str | None
    reasons: list[str]
    crisis: bool
    sample: bool
    score: float

    def to_message_dict(self) -> dict[str, Any]:
        """The shape of a service inside the chat API's `services` message."""
        return {
            "id": self.id,
            "slug": self.slug,
            "name": self.name,
            "summary": self.summary,
            "why": list(self.reasons),
            "how_to_contact": [r.to_dict() for r in self.how_to_contact],
            "open_now": self.open_now,
            "hours": self.hours,
            "ages": self.ages,
            "what_happens": self.what_happens,
            "confidentiality": self.confidentiality,
            "url": self.url,
            "sample": self.sample,
        }


@dataclass(frozen=True)
class _Route:
    mode: str
    label: str
    href: str | None
    value: str
    always: bool
    rules: tuple[schedules.Rule, ...] | None  # None: the service's hours

    def route(self, service_open: bool | None, now: dt.datetime) -> ContactRoute:
        if self.always:
            open_now: bool | None = True
        elif self.rules is not None:
            open_now = schedules.is_open(self.rules, now)
        else:
            open_now = service_open
        return ContactRoute(self.mode, self.label, self.href, self.value, open_now)


@dataclass
class _Entry:
    index: int
    id: str
    slug: str
    name: str
    summary: str
    what_happens: str
    confidentiality: str
    url: str | None
    who_for: str
    min_age: float | None
    max_age: float | None
    ages: str
    national: bool
    localities: frozenset[str]
    languages: frozenset[str]
    free: bool
    crisis: bool
    crisis_order: int | None
    sample: bool
    anonymous: bool | None
    open_24_7: bool
    closed_on_bank_holidays: bool
    rules: tuple[schedules.Rule, ...]
    hours: str
    routes: tuple[_Route, ...]
    modes: frozenset[str] = field(default_factory=frozenset)

    def route_open(self, now: dt.datetime) -> bool:
        """Whether a way of getting in touch with hours of its own is open (websites aside)."""
        for route in self.routes:
            if route.mode == "website":
                continue
            if route.always:
                return True
            if route.rules is not None and schedules.is_open(route.rules, now):
                return True
        return False

    def open_now(self, now: dt.datetime) -> bool | None:
        return schedules.is_open(
            self.rules,
            now,
            open_24_7=self.open_24_7,
            closed_on_bank_holidays=self.closed_on_bank_holidays,
        )


@dataclass
class SearchIndex:
    """Everything a search needs, precomputed from one state of the database."""

    entries: list[_Entry]
    by_need: dict[str, dict[int, int]]
    need_sizes: dict[str, int]
    need_tier: dict[str, str]
    need_name: dict[str, str]
    postings: dict[str, dict[int, float]]
    vocabulary: text.Vocabulary
    by_locality: dict[str, set[int]]
    national: set[int]
    everything: frozenset[int] = frozenset()
    # Open or not, per service, for the London minute it was worked out in.
    _open_cache: dict[int, tuple[int, bool | None, bool]] = field(default_factory=dict)

    def open_state(
        self, entry: _Entry, moment: dt.datetime, minute: int
    ) -> tuple[bool | None, bool]:
        """(service open now, open now by any way of getting in touch), once per minute."""
        cached = self._open_cache.get(entry.index)
        if cached is not None and cached[0] == minute:
            return cached[1], cached[2]
        service_open = entry.open_now(moment)
        any_open = service_open is True or entry.route_open(moment)
        self._open_cache[entry.index] = (minute, service_open, any_open)
        return service_open, any_open

    def known_needs(self) -> list[str]:
        return sorted(self.by_need)


# --- the cache -------------------------------------------------------------------------------

_CACHE: weakref.WeakKeyDictionary[Engine, OrderedDict[tuple[Any, ...], SearchIndex]] = (
    weakref.WeakKeyDictionary()
)
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 4


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def change_key(session: Session) -> tuple[Any, ...]:
    """The state of the directory as told by its change log (and its number of services)."""
    # One round trip; each scalar subquery can use its own index.
    count = select(func.count()).select_from(MetadataEntry).scalar_subquery()
    latest = select(func.max(MetadataEntry.created_at)).scalar_subquery()
    services = select(func.count()).select_from(Service).scalar_subquery()
    row = session.execute(select(count, latest, services)).one()
    return (row[0], str(row[1]), row[2])


def get_index(session: Session) -> SearchIndex:
    """The search index for the current state of the database (built on first use, then cached)."""
    engine = _engine_of(session)
    key = change_key(session)
    with _CACHE_LOCK:
        per_engine = _CACHE.setdefault(engine, OrderedDict())
        index = per_engine.get(key)
        if index is not None:
            per_engine.move_to_end(key)
            return index
    index = build_index(session)
    with _CACHE_LOCK:
        per_engine[key] = index
        while len(per_engine) > _CACHE_SIZE:
            per_engine.popitem(last=False)
    return index


def clear_search_cache() -> None:
    """Forget every cached index (after writing to the database outside the directory's API)."""
    with _CACHE_LOCK:
        _CACHE.clear()


# --- building the index ----------------------------------------------------------------------


def safe_href(href: str | None) -> str | None:
    if not href:
        return None
    return href if href.lower().startswith(SAFE_SCHEMES) else None


def _first_sentence(description: str | None, limit: int = 120) -> str:
    if not description:
        return ""
    sentence = re.split(r"(?<=[.!?])\s", description.strip(), maxsplit=1)[0]
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def _grouped(rows: Iterable[Any], key: str) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        out[row[key]].append(row)
    return out


def build_index(session: Session) -> SearchIndex:
    """Read the directory and precompute what search needs."""
    services = [
        dict(r)
        for r in session.execute(
            select(Service.__table__).where(Service.status == "active").order_by(Service.name)
        ).mappings()
    ]
    profiles = {
        r["service_id"]: r for r in session.execute(select(ServiceProfile.__table__)).mappings()
    }
    modes = _grouped(
        session.execute(
            select(ContactMode.__table__).order_by(ContactMode.service_id, ContactMode.position)
        ).mappings(),
        "service_id",
    )
    locs = _grouped(session.execute(select(ServiceLocality.__table__)).mappings(), "service_id")
    scheds = _grouped(
        session.execute(
            select(Schedule.__table__).where(Schedule.service_id.is_not(None))
        ).mappings(),
        "service_id",
    )
    langs = _grouped(
        session.execute(
            select(Language.service_id, Language.name, Language.code).where(
                Language.service_id.is_not(None)
            )
        ).mappings(),
        "service_id",
    )
    phones = _grouped(
        session.execute(
            select(Phone.service_id, Phone.number, Phone.type).where(Phone.service_id.is_not(None))
        ).mappings(),
        "service_id",
    )
    costs = _grouped(
        session.execute(select(CostOption.service_id, CostOption.amount)).mappings(), "service_id"
    )
    postcodes = _grouped(
        session.execute(
            select(ServiceAtLocation.service_id, Address.postal_code).join(
                Address, Address.location_id == ServiceAtLocation.location_id
            )
        ).mappings(),
        "service_id",
    )
    terms = {r["id"]: r for r in session.execute(select(TaxonomyTerm.__table__)).mappings()}
    links = _grouped(
        session.execute(
            select(Attribute.link_id, Attribute.taxonomy_term_id, Attribute.value)
        ).mappings(),
        "link_id",
    )
    localities = load_localities()
    language_names = {v["name"].lower(): k for k, v in wording.languages().items()} | {
        v["code"].lower(): k for k, v in wording.languages().items()
    }

    need_tier: dict[str, str] = {}
    need_name: dict[str, str] = {}
    for term in terms.values():
        parent = terms.get(term["parent_id"] or "")
        if term["code"] and parent is not None and (parent["code"] or "").startswith(TIER_PREFIX):
            need_tier[term["code"]] = parent["code"][len(TIER_PREFIX) :]
            need_name[term["code"]] = term["name"]

    entries: list[_Entry] = []
    by_need: dict[str, dict[int, int]] = defaultdict(dict)
    field_texts: list[dict[str, str]] = []
    for index, svc in enumerate(services):
        sid = svc["id"]
        profile = profiles.get(sid)
        service_localities = {r["locality"] for r in locs.get(sid, ())}
        if profile is None:
            for row in postcodes.get(sid, ()):
                found = locality_for_postcode(row["postal_code"] or "", localities)
                if found:
                    service_localities.add(found)
        national = (
            (profile["area"] == "national") if profile is not None else not service_localities
        )
        rules = schedules.rules_from(scheds.get(sid, ()))
        open_24_7 = bool(profile and profile["open_24_7"])
        closed_bh = bool(profile and profile["closed_on_bank_holidays"])
        routes = _routes(svc, modes.get(sid, ()), phones.get(sid, ()))
        language_ids = set()
        for row in langs.get(sid, ()):
            for value in (row["name"], row["code"]):
                if value and value.lower() in language_names:
                    language_ids.add(language_names[value.lower()])
        if profile is not None and profile["cost"]:
            free = profile["cost"] == "free"
        else:
            amounts = [r["amount"] for r in costs.get(sid, ())]
            free = bool(amounts) and all(not a for a in amounts)
        term_names = []
        for link in links.get(sid, ()):
            found_term = terms.get(link["taxonomy_term_id"])
            if found_term is None:
                continue
            term = found_term
            term_names.append(term["name"] or "")
            if term["code"] in need_tier:
                rank = int(link["value"]) if (link["value"] or "").isdigit() else 999
                by_need[term["code"]][index] = rank
        summary = (profile["summary"] if profile else None) or _first_sentence(svc["description"])
        entry = _Entry(
            index=index,
            id=sid,
            slug=(profile["slug"] if profile else None) or sid,
            name=svc["name"],
            summary=summary,
            what_happens=(profile["what_happens"] if profile else None)
            or svc["application_process"]
            or "",
            confidentiality=(profile["confidentiality_summary"] if profile else None) or "",
            url=svc["url"],
            who_for=svc["eligibility_description"] or "",
            min_age=svc["minimum_age"],
            max_age=svc["maximum_age"],
            ages=wording.ages_text(svc["minimum_age"], svc["maximum_age"]),
            national=national,
            localities=frozenset(service_localities),
            languages=frozenset(language_ids),
            free=free,
            crisis=bool(profile and profile["crisis"]),
            crisis_order=profile["crisis_order"] if profile else None,
            sample=bool(profile and profile["sample"]),
            anonymous=profile["anonymous"] if profile else None,
            open_24_7=open_24_7,
            closed_on_bank_holidays=closed_bh,
            rules=rules,
            hours=schedules.describe(rules, open_24_7=open_24_7, closed_on_bank_holidays=closed_bh),
            routes=routes,
            modes=frozenset(r.mode for r in routes),
        )
        entries.append(entry)
        field_texts.append(
            {
                "name": svc["name"] or "",
                "term": " ".join(term_names),
                "summary": summary,
                "description": svc["description"] or "",
                "what": entry.what_happens,
            }
        )

    postings: dict[str, dict[int, float]] = defaultdict(dict)
    for name, weight in FIELD_WEIGHTS.items():
        docs = text.surface_and_lemmas_many([f[name] for f in field_texts])
        for index, words in enumerate(docs):
            for word in set(words):
                if postings[word].get(index, 0.0) < weight:
                    postings[word][index] = weight

    by_locality: dict[str, set[int]] = defaultdict(set)
    national_set: set[int] = set()
    for entry in entries:
        if entry.national:
            national_set.add(entry.index)
        for loc in entry.localities:
            by_locality[loc].add(entry.index)
    need_sizes = {code: len(v) for code, v in by_need.items()}
    for code in need_tier:
        by_need.setdefault(code, {})
    return SearchIndex(
        entries=entries,
        by_need=dict(by_need),
        need_sizes=need_sizes,
        need_tier=need_tier,
        need_name=need_name,
        postings=dict(postings),
        vocabulary=text.Vocabulary(postings),
        by_locality=dict(by_locality),
        national=national_set,
        everything=frozenset(range(len(entries))),
    )


def _routes(svc: dict[str, Any], modes: Sequence[Any], phones: Sequence[Any]) -> tuple[_Route, ...]:
    routes: list[_Route] = []
    for row in modes:
        value = row["value"] or ""
        label = row["label"] or wording.default_label(row["mode"], value, row["body"])
        hours = row["hours"]
        rules = schedules.rules_from(hours) if isinstance(hours, list) else None
        routes.append(
            _Route(row["mode"], label, safe_href(row["href"]), value, bool(row["always"]), rules)
        )
    if routes:
        return tuple(routes)
    # A service from an imported feed: its phones, email and website.
    for phone in phones:
        number = phone["number"] or ""
        digits = re.sub(r"[^\d+]", "", number)
        mode = "text" if (phone["type"] or "").lower() in {"text", "sms"} else "call"
        href = f"{'sms' if mode == 'text' else 'tel'}:{digits}" if digits else None
        routes.append(_Route(mode, wording.default_label(mode, number), href, number, False, None))
    if svc.get("email"):
        routes.append(
            _Route(
                "email",
                wording.default_label("email", svc["email"]),
                f"mailto:{svc['email']}",
                svc["email"],
                False,
                None,
            )
        )
    if svc.get("url"):
        routes.append(
            _Route(
                "website",
                wording.default_label("website", svc["url"]),
                safe_href(svc["url"]),
                svc["url"],
                False,
                None,
            )
        )
    return tuple(routes)


# --- searching -------------------------------------------------------------------------------


def _check_arguments(
    index: SearchIndex,
    need: str | None,
    age: Any,
    locality: str | None,
    postcode: str | None,
    contact_modes: Sequence[str] | None,
    language: str | None,
    limit: Any,
    offset: Any,
) -> tuple[str | None, set[str] | None, bool]:
    """Validate; return (locality id or None, wanted modes or None, outside_borough)."""
    if need is not None and need not in index.need_tier:
        known = ", ".join(sorted(index.need_tier)) or "none loaded"
        raise InvalidSearch(f"unknown need {need!r}; known needs: {known}")
    if age is not None and (
        isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 120
    ):
        raise InvalidSearch(f"age must be a whole number from 0 to 120, not {age!r}")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidSearch(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {limit!r}")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise InvalidSearch(f"offset must be a whole number of 0 or more, not {offset!r}")
    localities = load_localities()
    wanted_locality: str | None = None
    outside = False
    if locality is not None and locality not in NO_FILTER_MODES and locality != "online":
        if locality not in localities:
            known = ", ".join(sorted(localities))
            raise InvalidSearch(f"unknown locality {locality!r}; known localities: {known}, online")
        wanted_locality = locality
    if postcode is not None and postcode not in NO_FILTER_MODES:
        if outward_code(postcode) is None:
            raise InvalidSearch(f"{postcode!r} is not a UK postcode or postcode district")
        from_postcode = locality_for_postcode(postcode, localities)
        if wanted_locality is not None and from_postcode not in (None, wanted_locality):
            raise InvalidSearch(
                f"postcode {postcode!r} is in {from_postcode}, not in {wanted_locality}"
            )
        if wanted_locality is None:
            wanted_locality = from_postcode
            outside = from_postcode is None
    wanted_modes: set[str] | None = None
    if contact_modes:
        if isinstance(contact_modes, str):
            contact_modes = [contact_modes]
        wanted_modes = set()
        for mode in contact_modes:
            if mode in NO_FILTER_MODES:
                return wanted_locality, None, outside
            if mode in CONTACT_MODES:
                wanted_modes.add(mode)
            elif mode in MODE_ALIASES:
                wanted_modes.update(MODE_ALIASES[mode])
            else:
                raise InvalidSearch(
                    f"unknown contact mode {mode!r}; known modes: {', '.join(CONTACT_MODES)}"
                )
    if language is not None and language not in wording.languages():
        raise InvalidSearch(
            f"unknown language {language!r}; known languages: {', '.join(wording.languages())}"
        )
    return wanted_locality, wanted_modes, outside


def text_scores(index: SearchIndex, query: str, candidates: set[int]) -> dict[int, float]:
    words = text.surface_and_lemmas(query)
    if not words:
        return {}
    synonyms = wording.synonyms()
    groups: list[dict[str, float]] = []
    raw = re.findall(r"[a-z][a-z'\-]*", query.lower())
    for word in dict.fromkeys(words + [w for w in raw if w in synonyms]):
        matches = index.vocabulary.matches(word)
        for synonym in synonyms.get(word, ()):
            for lemma in text.tokens(synonym) or [synonym]:
                for found, score in index.vocabulary.matches(lemma).items():
                    matches[found] = max(matches.get(found, 0.0), 0.9 * score)
        if matches:
            groups.append(matches)
    scores: dict[int, float] = defaultdict(float)
    for matches in groups:
        best: dict[int, float] = {}
        for word, similarity in matches.items():
            for doc, weight in index.postings.get(word, {}).items():
                if doc in candidates:
                    value = similarity * weight
                    if value > best.get(doc, 0.0):
                        best[doc] = value
        for doc, value in best.items():
            scores[doc] += value / max(FIELD_WEIGHTS.values())
    n = max(len(groups), 1)
    return {doc: value / n for doc, value in scores.items()}


def search(
    session: Session,
    need: str | None = None,
    text: str | None = None,
    age: int | None = None,
    locality: str | None = None,
    postcode: str | None = None,
    contact_modes: Sequence[str] | None = None,
    open_now: bool = False,
    language: str | None = None,
    free_only: bool = False,
    limit: int = 3,
    offset: int = 0,
    now: dt.datetime | None = None,
    national_only: bool = False,
    remote_only: bool = False,
) -> list[SearchResult]:
    """Services that fit, best first, each with the plain-words reasons it matched.

    `national_only` leaves out local services (someone outside the borough); `remote_only` keeps
    services reachable without going anywhere (phone, text, chat, online).

    Raises InvalidSearch for an unknown need, locality, contact mode or language, an age outside
    0-120, a limit outside 1-50 or a negative offset.
    """
    index = get_index(session)
    wanted_locality, wanted_modes, outside = _check_arguments(
        index, need, age, locality, postcode, contact_modes, language, limit, offset
    )
    moment = schedules.london_now(now)
    candidates = set(index.by_need.get(need, {}) if need is not None else index.everything)
    if wanted_locality is not None:
        candidates &= index.by_locality.get(wanted_locality, set()) | index.national
    elif outside or national_only:
        candidates &= index.national
    entries = index.entries
    if locality == "online" or remote_only:
        candidates = {i for i in candidates if entries[i].modes & REMOTE_MODES}
    if age is not None:
        candidates = {i for i in candidates if _fits(entries[i].min_age, entries[i].max_age, age)}
    if wanted_modes:
        candidates = {i for i in candidates if entries[i].modes & wanted_modes}
    if language is not None and language != "english":
        candidates = {i for i in candidates if language in entries[i].languages}
    if free_only:
        candidates = {i for i in candidates if entries[i].free}
    matched: dict[int, float] = {}
    if text and text.strip():
        matched = text_scores(index, text, candidates)
        if need is None:
            candidates &= set(matched)

    ranked: list[tuple[tuple[Any, ...], _Entry, float, bool | None]] = []
    minute = int(moment.timestamp()) // 60
    urgent = need is not None and index.need_tier.get(need) in URGENT_TIERS
    need_ranks = index.by_need.get(need, {}) if need else {}
    need_size = max(index.need_sizes.get(need, 1), 1) if need else 1
    for i in candidates:
        entry = entries[i]
        service_open, any_open = index.open_state(entry, moment, minute)
        if open_now and not any_open:
            continue
        score = 0.0
        if need is not None:
            rank = need_ranks.get(i, need_size)
            score += 1.0 + 0.5 * max(0.0, 1.0 - rank / need_size)
        score += 2.0 * matched.get(i, 0.0)
        if wanted_locality is not None and wanted_locality in entry.localities:
            score += 0.3
        if any_open:
            score += 0.2
        if wanted_modes and entry.modes & wanted_modes:
            score += 0.1
        if language is not None and language != "english" and language in entry.languages:
            score += 0.2
        if urgent:
            key: tuple[Any, ...] = (
                0 if entry.crisis else 1,
                entry.crisis_order if entry.crisis_order is not None else 999,
                -score,
                entry.name,
            )
        else:
            key = (-score, entry.name)
        ranked.append((key, entry, score, service_open))
    ranked = heapq.nsmallest(offset + limit, ranked, key=lambda item: item[0])
    results: list[SearchResult] = []
    for _key, entry, score, service_open in ranked[offset : offset + limit]:
        routes = [r.route(service_open, moment) for r in entry.routes]
        results.append(
            SearchResult(
                id=entry.id,
                slug=entry.slug,
                name=entry.name,
                summary=entry.summary,
                what_happens=entry.what_happens,
                confidentiality=entry.confidentiality,
                how_to_contact=routes,
                open_now=service_open,
                hours=entry.hours,
                ages=entry.ages,
                url=entry.url,
                reasons=_reasons(
                    index,
                    entry,
                    need,
                    wanted_locality,
                    age,
                    wanted_modes,
                    language,
                    free_only,
                    bool(matched.get(entry.index)),
                    service_open,
                    routes,
                ),
                crisis=entry.crisis,
                sample=entry.sample,
                score=round(score, 4),
            )
        )
    return results


def _fits(low: float | None, high: float | None, age: int) -> bool:
    return (low is None or low <= age) and (high is None or age <= high)


def _reasons(
    index: SearchIndex,
    entry: _Entry,
    need: str | None,
    locality: str | None,
    age: int | None,
    modes: set[str] | None,
    language: str | None,
    free_only: bool,
    text_matched: bool,
    service_open: bool | None,
    routes: list[ContactRoute],
) -> list[str]:
    reasons: list[str] = []
    if need is not None and need in index.need_name:
        reasons.append(wording.reason("need", need=index.need_name[need].lower()))
    if locality is not None and locality in entry.localities:
        reasons.append(wording.reason("near_you", locality=load_localities()[locality].name))
    if entry.open_24_7:
        reasons.append(wording.reason("open_24_7"))
    elif service_open or any(r.open_now for r in routes if r.mode != "website"):
        reasons.append(wording.reason("open_now"))
    if age is not None:
        ages = wording.ages_reason(entry.min_age, entry.max_age)
        if ages:
            reasons.append(ages)
    for mode in CONTACT_MODES:
        if modes and mode in modes and mode in entry.modes:
            reasons.append(wording.mode_reason(mode))
    if language is not None and language != "english" and language in entry.languages:
        reasons.append(wording.reason("language", language=wording.languages()[language]["name"]))
    if free_only and entry.free:
        reasons.append(wording.reason("free"))
    if text_matched:
        reasons.append(wording.reason("text"))
    return reasons


def needs(session: Session) -> dict[str, str]:
    """The needs the directory knows (taxonomy term code -> tier)."""
    return dict(get_index(session).need_tier)
