"""Read and write the HSDS 3.0 / ORUK 3.0 CSV data package (one CSV file per table)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from services_directory.io.records import RecordSet
from services_directory.io.structure import CSV_FILES, field_rules

Progress = Callable[[str, int, int], None]


def _package_paths(folder: Path) -> dict[str, list[str]]:
    """File names per table: the folder's datapackage.json (when it is one), then known names."""
    paths: dict[str, list[str]] = {table: list(names) for table, names in CSV_FILES.items()}
    descriptor = folder / "datapackage.json"
    if descriptor.is_file():
        try:
            package = json.loads(descriptor.read_text("utf-8"))
        except (ValueError, UnicodeDecodeError):
            package = None
        if isinstance(package, dict):
            for resource in package.get("resources") or []:
                name, path = resource.get("name"), resource.get("path")
                if name in paths and isinstance(path, str) and path not in paths[name]:
                    paths[name].insert(0, path)
    return paths


def read_csv_rows(
    folder: Path,
) -> tuple[dict[str, list[tuple[str, int, dict[str, str]]]], list[str]]:
    """Raw rows per table: (file name, line number, {column: text}), and files not understood."""
    out: dict[str, list[tuple[str, int, dict[str, str]]]] = {}
    used: set[str] = set()
    for table, names in _package_paths(folder).items():
        for name in names:
            path = folder / name
            if not path.is_file() or name in used:
                continue
            used.add(name)
            with path.open(newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle)
                for line, row in enumerate(reader, start=2):
                    out.setdefault(table, []).append((name, line, row))
    ignored = sorted(p.name for p in folder.iterdir() if p.suffix == ".csv" and p.name not in used)
    return out, ignored


def _to_json_value(kind: str, text: str) -> Any:
    if kind in {"number", "integer"}:
        number = float(text)
        return int(number) if number.is_integer() else number
    return text


def read_csv_package(folder: Path, *, progress: Progress | None = None) -> RecordSet:
    """Read a CSV data package folder into records (rows of the same id in two files are merged)."""
    records = RecordSet()
    raw, ignored = read_csv_rows(folder)
    total = sum(len(rows) for rows in raw.values())
    done = 0
    for name in ignored:
        records.warnings.append(f"{name}: not an HSDS 3.0 table, ignored")
    for table, rows in raw.items():
        rules = field_rules(table)
        unknown: set[str] = set()
        for name, line, row in rows:
            where = f"{name} line {line}"
            values: dict[str, Any] = {}
            for column, text in row.items():
                if column is None:
                    records.error(where, "", "has more values than the header has columns")
                    continue
                column = column.strip()
                if column not in rules:
                    unknown.add(column)
                    continue
                if text is None or text == "":
                    continue
                try:
                    values[column] = _to_json_value(rules[column].type, text)
                except ValueError:
                    records.error(
                        f"{where} ({table} {row.get('id', '?')})",
                        column,
                        f"{text!r} is not a number",
                    )
            records.add(table, values, where)
            done += 1
            if progress and done % 2000 == 0:
                progress("read", done, total)
        if unknown:
            records.warnings.append(
                f"{table}: column(s) not in HSDS 3.0, ignored: {', '.join(sorted(unknown))}"
            )
    if progress:
        progress("read", total, total)
    return records


def csv_text(value: Any) -> str:
    """How one value is written in a CSV cell."""
    from services_directory.io.records import format_datetime, format_number

    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(format_number(value))
    if hasattr(value, "hour") and hasattr(value, "year"):
        return format_datetime(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def write_csv_package(folder: Path, tables: dict[str, list[dict[str, Any]]]) -> list[Path]:
    """Write one CSV per table (HSDS 3.0 file names) and a datapackage.json describing them."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    resources: list[dict[str, Any]] = []
    for table, rows in tables.items():
        rules = field_rules(table)
        columns = list(rules)
        path = folder / CSV_FILES[table][0]
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in rows:
                writer.writerow([csv_text(row.get(c)) for c in columns])
        written.append(path)
        resources.append(
            {
                "name": table,
                "path": path.name,
                "profile": "tabular-data-resource",
                "schema": {
                    "primaryKey": "id",
                    "fields": [
                        {
                            "name": r.name,
                            "type": r.type,
                            **({"format": r.format} if r.format else {}),
                            "constraints": {
                                "required": r.required,
                                **({"enum": list(r.enum)} if r.enum else {}),
                            },
                        }
                        for r in rules.values()
                    ],
                },
            }
        )
    descriptor = folder / "datapackage.json"
    descriptor.write_text(
        json.dumps(
            {
                "name": "human_services_data",
                "profile": "tabular-data-package",
                "version": "3.0.0",
                "resources": resources,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    written.append(descriptor)
    return written
