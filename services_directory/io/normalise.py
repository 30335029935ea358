"""Canonical forms for comparing HSDS documents (round trips): order, nulls and number forms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from services_directory.io.csv_package import read_csv_rows
from services_directory.io.records import format_datetime, parse_datetime
from services_directory.io.writer import CHANGE_LOG_AUTHOR

DATETIME_KEYS = {"last_modified"}


def normalise(value: Any, key: str = "") -> Any:
    """Drop nulls and empty arrays, sort arrays of records by id, write numbers and date-times one
    way, trim the spaces around text (the importer's cleaning trims them), and leave out the
    change-log entries the directory wrote itself."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            n = normalise(v, k)
            if n is None or n == [] or n == {}:
                continue
            out[k] = n
        return out
    if isinstance(value, list):
        items = [normalise(v, key) for v in value]
        if key == "metadata":
            items = [
                i
                for i in items
                if not (
                    isinstance(i, dict)
                    and str(i.get("updated_by", "")).startswith(CHANGE_LOG_AUTHOR)
                )
            ]
        if all(isinstance(i, dict) and "id" in i for i in items):
            items.sort(key=lambda i: str(i["id"]))
        return items
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        value = value.strip()
    if isinstance(value, str) and key in DATETIME_KEYS:
        try:
            return format_datetime(parse_datetime(value))
        except ValueError:
            return value
    if value == "":
        return None
    return value


def normalise_csv_package(folder: Path) -> dict[str, dict[str, dict[str, str]]]:
    """A CSV package as {table: {id: {column: text}}}, text trimmed, empty cells dropped,
    duplicate files merged, the directory's own change-log rows left out."""
    raw, _ignored = read_csv_rows(folder)
    out: dict[str, dict[str, dict[str, str]]] = {}
    for table, rows in raw.items():
        for _name, _line, row in rows:
            values = {k.strip(): v.strip() for k, v in row.items() if k and v and v.strip()}
            if table == "metadata" and values.get("updated_by", "").startswith(CHANGE_LOG_AUTHOR):
                continue
            for k, v in list(values.items()):
                if k in DATETIME_KEYS:
                    values[k] = format_datetime(parse_datetime(v))
                else:
                    try:
                        number = float(v)
                    except ValueError:
                        continue
                    if number.is_integer() and v.lstrip("-").replace(".0", "").isdigit():
                        values[k] = str(int(number))
            out.setdefault(table, {}).setdefault(values.get("id", ""), {}).update(values)
    return out
