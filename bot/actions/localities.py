"""The borough's localities as the answer readers need them: names and postcode districts."""

from __future__ import annotations

from services_directory.localities import load_localities


def place_names() -> tuple[dict[str, str], set[str]]:
    """(locality name or id, lower-cased -> id; every postcode district of the borough)."""
    names: dict[str, str] = {}
    districts: set[str] = set()
    for locality in load_localities().values():
        names[locality.id.lower()] = locality.id
        names[locality.name.lower()] = locality.id
        districts.update(locality.districts)
    return names, districts
