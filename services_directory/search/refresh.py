"""Refreshing the search index in place after a few changes: the services the change log names
since an index's state are read again and every other entry is reused, so a change published in
the back office reaches the chat's search without a full build (`build_index`).

An `IndexState` says where the change log (`metadata`) stood when an index was read: its number
of entries, the latest `created_at` and the ids of the entries at that instant (several writes can
share one). The entries since are those at or after that instant, less those ids; their number
proves that none was missed (an entry committed late with an earlier `created_at`, a deleted one,
or another transaction's view makes the numbers disagree, and the index is built afresh).

An entry names a service (`service`, `x_service_profile`, `x_service_locality`) or one of its own
rows (contact routes, phones, languages, schedules, costs, need links, ...): a row is placed by
its `service_id` (`link_id`) or, once deleted, by whose it was when the index was read
(`IndexState.owners`). Which services are indexed at all (active, not withheld from the chat,
which the change log does not show) is read again every time. The new index keeps a full build's
order and numbering, so it answers every search as a full build of the same rows would.

Only the back office's changes are applied in place: it logs every service it changes (a publish
always logs the service row), whereas an import adds child rows without logging them. Anything
but a service and its own rows (organisations, taxonomy, locations and addresses, which services
share), more than `MAX_CHANGES` entries or `MAX_SERVICES` services to read again: a full build.
"""

from __future__ import annotations

import copy
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from services_directory import text
from services_directory.freshness import ServiceReview
from services_directory.io.writer import BACK_OFFICE_AUTHOR, NONE_TEXT, chunks
from services_directory.models import (
    Attribute,
    ContactMode,
    CostOption,
    Language,
    MetadataEntry,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)
from services_directory.search.index import (
    SearchIndex,
    _context,
    _Entry,
    _entry,
    _postings,
    places_of,
)
from services_directory.search.rows import Rows, read_rows

log = logging.getLogger(__name__)

MAX_CHANGES = 500  # change-log entries since the index's state
MAX_SERVICES = 50  # services read again, one `read_rows` each

SERVICE_ROWS = frozenset({"service", "x_service_profile", "x_service_locality"})
"""Tables whose change-log entries name the service itself (`resource_id` is its id)."""

CHILD_ROWS: dict[str, Any] = {
    model.__tablename__: model.__table__.c[column]
    for model, column in (
        (ContactMode, "service_id"),
        (Phone, "service_id"),
        (Language, "service_id"),
        (Schedule, "service_id"),
        (CostOption, "service_id"),
        (ServiceAtLocation, "service_id"),
        (ServiceArea, "service_id"),
        (Attribute, "link_id"),
    )
}
"""A service's own rows, by table, and the column that says whose they are."""

Owners = dict[str, dict[str, str | None]]
"""Table -> row id -> the service the row belongs to (None: no service)."""


@dataclass(frozen=True)
class IndexState:
    """Where the change log stood when an index was read, and what a refresh needs of that time:
    the taxonomy terms, and whose each child row was (a deleted row cannot be looked up)."""

    count: int
    latest: Any  # `created_at` of the newest entry (None: the log was empty)
    at_latest: frozenset[str]  # the ids of the entries made at `latest`
    terms: dict[str, dict[str, Any]]
    owners: Owners


def _terms(session: Session) -> dict[str, dict[str, Any]]:
    return {r["id"]: dict(r) for r in session.execute(select(TaxonomyTerm.__table__)).mappings()}


def read_state(session: Session) -> IndexState:
    """The state of the directory an index is about to be built from (read it before the rows:
    the index is then of this state or a later one, and a refresh never misses a change)."""
    total = select(func.count()).select_from(MetadataEntry).scalar_subquery()
    latest = select(func.max(MetadataEntry.created_at)).scalar_subquery()
    # One statement, so the count and the entries at the latest instant agree.
    found = session.execute(
        select(MetadataEntry.id, MetadataEntry.created_at, total.label("total")).where(
            MetadataEntry.created_at == latest
        )
    ).all()
    owners: Owners = {}
    for table, link in CHILD_ROWS.items():
        owners[table] = {
            row_id: owner for row_id, owner in session.execute(select(link.table.c.id, link))
        }
    return IndexState(
        count=found[0].total if found else 0,
        latest=found[0].created_at if found else None,
        at_latest=frozenset(r.id for r in found),
        terms=_terms(session),
        owners=owners,
    )


