"""Rows -> HSDS 3.0 JSON (service_full, list items, taxonomies) and the CSV data package."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services_directory.io.csv_package import write_csv_package
from services_directory.io.records import format_datetime, format_number
from services_directory.io.structure import (
    ATTRIBUTES,
    LINK_COLUMNS,
    METADATA,
    NESTS,
    TOP_LEVEL_NESTS,
    Nest,
    field_rules,
)
from services_directory.io.writer import chunks
from services_directory.models import HSDS_TABLES, hsds_columns

Row = dict[str, Any]


def json_value(value: Any) -> Any:
    """A database value as JSON: ISO dates, UTC date-times with milliseconds, 12 not 12.0."""
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return format_number(value)
    return value


class Graph:
    """Rows of every HSDS table that a set of services touches, indexed by id and by link."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Row]] = defaultdict(dict)
        self._by_link: dict[tuple[str, str], dict[str, list[Row]]] = {}

    def add(self, table: str, rows: Iterable[Row]) -> None:
        for row in rows:
            self.rows[table][row["id"]] = row
        self._by_link = {k: v for k, v in self._by_link.items() if k[0] != table}

    def get(self, table: str, record_id: str | None) -> Row | None:
        return self.rows[table].get(record_id) if record_id else None

    def children(self, table: str, column: str, parent_id: str) -> list[Row]:
        key = (table, column)
        index = self._by_link.get(key)
        if index is None:
            index = defaultdict(list)
            for row in self.rows[table].values():
                if row.get(column):
                    index[row[column]].append(row)
            self._by_link[key] = index
        return sorted(index.get(parent_id, ()), key=lambda r: r["id"])

    def ids(self, table: str) -> set[str]:
        return set(self.rows[table])


def _select(session: Session, table: str, where: dict[str, set[str]] | None) -> list[Row]:
    model = HSDS_TABLES[table]
    cols = [model.__table__.c[c] for c in hsds_columns(table)]
    if where is None:
        return [dict(r) for r in session.execute(select(*cols)).mappings()]
    out: dict[str, Row] = {}
    for column, values in where.items():
        for part in chunks(sorted(v for v in values if v)):
            stmt = select(*cols).where(or_(model.__table__.c[column].in_(part)))
            for r in session.execute(stmt).mappings():
                out[r["id"]] = dict(r)
    return list(out.values())


def load_graph(session: Session, service_ids: Iterable[str] | None = None) -> Graph:
    """Load the services (all when `service_ids` is None) and everything nested in them."""
    graph = Graph()
    everything = service_ids is None
    s_ids = None if everything else set(service_ids or ())

    def fetch(table: str, where: dict[str, set[str]]) -> None:
        graph.add(table, _select(session, table, None if everything else where))

    fetch("service", {"id": s_ids or set()})
    S = graph.ids("service")
    org_ids = {r["organization_id"] for r in graph.rows["service"].values()}
    fetch("organization", {"id": org_ids})
    O_IDS = graph.ids("organization")
    program_ids = {r["program_id"] for r in graph.rows["service"].values() if r["program_id"]}
    fetch("program", {"id": program_ids, "organization_id": O_IDS})
    fetch("service_at_location", {"service_id": S})
    SAL = graph.ids("service_at_location")
    loc_ids = {r["location_id"] for r in graph.rows["service_at_location"].values()}
    fetch("location", {"id": loc_ids, "organization_id": O_IDS})
    L = graph.ids("location")
    fetch(
        "contact",
        {
            "service_id": S,
            "service_at_location_id": SAL,
            "location_id": L,
            "organization_id": O_IDS,
        },
    )
    C = graph.ids("contact")
    fetch(
        "phone",
        {
            "service_id": S,
            "service_at_location_id": SAL,
            "location_id": L,
            "organization_id": O_IDS,
            "contact_id": C,
        },
    )
    P = graph.ids("phone")
    fetch("language", {"service_id": S, "location_id": L, "phone_id": P})
    fetch("schedule", {"service_id": S, "location_id": L, "service_at_location_id": SAL})
    fetch("address", {"location_id": L})
    fetch("accessibility", {"location_id": L})
    fetch("service_area", {"service_id": S})
    fetch("cost_option", {"service_id": S})
    fetch("funding", {"service_id": S, "organization_id": O_IDS})
    fetch("required_document", {"service_id": S})
    fetch("organization_identifier", {"organization_id": O_IDS})
    all_ids: set[str] = set()
    for rows in list(graph.rows.values()):
        all_ids |= set(rows)
    fetch("attribute", {"link_id": all_ids})
    term_ids = {r["taxonomy_term_id"] for r in graph.rows["attribute"].values()}
    fetch("taxonomy_term", {"id": term_ids})
    taxonomy_ids = {
        r["taxonomy_id"] for r in graph.rows["taxonomy_term"].values() if r["taxonomy_id"]
    }
    fetch("taxonomy", {"id": taxonomy_ids})
    for table in ("attribute", "taxonomy_term", "taxonomy"):
        all_ids |= graph.ids(table)
    fetch("metadata", {"resource_id": all_ids})
    if everything:
        graph.add("meta_table_description", _select(session, "meta_table_description", None))
    return graph


