"""The search index cache: one index per state of the database (its `metadata` change log),
a few kept per engine, so a search costs a few set operations rather than a pass over every row.
When the state moves on, the newest index kept is refreshed in place if the change log allows it
(`refresh`), else the index is built afresh."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from services_directory.freshness import ServiceReview
from services_directory.locality_models import LocalityRecord
from services_directory.models import MetadataEntry, Service
from services_directory.search.index import SearchIndex, build_index
from services_directory.search.refresh import IndexState, read_state, refreshed


@dataclass(frozen=True)
class _Cached:
    index: SearchIndex
    state: IndexState


_CACHE: weakref.WeakKeyDictionary[Engine, OrderedDict[tuple[Any, ...], _Cached]] = (
    weakref.WeakKeyDictionary()
)
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 4


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def change_key(session: Session) -> tuple[Any, ...]:
    """The state of the directory as told by its change log (and its number of services), and
    which services are withheld from the chat (not an HSDS change, so not in the change log)."""
    # One round trip; each scalar subquery can use its own index.
    count = select(func.count()).select_from(MetadataEntry).scalar_subquery()
    latest = select(func.max(MetadataEntry.created_at)).scalar_subquery()
    services = select(func.count()).select_from(Service).scalar_subquery()
    withheld = (
        select(func.count())
        .select_from(ServiceReview)
        .where(ServiceReview.withheld_from_bot.is_(True))
        .scalar_subquery()
    )
    reviewed = select(func.max(ServiceReview.updated_at)).scalar_subquery()
    # The localities the entries are read against (imported services are placed by postcode).
    places = select(func.count()).select_from(LocalityRecord).scalar_subquery()
    placed = select(func.max(LocalityRecord.updated_at)).scalar_subquery()
    row = session.execute(select(count, latest, services, withheld, reviewed, places, placed)).one()
    return (row[0], str(row[1]), row[2], row[3], str(row[4]), row[5], str(row[6]))


def _same_localities(key: tuple[Any, ...], other: tuple[Any, ...]) -> bool:
    return key[-2:] == other[-2:]


def get_index(session: Session) -> SearchIndex:
    """The search index for the current state of the database (built on first use, then cached;
    refreshed in place when only a few services changed since the newest one kept)."""
    engine = _engine_of(session)
    key = change_key(session)
    with _CACHE_LOCK:
        per_engine = _CACHE.setdefault(engine, OrderedDict())
        cached = per_engine.get(key)
        if cached is not None:
            per_engine.move_to_end(key)
            return cached.index
        newest_key, newest = next(reversed(per_engine.items()), (None, None))
    made = None
    # Refreshed in place only while the localities are those the newest index was read with.
    if newest is not None and newest_key is not None and _same_localities(key, newest_key):
        made = _refreshed(session, newest)
    if made is None:
        state = read_state(session)  # before the rows: the index is of this state or later
        made = _Cached(build_index(session), state)
    with _CACHE_LOCK:
        per_engine[key] = made
        while len(per_engine) > _CACHE_SIZE:
            per_engine.popitem(last=False)
    return made.index


def _refreshed(session: Session, cached: _Cached) -> _Cached | None:
    found = refreshed(session, cached.index, cached.state)
    return _Cached(*found) if found is not None else None


def clear_search_cache() -> None:
    """Forget every cached index (after writing to the database outside the directory's API)."""
    with _CACHE_LOCK:
        _CACHE.clear()
