"""The borough's localities: names, postcode districts and other ways of writing them.

One source: the localities admins define in the back office (`x_locality`), or, while there are
none, the localities file (data/localities.yml, or the file `LOCALITIES_FILE` names: the sample
borough). The directory's search, the bot's area question, the NLU's lookup table (generated at
training) and the answer readers all read them through `load_localities()`.

The database's localities are cached per process; the cache asks the database whether they
changed (one cheap query) at most every `CHECK_SECONDS`, so a change made in the back office
reaches the API and the action server within seconds, without a restart.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import weakref
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from services_directory.db import make_engine
from services_directory.locality_models import LocalityDistrict, LocalityRecord
from settings.env import database_url, env_value

log = logging.getLogger(__name__)

# A full UK postcode ("E1 6AN") or just its outward code / district ("E14", "E1W").
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(?:\s*(\d[A-Z]{2}))?$")
CHECK_SECONDS = 2.0  # how stale another process's change may be seen
# Set in `Session.info` by a session that changed the localities: it reads its own changes.
CHANGED_HERE = "localities_changed"


@dataclass(frozen=True)
class Locality:
    """A place in the borough."""

    id: str
    name: str
    districts: tuple[str, ...]
    aliases: tuple[str, ...] = ()


def localities_file() -> Path:
    """The localities file: `LOCALITIES_FILE` (environment or .env) when set, else the sample
    borough's."""
    configured = env_value("LOCALITIES_FILE")
    if configured:
        return Path(configured)
    return Path(str(resources.files("services_directory").joinpath("data/localities.yml")))


def load_localities(
    path: str | None = None, *, session: Session | None = None
) -> dict[str, Locality]:
    """Localities by id, in their order: from `path` when given; else the database's (through
    `session`, or the configured database when there is none) when it has any; else the
    configured localities file."""
    if path:
        return _load(str(Path(path)))
    found = database_localities(session) if session is not None else _configured_database()
    return found or file_localities()


def file_localities() -> dict[str, Locality]:
    """The localities of the configured localities file (the demo default)."""
    return _load(str(localities_file()))


@cache
def _load(path: str) -> dict[str, Locality]:
    text = Path(path).read_text("utf-8")
    data = yaml.safe_load(text) or {}
    out: dict[str, Locality] = {}
    for entry in data.get("localities") or []:
        districts = tuple(
            str(d).upper().replace(" ", "") for d in entry.get("postcode_districts") or []
        )
        aliases = tuple(str(a) for a in entry.get("aliases") or [])
        out[str(entry["id"])] = Locality(
            str(entry["id"]), str(entry.get("name", entry["id"])), districts, aliases
        )
    return out


# --- the database's localities, cached --------------------------------------------------------


@dataclass
class _Cached:
    key: tuple[Any, ...]
    localities: dict[str, Locality]
    checked: float  # time.monotonic() of the last version check


# Per engine (a connection when a session is bound to one, as in the tests' rolled-back
# transactions: what one transaction sees is never served to another).
_CACHE: weakref.WeakKeyDictionary[Engine | Connection, _Cached] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def version_key(session: Session) -> tuple[Any, ...]:
    """Changes whenever a locality is added, changed, reordered or removed: their number and
    the latest `updated_at` (every change stamps the locality it touches)."""
    row = session.execute(
        select(func.count(), func.max(LocalityRecord.updated_at)).select_from(LocalityRecord)
    ).one()
    return (int(row[0]), str(row[1]))


def database_localities(session: Session, max_age: float = CHECK_SECONDS) -> dict[str, Locality]:
    """The database's localities by id, in their order (empty: none defined). Cached: the
    version is checked again once the last check is more than `max_age` seconds old."""
    if session.info.get(CHANGED_HERE):
        return read_localities(session)  # not cached: another transaction must not see them
    bind = session.get_bind()
    now = time.monotonic()
    with _LOCK:
        cached = _CACHE.get(bind)
    if cached is not None and now - cached.checked < max_age:
        return cached.localities
    key = version_key(session)
    if cached is not None and cached.key == key:
        cached.checked = now
        return cached.localities
    localities = read_localities(session)
    with _LOCK:
        _CACHE[bind] = _Cached(key, localities, now)
    return localities


def read_localities(session: Session) -> dict[str, Locality]:
    """The database's localities by id, in their order, read now (no cache)."""
    districts: dict[str, list[str]] = {}
    for locality_id, district in session.execute(
        select(LocalityDistrict.locality_id, LocalityDistrict.district)
    ):
        districts.setdefault(locality_id, []).append(district)
    records = session.scalars(
        select(LocalityRecord).order_by(LocalityRecord.position, LocalityRecord.id)
    )
    return {
        r.id: Locality(
            r.id,
            r.name,
            tuple(sorted(districts.get(r.id, ()), key=district_order)),
            tuple(r.aliases or ()),
        )
        for r in records
    }


def forget_cached_localities() -> None:
    """Drop the cached localities of this process (after a change is committed here)."""
    with _LOCK:
        _CACHE.clear()


_ENGINES: dict[str, Engine] = {}


def _configured_database() -> dict[str, Locality]:
    """The localities of the configured database (`DATABASE_URL`), when it can be read; empty
    when there is no database yet, it is not migrated, or it cannot be reached."""
    url = database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if not database or database == ":memory:" or not Path(database).is_file():
            return {}  # never create a database file just to read it
    with _LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = _ENGINES[url] = make_engine(url)
    try:
        with Session(engine) as session:
            return database_localities(session)
    except SQLAlchemyError as error:
        log.debug("localities: the database cannot be read (%s); using the file", error)
        return {}


# --- postcodes --------------------------------------------------------------------------------


def outward_code(postcode: str) -> str | None:
    """The district of a UK postcode ("e1 6an" -> "E1"), or None if it is not one."""
    cleaned = re.sub(r"\s+", " ", postcode.strip().upper())
    match = POSTCODE_RE.match(cleaned)
    if not match:
        return None
    return match.group(1)


def district_order(district: str) -> tuple[str, int, str]:
    """A sort key that puts E2 before E14 (letters, number, then any letter after it)."""
    match = re.match(r"^([A-Z]+)(\d+)(.*)$", district)
    if not match:
        return (district, 0, "")
    return (match.group(1), int(match.group(2)), match.group(3))


def locality_for_postcode(
    postcode: str, localities: dict[str, Locality] | None = None
) -> str | None:
    """The locality id whose districts include the postcode's district, or None."""
    district = outward_code(postcode)
    if district is None:
        return None
    for locality in (localities or load_localities()).values():
        if district in locality.districts:
            return locality.id
    return None