def refreshed(
    session: Session, index: SearchIndex, state: IndexState
) -> tuple[SearchIndex, IndexState] | None:
    """The index of the directory as it is now, made from `index` (of `state`) by reading again
    only the services changed since; None when only a full build can say (see the module)."""
    since = _changes_since(session, state)
    if since is None:
        return None
    count, latest, at_latest, changes = since
    affected = _affected(session, state.owners, changes)
    if affected is None:
        return None
    services, owners = affected
    listed = _listed(session)
    positions = {entry.id: entry.index for entry in index.entries}
    read_again = [sid for sid in listed if sid in services or sid not in positions]
    if len(read_again) > MAX_SERVICES:
        return None
    new_state = IndexState(count, latest, at_latest, state.terms, owners)
    if not read_again and listed == [entry.id for entry in index.entries]:
        return index, new_state
    rows = _rows_of(session, read_again)
    if rows is None or (read_again and _terms_of(rows) != state.terms):
        return None
    log.debug("search index refreshed: %d changes, %d services read", len(changes), len(read_again))
    return _assembled(index, listed, positions, rows), new_state


# --- what changed -----------------------------------------------------------------------------


def _changes_since(
    session: Session, state: IndexState
) -> tuple[int, Any, frozenset[str], list[RowMapping]] | None:
    """(the log's count, latest instant and the ids made then, the entries since `state`), or
    None when they cannot all be known."""
    total = select(func.count()).select_from(MetadataEntry).scalar_subquery()
    statement = select(
        MetadataEntry.id,
        MetadataEntry.created_at,
        MetadataEntry.resource_type,
        MetadataEntry.resource_id,
        MetadataEntry.field_name,
        MetadataEntry.previous_value,
        MetadataEntry.replacement_value,
        MetadataEntry.updated_by,
        total.label("total"),
    )
    if state.latest is not None:
        statement = statement.where(MetadataEntry.created_at >= state.latest)
    most = MAX_CHANGES + len(state.at_latest)
    # One statement, so the count and the entries agree.
    found = session.execute(statement.limit(most + 1)).mappings().all()
    if not found:
        return (0, None, frozenset(), []) if state.count == 0 else None
    if len(found) > most or not state.at_latest <= {r["id"] for r in found}:
        return None
    changes = [r for r in found if r["id"] not in state.at_latest]
    count = found[0]["total"]
    if count != state.count + len(changes):
        return None  # an entry made before `latest` but committed after, or one deleted
    latest = max(r["created_at"] for r in found)
    at_latest = frozenset(r["id"] for r in found if r["created_at"] == latest)
    return count, latest, at_latest, changes


def _affected(
    session: Session, owners: Owners, changes: list[RowMapping]
) -> tuple[set[str], Owners] | None:
    """The services the changes touch, and whose each child row is now; None when a change is
    not a back-office change of a service's own rows, or names a row nobody can place."""
    services: set[str] = set()
    children: dict[str, set[str]] = defaultdict(set)
    for change in changes:
        table = change["resource_type"]
        if change["updated_by"] != BACK_OFFICE_AUTHOR:
            return None
        if table in SERVICE_ROWS:
            services.add(change["resource_id"])
            continue
        link = CHILD_ROWS.get(table)
        if link is None:
            return None
        children[table].add(change["resource_id"])
        if change["field_name"] == link.name:  # moved from one service to another
            services.update(
                value
                for value in (change["previous_value"], change["replacement_value"])
                if value != NONE_TEXT
            )
    now_owners = dict(owners)
    for table, ids in children.items():
        link = CHILD_ROWS[table]
        known = dict(owners.get(table, {}))
        current: dict[str, str | None] = {}
        for part in chunks(sorted(ids)):
            found = session.execute(select(link.table.c.id, link).where(link.table.c.id.in_(part)))
            current.update({row_id: owner for row_id, owner in found})
        for row_id in ids:
            if row_id not in current and row_id not in known:
                return None  # made and deleted since: whose it was is not known
            services.update(o for o in (known.get(row_id), current.get(row_id)) if o is not None)
            if row_id in current:
                known[row_id] = current[row_id]
            else:
                known.pop(row_id, None)
        now_owners[table] = known
    return services, now_owners


def _listed(session: Session) -> list[str]:
    """The ids of the services a full build indexes, in its order (`rows.read_rows`)."""
    withheld = exists().where(
        ServiceReview.service_id == Service.id, ServiceReview.withheld_from_bot.is_(True)
    )
    statement = (
        select(Service.id).where(Service.status == "active", ~withheld).order_by(Service.name)
    )
    return list(session.scalars(statement))


