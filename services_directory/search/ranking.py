"""Searching the index: check the arguments, filter the candidates, score and rank them, and
say in plain words why each fits. Arguments are the directory's own (need codes, locality ids,
postcodes, its contact modes): the chat's answers are translated before they get here."""

from __future__ import annotations

import datetime as dt
import heapq
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from services_directory import schedules, text, wording
from services_directory.errors import InvalidSearch
from services_directory.localities import Locality, locality_for_postcode, outward_code
from services_directory.search.cache import get_index
from services_directory.search.index import FIELD_WEIGHTS, SearchIndex, _Entry, build_entry
from services_directory.search.types import (
    CONTACT_MODES,
    OLDEST_AGE,
    REMOTE_MODES,
    YOUNGEST_AGE,
    ContactRoute,
    SearchResult,
)

URGENT_TIERS = frozenset({"crisis", "safeguarding"})
MAX_LIMIT = 50


@dataclass(frozen=True)
class Query:
    """A checked search: what to filter on and how to rank."""

    need: str | None
    text: str | None
    age: int | None
    locality: str | None  # a locality id, from the argument or the postcode
    outside: bool  # a postcode outside the borough: national services only
    modes: frozenset[str] | None
    open_now: bool
    language: str | None
    free_only: bool
    limit: int
    offset: int
    national_only: bool
    remote_only: bool
    moment: dt.datetime


def _whole(value: Any, low: int, high: int | None = None) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and low <= value
        and (high is None or value <= high)
    )


def _place(
    localities: dict[str, Locality], locality: str | None, postcode: str | None
) -> tuple[str | None, bool]:
    """(the locality id to search in, whether the postcode is outside the borough)."""
    wanted: str | None = None
    if locality is not None:
        if locality not in localities:
            known = ", ".join(sorted(localities))
            raise InvalidSearch(
                f"unknown locality {locality!r}; known localities: {known}", "locality"
            )
        wanted = locality
    if postcode is None:
        return wanted, False
    if outward_code(postcode) is None:
        raise InvalidSearch(f"{postcode!r} is not a UK postcode or postcode district", "postcode")
    from_postcode = locality_for_postcode(postcode, localities)
    if wanted is not None and from_postcode not in (None, wanted):
        raise InvalidSearch(
            f"postcode {postcode!r} is in {from_postcode}, not in {wanted}", "postcode"
        )
    if wanted is None:
        return from_postcode, from_postcode is None
    return wanted, False


def _modes(contact_modes: Sequence[str] | str | None) -> frozenset[str] | None:
    if not contact_modes:
        return None
    if isinstance(contact_modes, str):
        contact_modes = [contact_modes]
    unknown = [m for m in contact_modes if m not in CONTACT_MODES]
    if unknown:
        raise InvalidSearch(
            f"unknown contact mode {unknown[0]!r}; known modes: {', '.join(CONTACT_MODES)}",
            "contact_modes",
        )
    return frozenset(contact_modes)


def check_query(index: SearchIndex, now: dt.datetime | None, **arguments: Any) -> Query:
    """The search arguments checked, or InvalidSearch saying which one is wrong and why."""
    need, age = arguments["need"], arguments["age"]
    limit, offset, language = arguments["limit"], arguments["offset"], arguments["language"]
    if need is not None and need not in index.need_tier:
        known = ", ".join(sorted(index.need_tier)) or "none loaded"
        raise InvalidSearch(f"unknown need {need!r}; known needs: {known}", "need")
    if age is not None and not _whole(age, YOUNGEST_AGE, OLDEST_AGE):
        raise InvalidSearch(
            f"age must be a whole number from {YOUNGEST_AGE} to {OLDEST_AGE}, not {age!r}", "age"
        )
    if not _whole(limit, 1, MAX_LIMIT):
        raise InvalidSearch(
            f"limit must be a whole number from 1 to {MAX_LIMIT}, not {limit!r}", "limit"
        )
    if not _whole(offset, 0):
        raise InvalidSearch(f"offset must be a whole number of 0 or more, not {offset!r}", "offset")
    if language is not None and language not in wording.languages():
        raise InvalidSearch(
            f"unknown language {language!r}; known languages: {', '.join(wording.languages())}",
            "language",
        )
    locality, outside = _place(index.localities, arguments["locality"], arguments["postcode"])
    return Query(
        need=need,
        text=arguments["text"],
        age=age,
        locality=locality,
        outside=outside,
        modes=_modes(arguments["contact_modes"]),
        open_now=bool(arguments["open_now"]),
        language=language,
        free_only=bool(arguments["free_only"]),
        limit=limit,
        offset=offset,
        national_only=bool(arguments["national_only"]),
        remote_only=bool(arguments["remote_only"]),
        moment=schedules.london_now(now),
    )