def scalars(table: str, row: Row, keep: Iterable[str] = ()) -> dict[str, Any]:
    """The plain fields of a record; links are left to the nesting unless listed in `keep`."""
    links = LINK_COLUMNS[table] - set(keep)
    out: dict[str, Any] = {}
    for name in field_rules(table):
        value = row.get(name)
        if value is None or name in links:
            continue
        out[name] = json_value(value)
    return out


def build(
    graph: Graph,
    table: str,
    row: Row,
    *,
    path: tuple[str, ...] = (),
    arrays: bool = True,
    top: bool = False,
) -> dict[str, Any]:
    """One record with everything nested in it, as in the standard's `*_full` examples.

    A nest back to a table already on the path is skipped (organization_full's services do not
    repeat the organization). With `arrays=False` only one-to-one objects are nested (list items).
    """
    path = (*path, table)
    nests: list[Nest] = list(NESTS.get(table, ()))
    if top:
        nests += TOP_LEVEL_NESTS.get(table, ())
    keep: list[str] = []
    nested: dict[str, Any] = {}
    for nest in nests:
        if nest.table in path:
            continue
        if nest.kind == "one":
            child = graph.get(nest.table, row.get(nest.column))
            if child is not None:
                nested[nest.key] = build(graph, nest.table, child, path=path, arrays=arrays)
            elif row.get(nest.column):
                keep.append(nest.column)
        elif arrays:
            nested[nest.key] = [
                build(graph, nest.table, c, path=path)
                for c in graph.children(nest.table, nest.column, row["id"])
            ]
    obj = scalars(table, row, keep)
    obj.update(nested)
    if arrays:
        for extra in (ATTRIBUTES, METADATA):
            if extra.table in path:
                continue
            children = graph.children(extra.table, extra.column, row["id"])
            if children:
                obj[extra.key] = [build(graph, extra.table, c, path=path) for c in children]
    return obj


def service_full(graph: Graph, service_id: str) -> dict[str, Any]:
    """A service in the HSDS 3.0 / ORUK 3.0 `service_full` shape."""
    return build(graph, "service", graph.rows["service"][service_id], top=True)


def service_list_item(graph: Graph, service_id: str) -> dict[str, Any]:
    """A service as an item of the paged `/services` list (one-to-one fields only)."""
    return build(graph, "service", graph.rows["service"][service_id], arrays=False)


def service_at_location_item(graph: Graph, sal_id: str, *, full: bool = False) -> dict[str, Any]:
    """A service_at_location with its location and its service (list item or full)."""
    return build(
        graph,
        "service_at_location",
        graph.rows["service_at_location"][sal_id],
        arrays=full,
        top=True,
    )


def taxonomy_term_item(term: Row, taxonomy: Row | None) -> dict[str, Any]:
    """A taxonomy term with its taxonomy as `taxonomy_detail` (HSDS 3.0)."""
    keep = () if taxonomy is not None else ("taxonomy_id",)
    obj = scalars("taxonomy_term", term, keep)
    if taxonomy is not None:
        obj["taxonomy_detail"] = scalars("taxonomy", taxonomy)
    return obj


def export_json(session: Session, folder: Path) -> list[Path]:
    """Write services.json (service_full array) and taxonomies.json (taxonomies with terms)."""
    folder.mkdir(parents=True, exist_ok=True)
    graph = load_graph(session)
    services = [service_full(graph, sid) for sid in sorted(graph.rows["service"])]
    taxonomies = []
    terms = _select(session, "taxonomy_term", None)
    by_taxonomy: dict[str, list[Row]] = defaultdict(list)
    for term in terms:
        if term["taxonomy_id"]:
            by_taxonomy[term["taxonomy_id"]].append(term)
    for taxonomy in sorted(_select(session, "taxonomy", None), key=lambda r: r["id"]):
        obj = scalars("taxonomy", taxonomy)
        obj["taxonomy_terms"] = [
            scalars("taxonomy_term", t)
            for t in sorted(by_taxonomy.get(taxonomy["id"], []), key=lambda r: r["id"])
        ]
        taxonomies.append(obj)
    written = []
    for name, data in (("services.json", services), ("taxonomies.json", taxonomies)):
        path = folder / name
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


def export_csv(session: Session, folder: Path) -> list[Path]:
    """Write every HSDS table as the CSV data package (HSDS 3.0 file names, UK fields included)."""
    tables = {
        table: sorted(_select(session, table, None), key=lambda r: r["id"]) for table in HSDS_TABLES
    }
    return write_csv_package(folder, tables)