def _rows_of(session: Session, service_ids: list[str]) -> Rows | None:
    """The rows of these services as a full build reads them (None: one has gone meanwhile)."""
    parts = [read_rows(session, sid) for sid in service_ids]
    if any(len(part.services) != 1 for part in parts):
        return None
    merged: dict[str, Any] = {}
    for column in fields(Rows):
        values = [getattr(part, column.name) for part in parts]
        if column.name == "services":
            merged[column.name] = [row for value in values for row in value]
        elif column.name == "from_feeds":
            merged[column.name] = set().union(*values)
        else:  # grouped by service (or, like the terms, the same in every part)
            merged[column.name] = {k: v for value in values for k, v in value.items()}
    return Rows(**merged)


def _terms_of(rows: Rows) -> dict[str, dict[str, Any]]:
    return {term_id: dict(term) for term_id, term in rows.terms.items()}


# --- the new index ------------------------------------------------------------------------------


def _assembled(
    index: SearchIndex, listed: list[str], positions: dict[str, int], rows: Rows
) -> SearchIndex:
    """The index of the services `listed` (in a full build's order): those in `rows` made anew,
    the others taken from `index`, renumbered; everything else as `build_index` makes it."""
    ctx = _context(rows, index.need_tier, index.localities)
    fresh = {svc["id"]: svc for svc in rows.services}
    old_ranks: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for code, ranked in index.by_need.items():
        for old, rank in ranked.items():
            old_ranks[old].append((code, rank))
    entries: list[_Entry] = []
    renumbered: dict[int, int] = {}
    fresh_texts: list[dict[str, str]] = []
    fresh_positions: list[int] = []
    by_need: dict[str, dict[int, int]] = {code: {} for code in index.need_tier}
    by_locality: dict[str, set[int]] = defaultdict(set)
    national: set[int] = set()
    for position, sid in enumerate(listed):
        svc = fresh.get(sid)
        if svc is not None:
            entry, texts, need_ranks = _entry(position, svc, ctx)
            fresh_texts.append(texts)
            fresh_positions.append(position)
            ranks: Iterable[tuple[str, int]] = need_ranks.items()
        else:
            entry = index.entries[positions[sid]]
            renumbered[entry.index] = position
            ranks = old_ranks.get(entry.index, ())
            if entry.index != position:
                entry = copy.copy(entry)  # the old index may still be answering a search
                entry.index = position
        entries.append(entry)
        for code, rank in ranks:
            by_need[code][position] = rank
        if entry.national:
            national.add(position)
        for locality in places_of(entry, ctx.localities):
            by_locality[locality].add(position)
    postings = _merged_postings(index.postings, renumbered, _postings(fresh_texts), fresh_positions)
    same_words = postings.keys() == index.postings.keys()
    return SearchIndex(
        entries=entries,
        by_need=by_need,
        need_sizes={code: len(v) for code, v in by_need.items() if v},
        need_tier=index.need_tier,
        need_name=index.need_name,
        postings=postings,
        vocabulary=index.vocabulary if same_words else text.Vocabulary(postings),
        by_locality=dict(by_locality),
        national=national,
        everything=frozenset(range(len(entries))),
        localities=index.localities,
    )


def _merged_postings(
    old: dict[str, dict[int, float]],
    renumbered: dict[int, int],
    fresh: dict[str, dict[int, float]],
    fresh_positions: list[int],
) -> dict[str, dict[int, float]]:
    """The old postings of the entries kept (renumbered) and the fresh entries' postings, each
    word's entries in the order a full build gives: best field first, then by entry."""
    in_order = _ascending(renumbered)  # the entries kept are in their old order
    postings: dict[str, dict[int, float]] = {}
    for word, docs in old.items():
        kept = {renumbered[doc]: weight for doc, weight in docs.items() if doc in renumbered}
        if kept:
            postings[word] = kept
    for word, docs in fresh.items():
        merged = postings.setdefault(word, {})
        for doc, weight in docs.items():
            merged[fresh_positions[doc]] = weight
    # The fields are read best first, so a full build orders each word's entries by weight
    # (descending), then by entry; renumbering in order keeps that, new entries need a sort.
    reorder = postings if not in_order else fresh
    for word in reorder:
        postings[word] = dict(sorted(postings[word].items(), key=lambda item: (-item[1], item[0])))
    return postings


def _ascending(values: Iterable[int]) -> bool:
    last = -1
    for value in values:
        if value < last:
            return False
        last = value
    return True
