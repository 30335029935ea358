"""Read HSDS 3.0 / ORUK 3.0 JSON (service_full, lists, paged envelopes) into a RecordSet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services_directory.io.records import RecordSet
from services_directory.io.structure import (
    ATTRIBUTES,
    METADATA,
    NESTS,
    TOP_LEVEL_NESTS,
    Nest,
    field_rules,
)

ENVELOPE_KEYS = {"total_items", "total_pages", "page_number", "size", "contents"}
Progress = Callable[[str, int, int], None]


def detect_top_table(item: dict[str, Any]) -> str | None:
    """Which HSDS object a top-level JSON object is (service, organization, taxonomy, ...)."""
    if "services" in item and "name" in item:
        return "organization"
    if "location" in item and "name" not in item:
        return "service_at_location"
    if "status" in item or "organization" in item or "service_at_locations" in item:
        return "service"
    keys = set(item)
    for table in ("organization", "location", "taxonomy", "taxonomy_term"):
        allowed = set(field_rules(table)) | {n.key for n in NESTS.get(table, ())}
        allowed |= {ATTRIBUTES.key, METADATA.key}
        if keys <= allowed and "name" in keys:
            if table == "organization" and not keys & {
                "website",
                "logo",
                "email",
                "uri",
                "organization_identifiers",
            }:
                continue
            if table == "location" and not keys & {"location_type", "addresses", "latitude"}:
                continue
            return table
    return None


def items_of(document: Any) -> tuple[list[Any], str]:
    """The top-level objects of a document and the shape it was in."""
    if isinstance(document, list):
        return document, "list"
    if isinstance(document, dict) and "contents" in document and ENVELOPE_KEYS & set(document):
        contents = document.get("contents")
        return (contents if isinstance(contents, list) else [contents]), "paged envelope"
    return [document], "single object"


def read_hsds_json(
    document: Any, *, source: str = "", progress: Progress | None = None
) -> RecordSet:
    """Flatten an HSDS 3.0 JSON document into records, checking its structure on the way."""
    records = RecordSet()
    items, _shape = items_of(document)
    unknown: dict[str, set[str]] = {}
    total = len(items)
    for index, item in enumerate(items):
        where = f"[{index}]" if total > 1 or isinstance(document, list | dict) else ""
        if isinstance(document, dict) and "contents" in document:
            where = f"contents[{index}]"
        elif not isinstance(document, list):
            where = "$"
        if not isinstance(item, dict):
            records.error(where, "", "is not a JSON object")
            continue
        table = detect_top_table(item)
        if table is None:
            records.error(where, "", "is not a service, organization or taxonomy object")
            continue
        _flatten(records, item, table, where, {}, unknown, top=True)
        if progress and (index + 1) % 500 == 0:
            progress("read", index + 1, total)
    if progress:
        progress("read", total, total)
    _programs_belong_to_their_service_organization(records)
    for table, keys in sorted(unknown.items()):
        records.warnings.append(
            f"{source or 'file'}: {table} field(s) not in HSDS 3.0, ignored: "
            f"{', '.join(sorted(keys))}"
        )
    return records


def _flatten(
    records: RecordSet,
    obj: dict[str, Any],
    table: str,
    where: str,
    links: dict[str, Any],
    unknown: dict[str, set[str]],
    *,
    top: bool = False,
) -> str | None:
    rules = field_rules(table)
    record_id = obj.get("id")
    if not isinstance(record_id, str) or not record_id:
        records.error(f"{where} ({table})", "id", "is missing")
        return None
    nests = {n.key: n for n in NESTS.get(table, ())}
    if top:
        nests.update({n.key: n for n in TOP_LEVEL_NESTS.get(table, ())})
    nests[ATTRIBUTES.key] = ATTRIBUTES
    nests[METADATA.key] = METADATA
    values: dict[str, Any] = {}
    children: list[tuple[Nest, Any]] = []
    for key, value in obj.items():
        if key in nests:
            children.append((nests[key], value))
        elif key in rules:
            if isinstance(value, dict | list):
                records.error(f"{where} ({table} {record_id})", key, "must be a single value")
                continue
            values[key] = value
        else:
            unknown.setdefault(table, set()).add(key)
    for column, parent_id in links.items():
        given = values.get(column)
        if given is not None and given != parent_id:
            records.error(
                f"{where} ({table} {record_id})",
                column,
                f"{given!r} contradicts the record it is nested in ({parent_id})",
            )
        values[column] = parent_id
    for nest, value in children:
        child_where = f"{where}.{nest.key}"
        if nest.kind == "one":
            if value is None:
                continue
            if not isinstance(value, dict):
                records.error(f"{where} ({table} {record_id})", nest.key, "must be an object")
                continue
            child_id = _flatten(records, value, nest.table, child_where, {}, unknown)
            if child_id is not None:
                given = values.get(nest.column)
                if given is not None and given != child_id:
                    records.error(
                        f"{where} ({table} {record_id})",
                        nest.column,
                        f"{given!r} contradicts the nested {nest.key} ({child_id})",
                    )
                values[nest.column] = child_id
            continue
        if value is None:
            continue
        if not isinstance(value, list):
            records.error(f"{where} ({table} {record_id})", nest.key, "must be an array")
            continue
        records.authoritative.setdefault((nest.table, nest.column), set()).add(record_id)
        for i, child in enumerate(value):
            if not isinstance(child, dict):
                records.error(f"{child_where}[{i}]", "", "is not a JSON object")
                continue
            _flatten(
                records, child, nest.table, f"{child_where}[{i}]", {nest.column: record_id}, unknown
            )
    records.add(table, values, where)
    return record_id


def _programs_belong_to_their_service_organization(records: RecordSet) -> None:
    # A program nested in a service carries no organization_id: it is the service's organization.
    programs = records.records.get("program", {})
    for service in records.records.get("service", {}).values():
        program = programs.get(service.values.get("program_id") or "")
        if program is not None and not program.values.get("organization_id"):
            program.values["organization_id"] = service.values.get("organization_id")