def _candidates(index: SearchIndex, q: Query) -> set[int]:
    """The entries that pass every filter of the query."""
    entries = index.entries
    candidates = set(index.by_need.get(q.need, {}) if q.need is not None else index.everything)
    if q.locality is not None:
        candidates &= index.by_locality.get(q.locality, set()) | index.national
    elif q.outside or q.national_only:
        candidates &= index.national
    age, modes, language = q.age, q.modes, q.language
    checks: list[Callable[[_Entry], bool]] = []
    if q.remote_only:
        checks.append(lambda e: bool(e.modes & REMOTE_MODES))
    if age is not None:
        checks.append(lambda e: _fits(e.min_age, e.max_age, age))
    if modes:
        checks.append(lambda e: bool(e.modes & modes))
    if language is not None and language != "english":
        checks.append(lambda e: language in e.languages)
    if q.free_only:
        checks.append(lambda e: e.free)
    return {i for i in candidates if all(check(entries[i]) for check in checks)}


def _sort_key(index: SearchIndex, q: Query, entry: _Entry, score: float) -> tuple[Any, ...]:
    """Best first: for a crisis or safeguarding need the crisis lines in their order lead."""
    if q.need is not None and index.need_tier.get(q.need) in URGENT_TIERS:
        order = entry.crisis_order if entry.crisis_order is not None else 999
        return (0 if entry.crisis else 1, order, -score, entry.name)
    return (-score, entry.name)


def _score(index: SearchIndex, q: Query, entry: _Entry, matched: float, any_open: bool) -> float:
    score = 0.0
    if q.need is not None:
        size = max(index.need_sizes.get(q.need, 1), 1)
        rank = index.by_need.get(q.need, {}).get(entry.index, size)
        score += 1.0 + 0.5 * max(0.0, 1.0 - rank / size)
    score += 2.0 * matched
    if q.locality is not None and q.locality in entry.localities:
        score += 0.3
    if any_open:
        score += 0.2
    if q.modes and entry.modes & q.modes:
        score += 0.1
    if q.language is not None and q.language != "english" and q.language in entry.languages:
        score += 0.2
    return score


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
    q = check_query(
        index,
        now,
        need=need,
        text=text,
        age=age,
        locality=locality,
        postcode=postcode,
        contact_modes=contact_modes,
        open_now=open_now,
        language=language,
        free_only=free_only,
        limit=limit,
        offset=offset,
        national_only=national_only,
        remote_only=remote_only,
    )
    candidates = _candidates(index, q)
    matched: dict[int, float] = {}
    if q.text and q.text.strip():
        matched = text_scores(index, q.text, candidates)
        if q.need is None:
            candidates &= set(matched)
    minute = int(q.moment.timestamp()) // 60
    ranked = []
    for i in candidates:
        entry = index.entries[i]
        service_open, any_open = index.open_state(entry, q.moment, minute)
        if q.open_now and not any_open:
            continue
        score = _score(index, q, entry, matched.get(i, 0.0), any_open)
        ranked.append((_sort_key(index, q, entry, score), entry, score, service_open))
    best = heapq.nsmallest(q.offset + q.limit + 1, ranked, key=lambda item: item[0])
    best = _with_a_local_one(index, q, best, ranked)
    return [
        _result(index, q, entry, score, service_open, bool(matched.get(entry.index)))
        for _key, entry, score, service_open in best[q.offset : q.offset + q.limit]
    ]


