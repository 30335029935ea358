"""The search index: every active service with what a search needs, precomputed from one state
of the database (`build_index`), and the entries' ways of getting in touch."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from services_directory import freshness, schedules, text, wording
from services_directory.localities import Locality, load_localities, locality_for_postcode
from services_directory.search.rows import Rows, need_terms, read_rows
from services_directory.search.types import ContactRoute, safe_href

FIELD_WEIGHTS = {"name": 3.0, "term": 2.5, "summary": 2.0, "description": 1.0, "what": 0.5}


@dataclass(frozen=True)
class _Route:
    mode: str
    label: str
    href: str | None
    value: str
    always: bool
    rules: tuple[schedules.Rule, ...] | None  # None: the service's hours

    def route(
        self, service_open: bool | None, now: dt.datetime, *, closed_by_notice: bool = False
    ) -> ContactRoute:
        if closed_by_notice:
            open_now: bool | None = False
        elif self.always:
            open_now = True
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
    last_checked: dt.date | None = None
    who_answers: str = ""
    borough_wide: bool = False  # anywhere in the borough, with no place of its own
    referral: str | None = None  # "self" | "referral" | "either"
    who_is_told: str = ""
    # A notice for the card until the end of `notice_until` (London date); `notice_closed`: the
    # service is closed meanwhile.
    notice: str = ""
    notice_until: dt.date | None = None
    notice_closed: bool = False

    def notice_on(self, now: dt.datetime) -> str:
        """The notice, while it lasts ("" after its last day)."""
        if not self.notice or self.notice_until is None:
            return ""
        return self.notice if schedules.london_now(now).date() <= self.notice_until else ""

    def closed_by_notice(self, now: dt.datetime) -> bool:
        return self.notice_closed and bool(self.notice_on(now))

    def route_open(self, now: dt.datetime) -> bool:
        """Whether a way of getting in touch with hours of its own is open (websites aside)."""
        if self.closed_by_notice(now):
            return False
        for route in self.routes:
            if route.mode == "website":
                continue
            if route.always:
                return True
            if route.rules is not None and schedules.is_open(route.rules, now):
                return True
        return False

    def open_now(self, now: dt.datetime) -> bool | None:
        if self.closed_by_notice(now):
            return False
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
    # The borough's localities the entries were read against (a search checks places with them).
    localities: dict[str, Locality] = field(default_factory=dict)
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

# --- one entry ----------------------------------------------------------------------------------


def _first_sentence(description: str | None, limit: int = 120) -> str:
    if not description:
        return ""
    sentence = re.split(r"(?<=[.!?])\s", description.strip(), maxsplit=1)[0]
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class _Context:
    """What every entry is read against: the rows, the needs, localities and languages."""

    rows: Rows
    need_tier: dict[str, str]
    localities: dict[str, Locality]
    language_names: dict[str, str]


def _free(profile: Any, costs: Sequence[Any]) -> bool:
    if profile is not None and profile["cost"]:
        return bool(profile["cost"] == "free")
    amounts = [r["amount"] for r in costs]
    return bool(amounts) and all(not a for a in amounts)


def _entry(
    index: int, svc: dict[str, Any], ctx: _Context
) -> tuple[_Entry, dict[str, str], dict[str, int]]:
    """One service as an index entry, its searchable texts by field, and its need ranks."""
    sid = svc["id"]
    rows = ctx.rows
    profile = rows.profiles.get(sid)
    service_localities = {r["locality"] for r in rows.localities.get(sid, ())}
    if profile is None:
        for row in rows.postcodes.get(sid, ()):
            found = locality_for_postcode(row["postal_code"] or "", ctx.localities)
            if found:
                service_localities.add(found)
    # A service with no profile and no place is national, unless a council's feed brought it:
    # then it is the borough's, offered anywhere in it (never to someone outside it).
    borough_wide = profile is None and not service_localities and sid in rows.from_feeds
    national = (
        (profile["area"] == "national") if profile is not None else not service_localities
    ) and not borough_wide
    rules = schedules.rules_from(rows.schedules.get(sid, ()))
    open_24_7 = bool(profile and profile["open_24_7"])
    closed_bh = bool(profile and profile["closed_on_bank_holidays"])
    routes = _routes(svc, rows.modes.get(sid, ()), rows.phones.get(sid, ()))
    language_ids = {
        ctx.language_names[value.lower()]
        for row in rows.languages.get(sid, ())
        for value in (row["name"], row["code"])
        if value and value.lower() in ctx.language_names
    }
    term_names = []
    need_ranks: dict[str, int] = {}
    for link in rows.links.get(sid, ()):
        term = rows.terms.get(link["taxonomy_term_id"])
        if term is None:
            continue
        term_names.append(term["name"] or "")
        if term["code"] in ctx.need_tier:
            need_ranks[term["code"]] = (
                int(link["value"]) if (link["value"] or "").isdigit() else 999
            )
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
        borough_wide=borough_wide,
        languages=frozenset(language_ids),
        free=_free(profile, rows.costs.get(sid, ())),
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
        last_checked=freshness.last_checked(
            svc["assured_date"], profile["last_verified"] if profile else None
        ),
        who_answers=(profile["who_answers"] if profile else None) or "",
        referral=profile["referral"] if profile else None,
        who_is_told=(profile["who_is_told"] if profile else None) or "",
        notice=(profile["notice"] if profile else None) or "",
        notice_until=schedules.as_date(profile["notice_until"]) if profile else None,
        notice_closed=bool(profile and profile["notice_closed"]),
    )
    fields = {
        "name": svc["name"] or "",
        "term": " ".join(term_names),
        "summary": summary,
        "description": svc["description"] or "",
        "what": entry.what_happens,
    }
    return entry, fields, need_ranks


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
    for mode, value, href in (
        ("email", svc.get("email"), f"mailto:{svc.get('email')}"),
        ("website", svc.get("url"), safe_href(svc.get("url"))),
    ):
        if value:
            routes.append(
                _Route(mode, wording.default_label(mode, value), href, value, False, None)
            )
    return tuple(routes)


# --- the whole index ------------------------------------------------------------------------------


def _postings(field_texts: list[dict[str, str]]) -> dict[str, dict[int, float]]:
    """Word -> entry -> the weight of the best field it appears in."""
    postings: dict[str, dict[int, float]] = defaultdict(dict)
    for name, weight in FIELD_WEIGHTS.items():
        docs = text.surface_and_lemmas_many([f[name] for f in field_texts])
        for index, words in enumerate(docs):
            for word in set(words):
                if postings[word].get(index, 0.0) < weight:
                    postings[word][index] = weight
    return dict(postings)


def _context(rows: Rows, need_tier: dict[str, str], localities: dict[str, Locality]) -> _Context:
    languages = wording.languages()
    return _Context(
        rows=rows,
        need_tier=need_tier,
        localities=localities,
        language_names={v["name"].lower(): k for k, v in languages.items()}
        | {v["code"].lower(): k for k, v in languages.items()},
    )


def build_entry(session: Session, service_id: str) -> _Entry | None:
    """One service as the index would hold it (any status), read on its own: for a preview."""
    rows = read_rows(session, service_id)
    if not rows.services:
        return None
    need_tier, _names = need_terms(rows.terms)
    ctx = _context(rows, need_tier, load_localities(session=session))
    entry, _fields, _ranks = _entry(0, rows.services[0], ctx)
    return entry


def places_of(entry: _Entry, localities: dict[str, Locality]) -> Iterable[str]:
    """The localities a search for a place finds the entry in."""
    return localities.keys() if entry.borough_wide else entry.localities


def build_index(session: Session) -> SearchIndex:
    """Read the directory and precompute what search needs."""
    rows = read_rows(session)
    need_tier, need_name = need_terms(rows.terms)
    ctx = _context(rows, need_tier, load_localities(session=session))
    entries: list[_Entry] = []
    field_texts: list[dict[str, str]] = []
    by_need: dict[str, dict[int, int]] = {code: {} for code in need_tier}
    by_locality: dict[str, set[int]] = defaultdict(set)
    national: set[int] = set()
    for index, svc in enumerate(rows.services):
        entry, fields, need_ranks = _entry(index, svc, ctx)
        entries.append(entry)
        field_texts.append(fields)
        for code, rank in need_ranks.items():
            by_need[code][index] = rank
        if entry.national:
            national.add(index)
        for locality in places_of(entry, ctx.localities):
            by_locality[locality].add(index)
    postings = _postings(field_texts)
    return SearchIndex(
        entries=entries,
        by_need=by_need,
        need_sizes={code: len(v) for code, v in by_need.items() if v},
        need_tier=need_tier,
        need_name=need_name,
        postings=postings,
        vocabulary=text.Vocabulary(postings),
        by_locality=dict(by_locality),
        national=national,
        everything=frozenset(range(len(entries))),
        localities=ctx.localities,
    )
