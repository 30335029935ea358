"""The borough's localities as the answer readers need them: names and postcode districts."""

from __future__ import annotations

from services_directory.localities import Locality, load_localities


def place_names(
    localities: dict[str, Locality] | None = None,
) -> tuple[dict[str, str], set[str]]:
    """(locality name or id, lower-cased -> id; every postcode district of the borough), of
    `localities` (default: the configured database's, else the localities file)."""
    names: dict[str, str] = {}
    districts: set[str] = set()
    for locality in (localities if localities is not None else load_localities()).values():
        names[locality.id.lower()] = locality.id
        names[locality.name.lower()] = locality.id
        districts.update(locality.districts)
    return names, districts