def _with_a_local_one(
    index: SearchIndex, q: Query, best: list[Any], ranked: list[Any]
) -> list[Any]:
    """When the young person said where they are, the first cards include the best service near
    them (young people told the borough that trusted people and places near them matter, and
    online-only help can be a barrier): it takes the last of the first `limit` places if none of
    them is local. The order is the same for every page, so "show more" loses nothing. Crisis
    and safeguarding needs keep the crisis lines' order."""
    if q.locality is None or q.limit < 2 or index.need_tier.get(q.need or "") in URGENT_TIERS:
        return best

    def local(item: Any) -> bool:
        return q.locality in item[1].localities

    if any(local(item) for item in best[: q.limit]):
        return best
    near = [item for item in ranked if local(item)]
    if not near:
        return best
    first = min(near, key=lambda item: item[0])
    rest = [item for item in best if item is not first]
    return [*rest[: q.limit - 1], first, *rest[q.limit - 1 :]]


def _result(
    index: SearchIndex | None,
    q: Query,
    entry: _Entry,
    score: float,
    service_open: bool | None,
    text_matched: bool,
) -> SearchResult:
    closed = entry.closed_by_notice(q.moment)
    routes = [r.route(service_open, q.moment, closed_by_notice=closed) for r in entry.routes]
    return SearchResult(
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
        reasons=_reasons(index, q, entry, text_matched, service_open, routes),
        crisis=entry.crisis,
        sample=entry.sample,
        score=round(score, 4),
        last_checked=entry.last_checked,
        who_answers=entry.who_answers,
        referral=entry.referral,
        who_is_told=entry.who_is_told,
        notice=entry.notice_on(q.moment),
    )


def service_card(
    session: Session, service_id: str, now: dt.datetime | None = None
) -> SearchResult | None:
    """One service's card as the chat shows it (None: no such service), read on its own and
    whatever its status, for the staff preview. The reasons are those that hold whatever was
    asked (open now, open 24 hours): the others depend on the young person's answers."""
    entry = build_entry(session, service_id)
    if entry is None:
        return None
    q = Query(
        need=None,
        text=None,
        age=None,
        locality=None,
        outside=False,
        modes=None,
        open_now=False,
        language=None,
        free_only=False,
        limit=1,
        offset=0,
        national_only=False,
        remote_only=False,
        moment=schedules.london_now(now),
    )
    return _result(None, q, entry, 0.0, entry.open_now(q.moment), False)


def _fits(low: float | None, high: float | None, age: int) -> bool:
    return (low is None or low <= age) and (high is None or age <= high)


def text_scores(index: SearchIndex, query: str, candidates: set[int]) -> dict[int, float]:
    """How well each candidate matches the free text: per query word (or its synonyms), the best
    field weight found, averaged over the words (0-1)."""
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


def _reasons(
    index: SearchIndex | None,
    q: Query,
    entry: _Entry,
    text_matched: bool,
    service_open: bool | None,
    routes: list[ContactRoute],
) -> list[str]:
    """Why this service fits, in plain words."""
    reasons: list[str] = []
    if index is not None and q.need is not None and q.need in index.need_name:
        reasons.append(wording.reason("need", need=index.need_name[q.need].lower()))
    places = index.localities if index is not None else {}
    if q.locality is not None and q.locality in entry.localities and q.locality in places:
        reasons.append(wording.reason("near_you", locality=places[q.locality].name))
    if entry.open_24_7:
        reasons.append(wording.reason("open_24_7"))
    elif service_open or any(r.open_now for r in routes if r.mode != "website"):
        reasons.append(wording.reason("open_now"))
    if q.age is not None:
        ages = wording.ages_reason(entry.min_age, entry.max_age)
        if ages:
            reasons.append(ages)
    for mode in CONTACT_MODES:
        if q.modes and mode in q.modes and mode in entry.modes:
            reasons.append(wording.mode_reason(mode))
    if q.language is not None and q.language != "english" and q.language in entry.languages:
        reasons.append(wording.reason("language", language=wording.languages()[q.language]["name"]))
    if q.free_only and entry.free:
        reasons.append(wording.reason("free"))
    if text_matched:
        reasons.append(wording.reason("text"))
    return reasons


def needs(session: Session) -> dict[str, str]:
    """The needs the directory knows (taxonomy term code -> tier)."""
    return dict(get_index(session).need_tier)
