"""A small council feed in ORUK v1 for the crosswalk tests, written for them: LGA-style service
list terms (vocabulary `esdServiceTypes`), plain-text descriptions, eligibility as text and as
numbers, service areas and postcodes of the sample borough (localities.yml)."""

from __future__ import annotations

from typing import Any

VOCABULARY = "esdServiceTypes"
ORGANISATION = {"id": "cw-org-1", "name": "Eastbridge Council", "description": "The council."}
YOUTH_CLUB = "5b0b3c4e-0000-4000-8000-000000000001"
FOOD_BANK = "5b0b3c4e-0000-4000-8000-000000000002"
EATING = "5b0b3c4e-0000-4000-8000-000000000003"
LIBRARY = "5b0b3c4e-0000-4000-8000-000000000004"
PREVENTION = "5b0b3c4e-0000-4000-8000-000000000005"


def _term(link_id: str, code: str, name: str) -> dict[str, Any]:
    return {"id": link_id, "taxonomy": {"id": code, "name": name, "vocabulary": VOCABULARY}}


def _place(suffix: str, postcode: str) -> list[dict[str, Any]]:
    return [
        {
            "id": f"cw-sal-{suffix}",
            "location": {
                "id": f"cw-loc-{suffix}",
                "name": f"Place {suffix}",
                "physical_addresses": [
                    {
                        "id": f"cw-addr-{suffix}",
                        "address_1": f"{suffix} High Street",
                        "city": "Eastbridge",
                        "state_province": "Greater London",
                        "postal_code": postcode,
                    }
                ],
            },
        }
    ]


def council_feed() -> dict[str, Any]:
    """The feed: five services of one council."""
    services = [
        {
            "id": YOUTH_CLUB,
            "name": "Hatherby Youth Club",
            "description": "Games, music and trips twice a week. A friendly place to meet new "
            "people, with youth workers to talk to.",
            "status": "active",
            "url": "https://example.org/hatherby-youth-club",
            "organization": ORGANISATION,
            "eligibilitys": [{"id": "cw-e-1", "eligibility": "Young people aged 11 to 19"}],
            "service_areas": [{"id": "cw-sa-1", "service_area": "Northgate"}],
            "service_at_locations": _place("1", "E2 7AA"),
            "service_taxonomys": [_term("cw-st-1", "66", "Youth clubs")],
        },
        {
            "id": FOOD_BANK,
            "name": "Riverside Food Bank",
            "description": "Emergency food parcels for families struggling with the cost of "
            "living. No referral needed.",
            "status": "active",
            "email": "food@example.org",
            "organization": ORGANISATION,
            "eligibilitys": [{"id": "cw-e-2", "eligibility": "16+", "minimum_age": 16}],
            "service_at_locations": _place("2", "E1 6AN"),
            "service_taxonomys": [_term("cw-st-2", "120", "Food banks")],
        },
        {
            "id": EATING,
            "name": "Eating Well Together",
            "description": "Support for young people living with eating disorders such as "
            "bulimia and anorexia, and for their families.",
            "status": "active",
            "url": "https://example.org/eating-well",
            "organization": ORGANISATION,
            "eligibilitys": [{"id": "cw-e-3", "eligibility": "Young people up to 25"}],
            "service_areas": [{"id": "cw-sa-3", "service_area": "Millfield and Eastwick"}],
        },
        {
            "id": LIBRARY,
            "name": "Millfield Library",
            "description": "Books, computers and a quiet place to study.",
            "status": "active",
            "url": "https://example.org/library",
            "organization": ORGANISATION,
            "service_at_locations": _place("4", "E14 2BB"),
            "service_taxonomys": [_term("cw-st-4", "300", "Libraries")],
        },
        {
            "id": PREVENTION,
            "name": "Talk It Through",
            "description": "Suicide prevention training and support groups for anyone worried "
            "about suicidal thoughts.",
            "status": "active",
            "url": "https://example.org/talk",
            "organization": ORGANISATION,
            "eligibilitys": [{"id": "cw-e-5", "eligibility": "Adults aged 18 and over"}],
        },
    ]
    return {"totalElements": len(services), "totalPages": 1, "content": services}
