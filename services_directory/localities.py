"""The borough's localities: names, postcode districts and other ways of writing them.

One source (data/localities.yml, or the file `LOCALITIES_FILE` names): the directory's search,
the bot's area question, the NLU's lookup table (generated at training) and the answer readers
all read it through `load_localities()`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from settings.env import env_value

# A full UK postcode ("E1 6AN") or just its outward code / district ("E14", "E1W").
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(?:\s*(\d[A-Z]{2}))?$")


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


def load_localities(path: str | None = None) -> dict[str, Locality]:
    """Localities by id, from `path`, else the configured localities file."""
    return _load(str(Path(path) if path else localities_file()))


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


def outward_code(postcode: str) -> str | None:
    """The district of a UK postcode ("e1 6an" -> "E1"), or None if it is not one."""
    cleaned = re.sub(r"\s+", " ", postcode.strip().upper())
    match = POSTCODE_RE.match(cleaned)
    if not match:
        return None
    return match.group(1)


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
