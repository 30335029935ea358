"""Map the older Open Referral UK v1 (HSDS 1.1 based) `/services` JSON onto HSDS 3.0 records.

What maps is mapped; what does not is counted and reported (never silently dropped).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from services_directory.io.records import UUID_RE, RecordSet, stable_uuid

V1_SERVICE_MARKERS = {
    "eligibilitys",
    "regular_schedules",
    "holiday_schedules",
    "service_taxonomys",
    "fundings",
    "reviews",
    "review",
    "deliverable_type",
    "attending_access",
}
V1_PAGE_KEYS = {"totalElements", "totalPages", "content"}
WEEKDAYS = {
    "monday": "MO",
    "tuesday": "TU",
    "wednesday": "WE",
    "thursday": "TH",
    "friday": "FR",
    "saturday": "SA",
    "sunday": "SU",
    "mon": "MO",
    "tue": "TU",
    "wed": "WE",
    "thu": "TH",
    "fri": "FR",
    "sat": "SA",
    "sun": "SU",
}
UNMAPPED_SERVICE_FIELDS = {
    "attending_type": "HSDS 3.0 keeps attending_type on schedules only",
    "attending_access": "no HSDS 3.0 field",
    "deliverable_type": "no HSDS 3.0 field",
    "holiday_schedules": "HSDS 3.0 has no holiday schedules",
    "reviews": "HSDS 3.0 has no reviews",
    "review": "HSDS 3.0 has no reviews",
}
SERVICE_SCALARS = ("name", "description", "url", "email", "status", "fees", "accreditations")
TIME_RE = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def looks_like_v1(document: Any) -> bool:
    """Whether a JSON document is ORUK v1 (`/services` page, list or single service)."""
    if isinstance(document, dict) and V1_PAGE_KEYS & set(document) and "content" in document:
        return True
    items = document if isinstance(document, list) else [document]
    return any(isinstance(item, dict) and V1_SERVICE_MARKERS & set(item) for item in items[:5])


class V1Mapper:
    """Builds HSDS 3.0 records from v1 services and counts what could not be mapped."""

    def __init__(self) -> None:
        self.records = RecordSet()
        self.unmapped: Counter[str] = Counter()
        self.notes: Counter[str] = Counter()

    def _id(self, kind: str, value: Any, where: str) -> str:
        if isinstance(value, str) and UUID_RE.match(value):
            return value
        if value is None or value == "":
            self.records.error(where, "id", "is missing")
            return stable_uuid("oruk-v1", kind, where)
        self.notes[f"{kind} ids that are not UUIDs were given stable UUIDs (uuid5)"] += 1
        return stable_uuid("oruk-v1", kind, value)

    def _skip(self, obj: dict[str, Any], known: set[str], where: str) -> None:
        for key, value in obj.items():
            if key not in known and value not in (None, "", [], {}):
                self.unmapped[f"{where}.{key}: no HSDS 3.0 field"] += 1

    def service(self, item: dict[str, Any], where: str) -> None:
        sid = self._id("service", item.get("id"), where)
        values: dict[str, Any] = {"id": sid}
        for name in SERVICE_SCALARS:
            if item.get(name) not in (None, ""):
                values[name] = item[name]
        values.setdefault("status", "active")
        if item.get("assured_date"):
            values["assured_date"] = str(item["assured_date"])[:10]
        org = item.get("organization")
        if isinstance(org, dict):
            values["organization_id"] = self.organization(org, f"{where}.organization")
        else:
            self.records.error(f"{where} (service {sid})", "organization", "is missing")
        self._eligibility(item.get("eligibilitys") or [], values)
        for key, reason in UNMAPPED_SERVICE_FIELDS.items():
            if item.get(key) not in (None, "", []):
                self.unmapped[f"service.{key}: {reason}"] += 1
        known = {
            "id",
            *SERVICE_SCALARS,
            "assured_date",
            "organization",
            "eligibilitys",
            "contacts",
            "cost_options",
            "fundings",
            "languages",
            "regular_schedules",
            "service_areas",
            "service_at_locations",
            "service_taxonomys",
            *UNMAPPED_SERVICE_FIELDS,
        }
        self._skip(item, known, "service")
        self.records.add("service", values, where)
        for i, contact in enumerate(item.get("contacts") or []):
            self.contact(contact, sid, f"{where}.contacts[{i}]")
        for i, cost in enumerate(item.get("cost_options") or []):
            self.cost_option(cost, sid, f"{where}.cost_options[{i}]")
        for i, funding in enumerate(item.get("fundings") or []):
            fid = self._id("funding", funding.get("id"), f"{where}.fundings[{i}]")
            self.records.add(
                "funding", {"id": fid, "service_id": sid, "source": funding.get("source")}, where
            )
        for i, language in enumerate(item.get("languages") or []):
            lid = self._id("language", language.get("id"), f"{where}.languages[{i}]")
            self.records.add(
                "language", {"id": lid, "service_id": sid, "name": language.get("language")}, where
            )
        for i, schedule in enumerate(item.get("regular_schedules") or []):
            self.schedule(schedule, {"service_id": sid}, f"{where}.regular_schedules[{i}]")
        for i, area in enumerate(item.get("service_areas") or []):
            aid = self._id("service_area", area.get("id"), f"{where}.service_areas[{i}]")
            text = area.get("service_area")
            self.records.add(
                "service_area",
                {
                    "id": aid,
                    "service_id": sid,
                    "name": text,
                    "service_area": text,
                    "extent": area.get("extent"),
                    "uri": area.get("uri"),
                },
                where,
            )
        for i, sal in enumerate(item.get("service_at_locations") or []):
            self.service_at_location(sal, sid, f"{where}.service_at_locations[{i}]")
        for i, link in enumerate(item.get("service_taxonomys") or []):
            self.taxonomy(link, sid, f"{where}.service_taxonomys[{i}]")

    def _eligibility(self, eligibilitys: list[dict[str, Any]], values: dict[str, Any]) -> None:
        lows = [n for e in eligibilitys if (n := _number(e.get("minimum_age"))) is not None]
        highs = [n for e in eligibilitys if (n := _number(e.get("maximum_age"))) is not None]
        if lows:
            values["minimum_age"] = min(lows)
        if highs:
            values["maximum_age"] = max(highs)
        texts = [str(e["eligibility"]) for e in eligibilitys if e.get("eligibility")]
        if texts:
            values["eligibility_description"] = "; ".join(texts)
        if len(eligibilitys) > 1:
            self.notes["several eligibilitys were merged into one age range"] += 1

    def organization(self, org: dict[str, Any], where: str) -> str:
        oid = self._id("organization", org.get("id"), where)
        values = {
            "id": oid,
            "name": org.get("name"),
            "description": org.get("description") or org.get("name"),
            "email": org.get("email") or None,
            "website": org.get("website") or org.get("url") or None,
            "logo": org.get("logo") or None,
            "uri": org.get("uri") or None,
        }
        if not org.get("description"):
            self.notes["organizations without a description use their name"] += 1
        self._skip(
            org,
            {
                "id",
                "name",
                "description",
                "email",
                "website",
                "url",
                "logo",
                "uri",
                "reviews",
                "services",
            },
            "organization",
        )
        self.records.add("organization", values, where)
        return oid

    def contact(self, contact: dict[str, Any], sid: str, where: str) -> None:
        cid = self._id("contact", contact.get("id"), where)
        self.records.add(
            "contact",
            {
                "id": cid,
                "service_id": sid,
                "name": contact.get("name"),
                "title": contact.get("title"),
            },
            where,
        )
        for i, phone in enumerate(contact.get("phones") or []):
            pid = self._id("phone", phone.get("id"), f"{where}.phones[{i}]")
            if not phone.get("number"):
                self.unmapped["phone without a number: dropped"] += 1
                continue
            self.records.add(
                "phone",
                {"id": pid, "contact_id": cid, "service_id": sid, "number": str(phone["number"])},
                where,
            )
            if phone.get("language"):
                lid = stable_uuid("oruk-v1", "phone-language", pid, phone["language"])
                self.records.add(
                    "language", {"id": lid, "phone_id": pid, "name": phone["language"]}, where
                )

    def cost_option(self, cost: dict[str, Any], sid: str, where: str) -> None:
        cid = self._id("cost_option", cost.get("id"), where)
        values = {
            "id": cid,
            "service_id": sid,
            "option": cost.get("option"),
            "amount": _number(cost.get("amount")),
            "amount_description": cost.get("amount_description"),
        }
        for key in ("valid_from", "valid_to"):
            if cost.get(key):
                values[key] = str(cost[key])[:10]
        if cost.get("linkid"):
            self.unmapped["cost_option.linkid: no HSDS 3.0 field"] += 1
        self.records.add("cost_option", values, where)

    def schedule(self, schedule: dict[str, Any], links: dict[str, str], where: str) -> None:
        sched_id = self._id("schedule", schedule.get("id"), where)
        values: dict[str, Any] = {"id": sched_id, **links}
        byday = schedule.get("byday")
        weekday = schedule.get("weekday")
        if not byday and weekday:
            code = WEEKDAYS.get(str(weekday).strip().lower())
            if code:
                byday = code
            else:
                self.unmapped[f"regular_schedule.weekday {weekday!r}: not a day"] += 1
        if byday:
            values["byday"] = byday
            values["freq"] = str(schedule.get("freq") or "WEEKLY").upper()
        for key in ("opens_at", "closes_at"):
            text = _time(schedule.get(key))
            if text:
                values[key] = text
        for key in ("valid_from", "valid_to", "dtstart"):
            if schedule.get(key):
                values[key] = str(schedule[key])[:10]
        for key in ("interval",):
            if _number(schedule.get(key)) is not None:
                values[key] = _number(schedule[key])
        for key in ("bymonthday", "description"):
            if schedule.get(key):
                values[key] = str(schedule[key])
        self.records.add("schedule", values, where)

    def service_at_location(self, sal: dict[str, Any], sid: str, where: str) -> None:
        sal_id = self._id("service_at_location", sal.get("id"), where)
        location = sal.get("location")
        if not isinstance(location, dict):
            self.records.error(f"{where} (service_at_location {sal_id})", "location", "is missing")
            return
        lid = self._id("location", location.get("id"), f"{where}.location")
        self.records.add(
            "location",
            {
                "id": lid,
                "location_type": "physical",
                "name": location.get("name"),
                "description": location.get("description"),
                "latitude": _number(location.get("latitude")),
                "longitude": _number(location.get("longitude")),
            },
            where,
        )
        self.records.add(
            "service_at_location", {"id": sal_id, "service_id": sid, "location_id": lid}, where
        )
        for i, address in enumerate(location.get("physical_addresses") or []):
            self.address(address, lid, f"{where}.location.physical_addresses[{i}]")
        for access in location.get("accessibility_for_disabilities") or []:
            aid = self._id("accessibility", access.get("id"), where)
            text = access.get("accessibility")
            self.records.add(
                "accessibility",
                {"id": aid, "location_id": lid, "description": text, "accessibility": text},
                where,
            )
        for i, schedule in enumerate(sal.get("regular_schedules") or []):
            self.schedule(
                schedule, {"service_at_location_id": sal_id}, f"{where}.regular_schedules[{i}]"
            )

    def address(self, address: dict[str, Any], lid: str, where: str) -> None:
        aid = self._id("address", address.get("id"), where)
        values = {
            "id": aid,
            "location_id": lid,
            "address_1": address.get("address_1"),
            "city": address.get("city"),
            "state_province": address.get("state_province"),
            "postal_code": address.get("postal_code"),
            "country": address.get("country"),
            "address_type": "physical",
        }
        if not values["country"]:
            values["country"] = "GB"
            self.notes["addresses without a country were given GB (the UK profile's country)"] += 1
        if not values["state_province"] and values["city"] and values["postal_code"]:
            # Many UK feeds leave the county out; the postcode is what places the service.
            values["state_province"] = values["city"]
            self.notes["addresses without a county (state_province) were given their city"] += 1
        missing = [
            k for k in ("address_1", "city", "state_province", "postal_code") if not values[k]
        ]
        if missing:
            self.unmapped[
                f"physical_address without {', '.join(missing)} (required in HSDS 3.0): dropped"
            ] += 1
            return
        self.records.add("address", values, where)

    def taxonomy(self, link: dict[str, Any], sid: str, where: str) -> None:
        term = link.get("taxonomy")
        if not isinstance(term, dict) or not term.get("name"):
            self.unmapped["service_taxonomy without a taxonomy name: dropped"] += 1
            return
        vocabulary = term.get("vocabulary") or ""
        original = term.get("id")
        tid = self._id("taxonomy_term", f"{vocabulary}:{original}", f"{where}.taxonomy")
        values = {
            "id": tid,
            "name": term["name"],
            "description": term["name"],
            "taxonomy": vocabulary or None,
            "code": f"{vocabulary}:{original}" if original else None,
        }
        if term.get("parent"):
            values["parent_id"] = self._id(
                "taxonomy_term", f"{vocabulary}:{term['parent']}", f"{where}.taxonomy.parent"
            )
        self.records.add("taxonomy_term", values, where)
        aid = self._id("attribute", link.get("id") or f"{sid}:{tid}", where)
        self.records.add(
            "attribute",
            {"id": aid, "link_id": sid, "taxonomy_term_id": tid, "link_entity": "service"},
            where,
        )

    def report(self) -> list[str]:
        lines = [
            f"not imported: {what} ({n} record(s))" for what, n in sorted(self.unmapped.items())
        ]
        lines += [f"note: {what} ({n})" for what, n in sorted(self.notes.items())]
        return lines


def _number(value: Any) -> float | int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else number


def _time(value: Any) -> str | None:
    if not value:
        return None
    match = TIME_RE.search(str(value))
    if not match:
        return None
    hour, minute, second = match.group(1), match.group(2), match.group(3) or "00"
    return f"{int(hour):02d}:{minute}:{second}"


def read_oruk_v1(document: Any) -> tuple[RecordSet, list[str]]:
    """Map a v1 document (page, list or single service) to HSDS 3.0 records and a report."""
    if isinstance(document, dict) and "content" in document:
        items = document.get("content") or []
        prefix = "content"
    elif isinstance(document, list):
        items, prefix = document, ""
    else:
        items, prefix = [document], "$"
    mapper = V1Mapper()
    for index, item in enumerate(items):
        where = f"{prefix}[{index}]" if prefix != "$" else "$"
        if not isinstance(item, dict):
            mapper.records.error(where, "", "is not a JSON object")
            continue
        mapper.service(item, where)
    return mapper.records, mapper.report()
