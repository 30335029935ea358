"""The rules a council's locality keeps: a short id (the bot's slot value), a name, UK postcode
districts that belong to one locality only, and names and other spellings that no other locality
uses. `checked` says which fields break them, in words staff read."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from services_directory.errors import DirectoryError
from services_directory.localities import (
    Locality,
    district_order,
    file_localities,
    read_localities,
)

ID_RE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
DISTRICT_RE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")
FULL_POSTCODE_RE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$")
NAME_MAX = 100
ALIASES_MAX = 50


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field, in words staff read."""

    field: str
    message: str


class InvalidLocality(DirectoryError, ValueError):
    """A locality the rules refuse; `problems` says which fields and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


class LocalityNotFound(DirectoryError, LookupError):
    """No locality with this id in the database."""


@dataclass
class LocalityValues:
    """What staff typed: the id (blank: made from the name), name, districts and aliases."""

    name: str
    districts: list[str]
    aliases: list[str] = field(default_factory=list)
    id: str = ""


def split_list(text: str, *, by_comma: bool = True) -> list[str]:
    """Items typed one a line (or separated by commas), trimmed, each once, in order."""
    parts = re.split(r"[\n,]" if by_comma else r"\n", text or "")
    cleaned = (re.sub(r"\s+", " ", part).strip() for part in parts)
    return list(dict.fromkeys(p for p in cleaned if p))


def slug_of(name: str) -> str:
    """An id made from a name ("St Mary's Park" -> "st-marys-park")."""
    text = re.sub(r"['’]", "", name.lower())
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:64]


def _district_problems(districts: list[str]) -> list[str]:
    bad: list[str] = []
    for district in districts:
        cleaned = district.upper().replace(" ", "")
        if not DISTRICT_RE.match(cleaned):
            bad.append(district)
    return bad


def checked(session: Session, values: LocalityValues, current: str | None = None) -> Locality:
    """The locality `values` describe, once every rule holds; else InvalidLocality naming each
    field that is wrong. `current`: the id of the locality being changed (None: a new one)."""
    problems: list[Problem] = []
    name = re.sub(r"\s+", " ", values.name or "").strip()
    if not name:
        problems.append(Problem("name", "Enter the locality's name"))
    elif len(name) > NAME_MAX:
        problems.append(Problem("name", f"Name must be {NAME_MAX} characters or fewer"))
    locality_id = current or (values.id.strip().lower() or slug_of(name))
    others = {k: v for k, v in existing(session).items() if k != current}
    if current is None and name:
        if not ID_RE.match(locality_id):
            problems.append(
                Problem(
                    "id",
                    "Id must start with a letter and use only small letters, numbers, "
                    "hyphens and underscores (64 at most)",
                )
            )
        elif locality_id in others:
            problems.append(Problem("id", f"There is already a locality with the id {locality_id}"))
    districts = [d.upper().replace(" ", "") for d in values.districts]
    districts = sorted(dict.fromkeys(districts), key=district_order)
    bad = _district_problems(values.districts)
    if not districts:
        problems.append(Problem("districts", "Enter at least one postcode district, like E14"))
    elif bad:
        full = [b for b in bad if FULL_POSTCODE_RE.match(b.upper().strip())]
        problems.append(
            Problem(
                "districts",
                f"Enter postcode districts only, like E14, not whole postcodes ({full[0]})"
                if full
                else f"{bad[0]} is not a UK postcode district: enter districts like E1, E14 or N1C",
            )
        )
    else:
        owner = {d: other for other in others.values() for d in other.districts}
        taken = [d for d in districts if d in owner]
        if taken:
            problems.append(
                Problem("districts", f"{taken[0]} already belongs to {owner[taken[0]].name}")
            )
    aliases = [a for a in values.aliases if a.lower() != name.lower()]
    if len(aliases) > ALIASES_MAX or any(len(a) > NAME_MAX for a in aliases):
        problems.append(
            Problem(
                "aliases",
                f"Enter {ALIASES_MAX} other names at most, each {NAME_MAX} characters or fewer",
            )
        )
    spoken = {
        word.lower(): other for other in others.values() for word in (other.name, *other.aliases)
    }
    spoken |= {other.id: other for other in others.values()}
    if name and name.lower() in spoken:
        problems.append(Problem("name", f"{spoken[name.lower()].name} already uses this name"))
    clash = next((a for a in aliases if a.lower() in spoken), None)
    if clash is not None:
        problems.append(
            Problem("aliases", f"{spoken[clash.lower()].name} already uses the name {clash}")
        )
    if problems:
        raise InvalidLocality(problems)
    return Locality(locality_id, name, tuple(districts), tuple(aliases))


def existing(session: Session) -> dict[str, Locality]:
    """The localities as they stand: the database's, else the file's (before the first change)."""
    return read_localities(session) or file_localities()
