"""How HSDS 3.0 records nest in JSON and spread over CSV files, and the field rules of each table.

One description serves the importer (JSON -> rows), the exporter (rows -> JSON, rows -> CSV) and
the validator (a JSON schema per table built from the standard's field list).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

from services_directory.models import HSDS_TABLES, hsds_columns


@dataclass(frozen=True)
class Nest:
    """A nested object or array: `key` in JSON holds `table` records.

    kind "many": each child has `column` = the parent's id (service.contacts -> contact.service_id).
    kind "one": the parent has `column` = the child's id
    (service.organization -> service.organization_id).
    """

    key: str
    table: str
    kind: str
    column: str


NESTS: dict[str, tuple[Nest, ...]] = {
    "service": (
        Nest("phones", "phone", "many", "service_id"),
        Nest("schedules", "schedule", "many", "service_id"),
        Nest("service_areas", "service_area", "many", "service_id"),
        Nest("service_at_locations", "service_at_location", "many", "service_id"),
        Nest("languages", "language", "many", "service_id"),
        Nest("organization", "organization", "one", "organization_id"),
        Nest("funding", "funding", "many", "service_id"),
        Nest("cost_options", "cost_option", "many", "service_id"),
        Nest("program", "program", "one", "program_id"),
        Nest("required_documents", "required_document", "many", "service_id"),
        Nest("contacts", "contact", "many", "service_id"),
    ),
    "service_at_location": (
        Nest("contacts", "contact", "many", "service_at_location_id"),
        Nest("phones", "phone", "many", "service_at_location_id"),
        Nest("schedules", "schedule", "many", "service_at_location_id"),
        Nest("location", "location", "one", "location_id"),
    ),
    "location": (
        Nest("languages", "language", "many", "location_id"),
        Nest("addresses", "address", "many", "location_id"),
        Nest("contacts", "contact", "many", "location_id"),
        Nest("accessibility", "accessibility", "many", "location_id"),
        Nest("phones", "phone", "many", "location_id"),
        Nest("schedules", "schedule", "many", "location_id"),
    ),
    "organization": (
        Nest("funding", "funding", "many", "organization_id"),
        Nest("contacts", "contact", "many", "organization_id"),
        Nest("phones", "phone", "many", "organization_id"),
        Nest("locations", "location", "many", "organization_id"),
        Nest("programs", "program", "many", "organization_id"),
        Nest("organization_identifiers", "organization_identifier", "many", "organization_id"),
    ),
    "contact": (Nest("phones", "phone", "many", "contact_id"),),
    "phone": (Nest("languages", "language", "many", "phone_id"),),
    "attribute": (Nest("taxonomy_term", "taxonomy_term", "one", "taxonomy_term_id"),),
    "taxonomy_term": (Nest("taxonomy_detail", "taxonomy", "one", "taxonomy_id"),),
    "taxonomy": (Nest("taxonomy_terms", "taxonomy_term", "many", "taxonomy_id"),),
}
"""What each table nests in the HSDS 3.0 `*_full` shapes (a superset of the UK profile's)."""

# Nested only at the top of an organization_full / service_at_location_full document; they point
# back to the parent and would loop if nested everywhere.
TOP_LEVEL_NESTS: dict[str, tuple[Nest, ...]] = {
    "organization": (Nest("services", "service", "many", "organization_id"),),
    "service_at_location": (Nest("service", "service", "one", "service_id"),),
}

ATTRIBUTES = Nest("attributes", "attribute", "many", "link_id")
METADATA = Nest("metadata", "metadata", "many", "resource_id")
"""Any record may carry `attributes` and `metadata` (linked through link_id / resource_id)."""

LINK_COLUMNS: dict[str, frozenset[str]] = {
    table: frozenset(
        c
        for c in hsds_columns(table)
        if c.endswith("_id") and c not in {"id", "parent_id", "parent_organization_id"}
    )
    for table in HSDS_TABLES
}
"""Columns that say where a record hangs; JSON expresses them by nesting, CSV as columns."""

HARD_REFERENCES: dict[tuple[str, str], str] = {
    ("service", "organization_id"): "organization",
    ("program", "organization_id"): "organization",
    ("service_at_location", "service_id"): "service",
    ("service_at_location", "location_id"): "location",
    ("attribute", "taxonomy_term_id"): "taxonomy_term",
    ("cost_option", "service_id"): "service",
    ("organization_identifier", "organization_id"): "organization",
}
"""References that must resolve (they are foreign keys in the database)."""

SOFT_REFERENCES: dict[tuple[str, str], str] = {
    ("service", "program_id"): "program",
    ("location", "organization_id"): "organization",
    ("address", "location_id"): "location",
    ("phone", "location_id"): "location",
    ("phone", "service_id"): "service",
    ("phone", "organization_id"): "organization",
    ("phone", "contact_id"): "contact",
    ("phone", "service_at_location_id"): "service_at_location",
    ("contact", "organization_id"): "organization",
    ("contact", "service_id"): "service",
    ("contact", "service_at_location_id"): "service_at_location",
    ("contact", "location_id"): "location",
    ("schedule", "service_id"): "service",
    ("schedule", "location_id"): "location",
    ("schedule", "service_at_location_id"): "service_at_location",
    ("funding", "organization_id"): "organization",
    ("funding", "service_id"): "service",
    ("service_area", "service_id"): "service",
    ("required_document", "service_id"): "service",
    ("language", "service_id"): "service",
    ("language", "location_id"): "location",
    ("language", "phone_id"): "phone",
    ("accessibility", "location_id"): "location",
    ("taxonomy_term", "taxonomy_id"): "taxonomy",
    ("taxonomy_term", "parent_id"): "taxonomy_term",
    ("organization", "parent_organization_id"): "organization",
}
"""References that may dangle: kept as published, reported as warnings."""

CSV_FILES: dict[str, tuple[str, ...]] = {
    "organization": ("organizations.csv", "organization.csv"),
    "program": ("programs.csv", "program.csv"),
    "service": ("services.csv", "service.csv"),
    "location": ("locations.csv", "location.csv"),
    "service_at_location": ("service_at_location.csv", "service_at_locations.csv"),
    "address": ("addresses.csv", "address.csv"),
    "phone": ("phones.csv", "phone.csv"),
    "contact": ("contacts.csv", "contact.csv"),
    "schedule": ("schedules.csv", "schedule.csv"),
    "funding": ("funding.csv", "fundings.csv"),
    "service_area": ("service_areas.csv", "service_area.csv"),
    "required_document": ("required_documents.csv", "required_document.csv"),
    "language": ("languages.csv", "language.csv"),
    "accessibility": ("accessibility.csv", "accessibilities.csv"),
    "taxonomy": ("taxonomies.csv", "taxonomy.csv"),
    "taxonomy_term": ("taxonomy_terms.csv", "taxonomy_term.csv"),
    "attribute": ("attributes.csv", "attribute.csv"),
    "cost_option": ("cost_options.csv", "cost_option.csv"),
    "organization_identifier": ("organization_identifiers.csv", "organization_identifier.csv"),
    "metadata": ("metadata.csv",),
    "meta_table_description": ("meta_table_descriptions.csv", "meta_table_description.csv"),
}
"""CSV file names of each table: the HSDS 3.0 name first (used on export), then the UK profile's."""


@dataclass(frozen=True)
class FieldRule:
    """What the standard says of one field."""

    name: str
    type: str  # string | number | date | datetime | time
    format: str | None = None  # uuid | email | uri
    required: bool = False
    enum: tuple[str, ...] | None = None


@cache
def standard_fields() -> dict[str, Any]:
    """The field lists of the HSDS 3.0 and UK profile 3.0 data packages (shipped here)."""
    text = resources.files("services_directory.io").joinpath("hsds_fields.json").read_text("utf-8")
    return json.loads(text)


@cache
def field_rules(table: str) -> dict[str, FieldRule]:
    """The rules of every column of `table`, merged over HSDS 3.0 and the UK profile 3.0.

    A field is required when every profile that has the table requires it (the UK profile drops
    some HSDS fields, e.g. attribute.link_entity, so a UK file need not carry them).
    """
    data = standard_fields()
    merged: dict[str, FieldRule] = {}
    required: dict[str, bool] = {}
    for profile in ("hsds3", "oruk3"):
        resource = data[profile]["resources"].get(table)
        if not resource:
            continue
        names = set()
        for f in resource["fields"]:
            names.add(f["name"])
            required[f["name"]] = required.get(f["name"], True) and bool(f.get("required"))
            if f["name"] in merged:
                continue
            merged[f["name"]] = FieldRule(
                name=f["name"],
                type=f["type"],
                format=f.get("format"),
                enum=tuple(f["enum"]) if f.get("enum") else None,
            )
        for name in required:
            if name not in names:
                required[name] = False
    rules = {}
    for column in hsds_columns(table):
        rule = merged.get(column, FieldRule(column, "string"))
        rules[column] = replace(rule, required=required.get(column, False))
    return rules


def json_type(rule: FieldRule) -> str:
    """The JSON type of a field (dates and times travel as strings)."""
    return "number" if rule.type in {"number", "integer"} else "string"


@cache
def record_schema(table: str) -> dict[str, Any]:
    """A JSON schema (draft 2020-12) for one flat record of `table`, links left to the importer."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, rule in field_rules(table).items():
        prop: dict[str, Any] = {"type": [json_type(rule), "null"]}
        if rule.enum:
            prop["enum"] = [*rule.enum, None]
        properties[name] = prop
        if rule.required and name not in LINK_COLUMNS[table]:
            required.append(name)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": table,
        "type": "object",
        "properties": properties,
        "required": required,
    }
