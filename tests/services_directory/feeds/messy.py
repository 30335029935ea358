"""A council's ORUK v1 feed as they come: services without an organisation, one id given twice
with different content, e-mail addresses with non-breaking spaces, HTML descriptions with
entities. `messy_feed()` is the first import; `messy_feed(second=True)` the next day's, in which
one service changed, one left and one is new."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

NBSP = "\u00a0"
ORGANISATIONS = {
    "org-1": "Riverside Youth Trust",
    "org-2": "Northgate Council Youth Service",
}


def organisation(key: str) -> dict[str, Any]:
    """A v1 organisation, as nested in each of its services."""
    return {
        "id": key,
        "name": ORGANISATIONS[key],
        "description": f"<p>{ORGANISATIONS[key]} runs youth services.</p>",
        "url": f"https://{key}.example.org",
    }


def service(number: int, org: str | None = "org-1", **changes: Any) -> dict[str, Any]:
    """A v1 service of the feed, with contacts, a place, hours and a taxonomy term."""
    item: dict[str, Any] = {
        "id": f"svc-{number}",
        "name": f"Youth Club {number}",
        "description": f"Drop-in sessions for young people aged 11 to 18 (club {number}).",
        "url": f"https://clubs.example.org/{number}",
        "email": f"club{number}@example.org",
        "status": "active",
        "eligibilitys": [{"id": f"elig-{number}", "minimum_age": 11, "maximum_age": 18}],
        "contacts": [
            {
                "id": f"contact-{number}",
                "name": "Reception",
                "phones": [{"id": f"phone-{number}", "number": f"020 7946 {number:04d}"}],
            }
        ],
        "regular_schedules": [
            {
                "id": f"sched-{number}",
                "weekday": "Monday",
                "opens_at": "16:00",
                "closes_at": "19:00",
            }
        ],
        "service_at_locations": [
            {
                "id": f"sal-{number}",
                "location": {
                    "id": f"loc-{number}",
                    "name": f"Club hall {number}",
                    "latitude": 51.5,
                    "longitude": -0.05,
                    "physical_addresses": [
                        {
                            "id": f"addr-{number}",
                            "address_1": f"{number} High Street",
                            "city": "London",
                            "state_province": "Greater London",
                            "postal_code": "E1 6AN",
                        }
                    ],
                },
            }
        ],
        "service_taxonomys": [
            {
                "id": f"st-{number}",
                "taxonomy": {"id": "youth", "name": "Youth clubs", "vocabulary": "esdServiceTypes"},
            }
        ],
    }
    if org is not None:
        item["organization"] = organisation(org)
    item.update(changes)
    return item


def messy_feed(second: bool = False) -> dict[str, Any]:
    """The feed, page envelope and all. Services 1-4 are good (1 and 2 messy but cleanable),
    5 has no organisation, 6 is given twice with different content."""
    first = service(
        1,
        description=(
            "<p>Free&nbsp;drop-in for young people.</p><ul><li>Games &amp; sport</li>"
            "<li>Someone to talk to</li></ul><script>alert('x')</script>"
        ),
        email=f"club1@example.org{NBSP}",
    )
    items = [
        first,
        service(2, org="org-2", email=f"club2@exam{NBSP}ple.org", name=f"Youth{NBSP}Club  2 "),
        service(3),
        service(4, org="org-2"),
        service(5, org=None),
        service(6, name="Youth Club 6"),
        service(6, name="Youth Club Six"),
    ]
    if second:
        items = [
            service(1, email="club1@example.org", description="Now open on Fridays too."),
            items[1],
            items[2],
            # service 4 left the feed; service 7 is new
            service(7, org="org-2"),
            service(5, org=None),
            service(6, name="Youth Club 6"),
        ]
    return {"totalElements": len(items), "totalPages": 1, "number": 0, "content": items}


def write_feed(folder: Path, name: str = "council.json", second: bool = False) -> Path:
    """The feed written to a file."""
    path = folder / name
    path.write_text(json.dumps(messy_feed(second), ensure_ascii=False), encoding="utf-8")
    return path
