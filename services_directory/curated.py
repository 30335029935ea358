"""Load the curated YAML data (national services, local examples, need taxonomy) into the
database as HSDS 3.0 records plus the `x_` extensions. Idempotent: reloading changes only what
changed in the files, and logs each change in `metadata`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from services_directory import wording
from services_directory.curated_model import entry_errors
from services_directory.errors import InvalidRecord, RecordError
from services_directory.io.records import RecordSet
from services_directory.io.writer import CHANGE_LOG_AUTHOR, ChangeLog, WriteReport, upsert
from services_directory.localities import (
    Locality,
    file_localities,
    load_localities,
    read_localities,
)
from services_directory.locality_edit import seed_localities
from services_directory.models import (
    Service,
    ServiceLocality,
    ServiceProfile,
    utcnow,
)
from services_directory.schedules import DAYS
from services_directory.search.rows import TIER_PREFIX

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://openreferral.org.uk/youth-support/directory")
"""HSDS ids of curated records are uuid5(NAMESPACE, ...): service ids are uuid5(NAMESPACE, slug)."""

SERVICE_FILES = ("national_services.yml", "local_sample_services.yml")
TAXONOMY_FILE = "taxonomy.yml"
UPDATED_BY = f"{CHANGE_LOG_AUTHOR} curated data"
TIERS = ("crisis", "safeguarding", "need")


def curated_id(*parts: object) -> str:
    """The HSDS id of a curated record ("service id" = curated_id(slug))."""
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def data_dir() -> Path:
    """The folder of the curated YAML files (services_directory/data/)."""
    return Path(str(resources.files("services_directory").joinpath("data")))


@dataclass
class CuratedReport:
    """What a load of the curated data did."""

    services: int = 0
    terms: int = 0
    written: WriteReport = field(default_factory=WriteReport)
    retired: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        retired = f", {len(self.retired)} retired" if self.retired else ""
        return (
            f"{self.services} curated services, {self.terms} need terms - "
            f"{self.written.summary()}{retired}"
        )


def read_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _service_records(
    entry: dict[str, Any], records: RecordSet, localities: dict[str, Locality]
) -> str:
    slug = entry["slug"]
    sid = curated_id(slug)
    org = entry["organization"]
    oid = curated_id("organization", org["name"])
    known = records.records.get("organization", {}).get(oid)
    if known is not None:
        # Several entries name the same organization: the first entry's details are used.
        if (org.get("description") or org["name"]) != known.values.get("description"):
            records.warnings.append(
                f"{slug}: organization {org['name']!r} is described differently elsewhere; "
                "the first description is kept"
            )
    else:
        records.add(
            "organization",
            {
                "id": oid,
                "name": org["name"],
                "description": org.get("description") or org["name"],
                "website": org.get("url"),
            },
            f"{slug}.organization",
        )
    last_verified = entry.get("last_verified")
    records.add(
        "service",
        {
            "id": sid,
            "organization_id": oid,
            "name": entry["name"],
            "description": entry.get("description"),
            "url": entry.get("url"),
            "email": entry.get("email"),
            "status": "active",
            "eligibility_description": entry.get("eligibility_description"),
            "minimum_age": entry.get("minimum_age"),
            "maximum_age": entry.get("maximum_age"),
            "assured_date": last_verified.isoformat() if last_verified else None,
            "application_process": entry.get("what_happens"),
        },
        slug,
    )
    children = records.authoritative
    for table in ("phone", "schedule", "language", "service_area", "cost_option"):
        children.setdefault((table, "service_id"), set()).add(sid)
    for mode in entry.get("contact_modes") or []:
        if mode["mode"] in ("call", "text"):
            pid = curated_id(slug, "phone", mode["mode"], mode["value"])
            records.add(
                "phone",
                {
                    "id": pid,
                    "service_id": sid,
                    "number": str(mode["value"]),
                    "type": "voice" if mode["mode"] == "call" else "text",
                    "description": mode.get("label"),
                },
                f"{slug}.contact_modes",
            )
    rows = entry.get("schedules") or []
    if entry.get("open_24_7"):
        rows = [{"byday": list(DAYS), "opens_at": "00:00", "closes_at": "24:00"}]
    for i, row in enumerate(rows):
        days = row["byday"] if isinstance(row["byday"], list) else str(row["byday"]).split(",")
        records.add(
            "schedule",
            {
                "id": curated_id(slug, "schedule", i),
                "service_id": sid,
                "freq": "WEEKLY",
                "byday": ",".join(str(d).strip() for d in days),
                "opens_at": str(row["opens_at"]),
                "closes_at": str(row["closes_at"]),
                "description": "Open 24 hours, every day" if entry.get("open_24_7") else None,
            },
            f"{slug}.schedules[{i}]",
        )
    for lang in entry.get("languages") or []:
        info = wording.languages()[lang]
        records.add(
            "language",
            {
                "id": curated_id(slug, "language", lang),
                "service_id": sid,
                "name": info["name"],
                "code": info["code"],
            },
            f"{slug}.languages",
        )
    if entry.get("area") == "national":
        records.add(
            "service_area",
            {
                "id": curated_id(slug, "area", "england"),
                "service_id": sid,
                "name": "England",
                "service_area": "England",
                "extent_type": "text",
            },
            f"{slug}.area",
        )
    for loc in entry.get("localities") or []:
        name = localities[loc].name
        records.add(
            "service_area",
            {
                "id": curated_id(slug, "area", loc),
                "service_id": sid,
                "name": name,
                "service_area": name,
                "description": ", ".join(localities[loc].districts),
                "extent_type": "text",
            },
            f"{slug}.localities",
        )
    if entry.get("cost") == "free":
        records.add(
            "cost_option",
            {
                "id": curated_id(slug, "cost", "free"),
                "service_id": sid,
                "option": "Free",
                "amount": 0,
                "currency": "GBP",
            },
            f"{slug}.cost",
        )
    return sid


def _profile_rows(entry: dict[str, Any], sid: str) -> dict[str, Any]:
    confidentiality = entry.get("confidentiality") or {}
    return {
        "service_id": sid,
        "slug": entry["slug"],
        "summary": entry.get("summary"),
        "what_happens": entry.get("what_happens"),
        "confidentiality_summary": confidentiality.get("summary"),
        "anonymous": confidentiality.get("anonymous"),
        "tells_parents": confidentiality.get("tells_parents"),
        "crisis": bool(entry.get("crisis")),
        "crisis_order": entry.get("crisis_order") if entry.get("crisis") else None,
        "area": entry.get("area") or "national",
        "cost": entry.get("cost"),
        "open_24_7": bool(entry.get("open_24_7")),
        "closed_on_bank_holidays": bool(entry.get("closed_on_bank_holidays")),
        "last_verified": entry.get("last_verified"),
        "source_url": entry.get("source_url"),
        "sample": bool(entry.get("sample")),
    }


def _mode_rows(entry: dict[str, Any], sid: str) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for position, mode in enumerate(entry.get("contact_modes") or []):
        mid = curated_id(entry["slug"], "contact_mode", position)
        hours = mode.get("hours")
        rows[mid] = {
            "id": mid,
            "service_id": sid,
            "position": position,
            "mode": mode["mode"],
            "value": str(mode["value"]),
            "body": mode.get("body"),
            "label": mode.get("label")
            or wording.default_label(mode["mode"], str(mode["value"]), mode.get("body")),
            "href": mode.get("href"),
            "always": hours == "always",
            "hours": [
                {
                    "byday": h["byday"]
                    if isinstance(h["byday"], list)
                    else str(h["byday"]).split(","),
                    "opens_at": str(h["opens_at"]),
                    "closes_at": str(h["closes_at"]),
                }
                for h in hours
            ]
            if isinstance(hours, list)
            else None,
        }
    return rows


def _taxonomy_records(
    taxonomy: dict[str, Any], records: RecordSet, slugs: dict[str, str], errors: list[RecordError]
) -> int:
    info = taxonomy.get("taxonomy") or {}
    tax_key = info.get("id") or "youth-needs"
    tax_id = curated_id("taxonomy", tax_key)
    tax_name = info.get("name") or tax_key
    records.add(
        "taxonomy",
        {
            "id": tax_id,
            "name": tax_name,
            "description": info.get("description") or tax_name,
            "version": str(info["version"]) if info.get("version") else None,
        },
        "taxonomy.yml",
    )
    tier_ids = {}
    for tier in TIERS:
        tier_ids[tier] = curated_id("taxonomy", tax_key, "tier", tier)
        records.add(
            "taxonomy_term",
            {
                "id": tier_ids[tier],
                "code": f"{TIER_PREFIX}{tier}",
                "name": tier.capitalize(),
                "description": f"Intents of the {tier} tier",
                "taxonomy": tax_name,
                "taxonomy_id": tax_id,
            },
            f"taxonomy.yml tier {tier}",
        )
    terms = taxonomy.get("terms") or []
    for i, term in enumerate(terms):
        where = f"taxonomy.yml terms[{i}] ({term.get('code')})"
        if term.get("tier") not in TIERS:
            errors.append(RecordError(where, "tier", f"must be one of {', '.join(TIERS)}"))
            continue
        if not term.get("code") or not term.get("name"):
            errors.append(RecordError(where, "code", "code and name are required"))
            continue
        term_id = curated_id("taxonomy", tax_key, "term", term["code"])
        records.add(
            "taxonomy_term",
            {
                "id": term_id,
                "code": term["code"],
                "name": term["name"],
                "description": term.get("description") or term["name"],
                "parent_id": tier_ids[term["tier"]],
                "taxonomy": tax_name,
                "taxonomy_id": tax_id,
            },
            where,
        )
        for rank, slug in enumerate(term.get("services") or [], start=1):
            if slug not in slugs:
                errors.append(RecordError(where, "services", f"unknown service slug {slug!r}"))
                continue
            sid = slugs[slug]
            records.add(
                "attribute",
                {
                    "id": curated_id("need", term["code"], slug),
                    "link_id": sid,
                    "taxonomy_term_id": term_id,
                    "link_type": "need",
                    "link_entity": "service",
                    "value": str(rank),
                },
                where,
            )
            records.authoritative.setdefault(("attribute", "link_id"), set()).add(sid)
    return len(terms)


def load_curated(
    session: Session,
    directory: str | Path | None = None,
    *,
    progress: Callable[[str, int, int], None] | None = None,
) -> CuratedReport:
    """Upsert the curated services and need taxonomy from `directory` (default: the package's
    data/). Raises InvalidRecord, writing nothing, if any entry is invalid. The caller commits."""
    from services_directory.io.importer import existing_ids, write_records

    folder = Path(directory) if directory else data_dir()
    # The localities admins defined when there are any; else the folder's own (or the configured
    # file), which then seed the database: checked and built from the same ones.
    localities = read_localities(session) or (
        load_localities(str(folder / "localities.yml"))
        if (folder / "localities.yml").is_file()
        else file_localities()
    )
    errors: list[RecordError] = []
    entries: list[dict[str, Any]] = []
    for name in SERVICE_FILES:
        path = folder / name
        if not path.is_file():
            continue
        data = read_yaml(path) or []
        if not isinstance(data, list):
            errors.append(RecordError(name, "", "must be a list of service entries"))
            continue
        for i, entry in enumerate(data):
            errors.extend(entry_errors(entry, f"{name}[{i}]", set(localities)))
            if isinstance(entry, dict):
                entries.append(entry)
    seen: dict[str, int] = {}
    for entry in entries:
        slug = str(entry.get("slug"))
        seen[slug] = seen.get(slug, 0) + 1
    errors.extend(
        RecordError(str(slug), "slug", "is used by more than one entry")
        for slug, n in seen.items()
        if n > 1
    )
    if errors:
        raise InvalidRecord(errors, str(folder))

    records = RecordSet()
    slugs = {entry["slug"]: _service_records(entry, records, localities) for entry in entries}
    terms = 0
    taxonomy_path = folder / TAXONOMY_FILE
    if taxonomy_path.is_file():
        terms = _taxonomy_records(read_yaml(taxonomy_path) or {}, records, slugs, errors)
    records.validate(existing_ids(session, records.referenced_ids()))
    errors.extend(records.errors)
    if errors:
        raise InvalidRecord(errors, str(folder))
    seed_localities(session, localities)

    profiles = {sid: _profile_rows(e, sid) for e in entries for sid in [slugs[e["slug"]]]}
    modes: dict[str, dict[str, Any]] = {}
    for entry in entries:
        modes.update(_mode_rows(entry, slugs[entry["slug"]]))
    wanted_localities = {
        (slugs[e["slug"]], loc) for e in entries for loc in e.get("localities") or []
    }
    report = CuratedReport(services=len(entries), terms=terms, warnings=records.warnings)

    def extensions(log: ChangeLog, written: WriteReport) -> None:
        upsert(session, "x_service_profile", profiles, log, written)
        upsert(session, "x_contact_mode", modes, log, written)
        from services_directory.io.writer import detach_stale

        detach_stale(
            session, "x_contact_mode", "service_id", set(profiles), set(modes), log, written
        )
        current = {
            (r.service_id, r.locality)
            for r in session.execute(
                select(ServiceLocality.service_id, ServiceLocality.locality).where(
                    ServiceLocality.service_id.in_(list(profiles))
                )
            )
        }
        for sid, loc in sorted(current - wanted_localities):
            session.execute(
                delete(ServiceLocality).where(
                    ServiceLocality.service_id == sid, ServiceLocality.locality == loc
                )
            )
            log.add("x_service_locality", sid, "delete", "locality", loc, None)
            written.deleted["x_service_locality"] += 1
        now = utcnow()
        for sid, loc in sorted(wanted_localities - current):
            session.add(
                ServiceLocality(service_id=sid, locality=loc, created_at=now, updated_at=now)
            )
            log.add("x_service_locality", sid, "update", "locality", None, loc)
            written.created["x_service_locality"] += 1
        session.flush()
        # Curated services no longer in the files are retired, not deleted.
        gone = session.execute(
            select(ServiceProfile.service_id, ServiceProfile.slug)
            .join(Service, Service.id == ServiceProfile.service_id)
            .where(ServiceProfile.service_id.not_in(list(profiles)), Service.status == "active")
        ).all()
        for sid, slug in gone:
            session.execute(
                update(Service)
                .where(Service.id == sid)
                .values(status="inactive", updated_at=utcnow())
            )
            log.add("service", sid, "update", "status", "active", "inactive")
            report.retired.append(slug)

    report.written = write_records(
        session, records, updated_by=UPDATED_BY, progress=progress, extra=extensions
    )
    return report
