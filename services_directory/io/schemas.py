"""JSON schemas of the read API's responses, built from a tabular data package (the UK profile's
or HSDS 3.0's datapackage.json): every field with its type, format, enum and required flag,
nested as in the standard's compiled `service.json`, `service_list.json`, ... schemas."""

from __future__ import annotations

from typing import Any

from services_directory.io.structure import ATTRIBUTES, NESTS, TOP_LEVEL_NESTS, Nest

PROFILE_SCHEMA_BASE = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"
_TYPES = {"number": "number", "integer": "number", "boolean": "boolean"}
_FORMATS = {"uuid": "uuid", "email": "email", "uri": "uri"}


def _field_schema(field: dict[str, Any]) -> dict[str, Any]:
    kind = field.get("type", "string")
    schema: dict[str, Any] = {"type": _TYPES.get(kind, "string")}
    if kind == "datetime":
        schema["format"] = "date-time"
    elif kind == "date":
        schema["format"] = "date"
    elif field.get("format") in _FORMATS:
        schema["format"] = _FORMATS[field["format"]]
    enum = (field.get("constraints") or {}).get("enum")
    if enum:
        schema["enum"] = list(enum)
    return schema


def _resources(package: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in package["resources"]}


def object_schema(
    package: dict[str, Any],
    table: str,
    *,
    arrays: bool = True,
    top: bool = False,
    path: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The schema of one `table` object with its nested objects (arrays only when `arrays`)."""
    resources = _resources(package)
    resource = resources[table]
    fk_fields = {fk["fields"] for fk in resource["schema"].get("foreignKeys", [])}
    properties: dict[str, Any] = {}
    required: list[str] = []
    for field in resource["schema"]["fields"]:
        properties[field["name"]] = _field_schema(field)
        is_link = field["name"] in fk_fields or (
            field["name"].endswith("_id") and field["name"] != "id"
        )
        if (field.get("constraints") or {}).get("required") and not is_link:
            required.append(field["name"])
    path = (*path, table)
    nests: list[Nest] = list(NESTS.get(table, ()))
    if top:
        nests += TOP_LEVEL_NESTS.get(table, ())
    if arrays and ATTRIBUTES.table in resources:
        nests.append(ATTRIBUTES)
    for nest in nests:
        if nest.table not in resources or nest.table in path:
            continue
        if nest.kind == "one":
            properties[nest.key] = object_schema(package, nest.table, arrays=arrays, path=path)
        elif arrays:
            properties[nest.key] = {
                "type": "array",
                "items": object_schema(package, nest.table, path=path),
            }
    return {"type": "object", "properties": properties, "required": required}


def response_schemas(package: dict[str, Any], base: str = PROFILE_SCHEMA_BASE) -> dict[str, Any]:
    """Schemas by the URLs the profile's openapi.json refers to (compiled/service.json, ...)."""
    draft = "https://json-schema.org/draft/2020-12/schema"

    def doc(schema: dict[str, Any]) -> dict[str, Any]:
        return {"$schema": draft, **schema}

    taxonomy = object_schema(package, "taxonomy", arrays=False)
    return {
        f"{base}compiled/service.json": doc(object_schema(package, "service", top=True)),
        f"{base}compiled/service_list.json": doc(object_schema(package, "service", arrays=False)),
        f"{base}compiled/service_at_location_list.json": doc(
            object_schema(package, "service_at_location", arrays=False, top=True)
        ),
        f"{base}compiled/service_at_location.json": doc(
            object_schema(package, "service_at_location", top=True)
        ),
        f"{base}taxonomy.json": doc(taxonomy),
        f"{base}taxonomy_term.json": doc(object_schema(package, "taxonomy_term", arrays=False)),
    }
