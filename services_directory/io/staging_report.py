"""The report of a staged import, by record and field: what will be created, updated, unchanged
or withdrawn, what needs a person, what is invalid and why, and what was cleaned.

Stored with the batch as JSON; read back for its page and printed by the command line."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from services_directory.io.cleaning import Cleaning
from services_directory.io.plan import CREATED, UNCHANGED, UPDATED, Outcome
from services_directory.io.validity import Invalid

OUTCOMES = (CREATED, UPDATED, UNCHANGED)


@dataclass
class StagingReport:
    """Everything staff need to decide whether to publish a feed."""

    source: str = ""
    format: str = ""
    feed: str = ""
    services: list[dict[str, Any]] = field(default_factory=list)
    organizations: list[dict[str, Any]] = field(default_factory=list)
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    withdrawn: list[dict[str, str]] = field(default_factory=list)
    needs_person: list[dict[str, str]] = field(default_factory=list)
    invalid: list[dict[str, str]] = field(default_factory=list)
    cleaned: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    not_mapped: list[str] = field(default_factory=list)
    problem: str = ""  # the file could not be read at all
    published: dict[str, int] = field(default_factory=dict)

    def set_plan(self, plan: dict[str, list[Outcome]]) -> None:
        """Record the planned outcome of every record (services and organisations listed)."""
        for table, outcomes in plan.items():
            self.tables[table] = dict(Counter(o.outcome for o in outcomes))
        for table, target in (("service", self.services), ("organization", self.organizations)):
            target[:] = [
                {"id": o.record_id, "name": o.name, "outcome": o.outcome, "fields": o.fields}
                for o in sorted(plan.get(table, []), key=lambda o: (o.name.lower(), o.record_id))
            ]

    def set_invalid(self, invalid: list[Invalid]) -> None:
        """Record why each record left out is left out."""
        self.invalid = [
            {
                "table": i.table,
                "id": i.record_id,
                "name": i.name,
                "where": i.where,
                "field": i.field,
                "reason": i.reason,
            }
            for i in invalid
        ]

    def set_cleaned(self, cleaned: list[Cleaning], names: dict[tuple[str, str], str]) -> None:
        """Record each cleaning, with the name of the record it was made in."""
        self.cleaned = [
            {
                "table": c.table,
                "id": c.record_id,
                "name": names.get((c.table, c.record_id), ""),
                "where": c.where,
                "field": c.field,
                "message": c.message,
            }
            for c in cleaned
        ]

    def invalid_services(self) -> list[str]:
        """Ids of the services left out."""
        return sorted({i["id"] for i in self.invalid if i["table"] == "service"})

    def counts(self) -> dict[str, int]:
        """The figures shown first."""
        outcomes = Counter(s["outcome"] for s in self.services)
        return {
            "services": len(self.services) + len(self.invalid_services()),
            "created": outcomes.get(CREATED, 0),
            "updated": outcomes.get(UPDATED, 0),
            "unchanged": outcomes.get(UNCHANGED, 0),
            "withdrawn": len(self.withdrawn),
            "needs_person": len(self.needs_person),
            "invalid_services": len(self.invalid_services()),
            "invalid_records": len({(i["table"], i["id"]) for i in self.invalid}),
            "cleaned": len(self.cleaned),
            "organizations": len(self.organizations),
        }

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON values (its lists already hold plain dicts: no deep copy)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> StagingReport:
        """A report read back from the database."""
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in (data or {}).items() if k in known})

    def lines(self, limit: int = 50) -> list[str]:
        """The report as lines of text (the command line), each list cut at `limit`."""
        c = self.counts()
        out = [
            f"{self.source} ({self.format}), feed {self.feed!r}: {c['services']} services: "
            f"{c['created']} to create, {c['updated']} to update, {c['unchanged']} unchanged, "
            f"{c['withdrawn']} to withdraw, {c['invalid_services']} invalid, "
            f"{c['needs_person']} need a person; {c['cleaned']} field(s) cleaned"
        ]
        sections: list[tuple[str, list[str]]] = [
            (
                "invalid (left out)",
                [_invalid_line(i) for i in self.invalid],
            ),
            (
                "needs a person",
                [f"{n['name']} (service {n['id']}): {n['reason']}" for n in self.needs_person],
            ),
            ("withdrawn", [f"{w['name']} (service {w['id']})" for w in self.withdrawn]),
            (
                "cleaned",
                [
                    f"{x['where']} ({x['table']} {x['id']}).{x['field']}: {x['message']}"
                    for x in self.cleaned
                ],
            ),
        ]
        for title, items in sections:
            if not items:
                continue
            out.append(f"{title}: {len(items)}")
            out += [f"  {line}" for line in items[:limit]]
            if len(items) > limit:
                out.append(f"  ... and {len(items) - limit} more")
        return out


def _invalid_line(item: dict[str, str]) -> str:
    record = f"{item['where']} ({item['table']} {item['id']})" if item["table"] else item["where"]
    name = f" {item['name']!r}" if item.get("name") else ""
    where = f"{record}.{item['field']}" if item["field"] else record
    return f"{where}{name}: {item['reason']}"
