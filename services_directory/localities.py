"""The sample borough's localities and their postcode districts (data/localities.yml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

# A full UK postcode ("E1 6AN") or just its outward code / district ("E14", "E1W").
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(?:\s*(\d[A-Z]{2}))?$")


@dataclass(frozen=True)
class Locality:
    id: str
    name: str
    districts: tuple[str, ...]


@cache
def load_localities(path: str | None = None) -> dict[str, Locality]:
    """Localities by id, from data/localities.yml (or `path`)."""
    if path:
        text = Path(path).read_text("utf-8")
    else:
        text = (
            resources.files("services_directory").joinpath("data/localities.yml").read_text("utf-8")
        )
    data = yaml.safe_load(text) or {}
    out: dict[str, Locality] = {}
    for entry in data.get("localities") or []:
        districts = tuple(
            str(d).upper().replace(" ", "") for d in entry.get("postcode_districts") or []
        )
        out[str(entry["id"])] = Locality(
            str(entry["id"]), str(entry.get("name", entry["id"])), districts
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
