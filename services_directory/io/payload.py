"""The bytes of a staged feed: a JSON file as it came, or a CSV package folder zipped; and
reading them back into records (HSDS 3.0 / ORUK 3.0 JSON, ORUK v1 JSON, or the CSV package)."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from services_directory.errors import InvalidRecord, RecordError
from services_directory.io.csv_package import read_csv_package
from services_directory.io.hsds_json import read_hsds_json
from services_directory.io.oruk_v1 import looks_like_v1, read_oruk_v1
from services_directory.io.records import RecordSet

Progress = Callable[[str, int, int], None]
ZIP_MAGIC = b"PK\x03\x04"
MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024  # a CSV package larger than this unzipped is refused


def payload_of(path: Path) -> bytes:
    """A file's bytes, or a CSV package folder as a zip file."""
    if not path.is_dir():
        return path.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in sorted(path.iterdir()):
            if item.is_file() and item.suffix in {".csv", ".json"}:
                archive.write(item, item.name)
    return buffer.getvalue()


def read_payload(
    payload: bytes, source: str, progress: Progress | None = None
) -> tuple[RecordSet, str, list[str]]:
    """Read HSDS 3.0 / ORUK 3.0 JSON, ORUK v1 JSON, or a CSV package zipped."""
    if payload.startswith(ZIP_MAGIC):
        return _read_zip(payload, source, progress), "CSV data package", []
    try:
        document = json.loads(payload.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        message = f"is neither JSON nor a zipped CSV package: {exc}"
        raise InvalidRecord([RecordError(source, "", message)], source) from exc
    if looks_like_v1(document):
        records, not_mapped = read_oruk_v1(document)
        return records, "ORUK v1 JSON", not_mapped
    return read_hsds_json(document, source=source, progress=progress), "HSDS 3.0 JSON", []


def _read_zip(payload: bytes, source: str, progress: Progress | None) -> RecordSet:
    try:
        archive = zipfile.ZipFile(io.BytesIO(payload))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except zipfile.BadZipFile as exc:
        raise InvalidRecord([RecordError(source, "", f"is not a zip file: {exc}")], source) from exc
    if sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
        message = "unzips to more than 1 GB: too large to import"
        raise InvalidRecord([RecordError(source, "", message)], source)
    with tempfile.TemporaryDirectory() as tmp, archive:
        folder = Path(tmp)
        for member in members:
            name = Path(member.filename).name  # never a path outside the folder
            if name.endswith((".csv", ".json")):
                (folder / name).write_bytes(archive.read(member))
        return read_csv_package(folder, progress=progress)
