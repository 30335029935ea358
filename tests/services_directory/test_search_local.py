"""When a young person says where they are, the first cards include a service near them; the
order is the same on every page, and crisis needs keep the crisis lines first. A council feed's
service with no place of its own is the borough's, not national."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from services_directory.crosswalk_mapping import TermKey, set_mapping
from services_directory.io.staging import import_valid
from services_directory.search import SearchResult, search


def _local(result: SearchResult, place: str) -> bool:
    return any(reason.startswith("near you") and place in reason for reason in result.reasons)


def _pages(db: Session, **query: object) -> list[str]:
    ids: list[str] = []
    for offset in range(0, 30, 3):
        ids += [r.id for r in search(db, offset=offset, limit=3, **query)]  # type: ignore[arg-type]
    return ids


@pytest.mark.parametrize("need", ["feeling_lonely", "low_mood", "bullying", "money_worries"])
def test_the_first_cards_include_the_best_service_near_them(real_data: Session, need: str) -> None:
    near = search(real_data, need=need, age=14, locality="northgate", limit=50)
    first = search(real_data, need=need, age=14, locality="northgate")
    locals_ = [r for r in near if _local(r, "Northgate")]
    assert locals_, f"the sample borough has a service for {need} in Northgate"
    assert locals_[0].id in {r.id for r in first}, [r.name for r in first]
    assert len(first) == 3


def test_every_page_together_is_every_service_once(real_data: Session) -> None:
    query = {"need": "feeling_lonely", "age": 14, "locality": "northgate"}
    paged = _pages(real_data, **query)
    whole = search(real_data, limit=50, **query)  # type: ignore[arg-type]
    best_local = next(r.id for r in whole if _local(r, "Northgate"))
    ranked = [r.id for r in whole if r.id != best_local]
    assert paged == [*ranked[:2], best_local, *ranked[2:]] or paged == [r.id for r in whole]
    assert len(set(paged)) == len(paged)


def test_a_crisis_need_keeps_the_crisis_lines_first(real_data: Session) -> None:
    first = search(real_data, need="suicidal_thoughts", age=14, locality="northgate")
    assert [r.name for r in first] == [
        r.name for r in search(real_data, need="suicidal_thoughts", age=14)
    ]
    assert not any(_local(r, "Northgate") for r in first)


def _council_service_without_a_place(db: Session, tmp_path: Path) -> str:
    """A council feed's service with no address and no area, mapped to a need."""
    service = {
        "id": "6c1d2e3f-0000-4000-8000-00000000b001",
        "name": "Council Youth Advice Line",
        "description": "Advice for young people in the borough, by phone.",
        "status": "active",
        "organization": {"id": "council", "name": "Eastbridge Council"},
        "service_taxonomys": [
            {"id": "st", "taxonomy": {"id": "88", "name": "Youth advice", "vocabulary": "council"}}
        ],
    }
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps({"totalElements": 1, "content": [service]}), "utf-8")
    set_mapping(db, TermKey("council", "council:88"), "Youth advice", ["money_worries"], set_by="t")
    import_valid(db, feed, feed_name="council")
    return service["id"]


def test_a_council_feeds_service_with_no_place_is_the_boroughs_not_national(
    real_data: Session, tmp_path: Path
) -> None:
    sid = _council_service_without_a_place(real_data, tmp_path)
    wide = {"need": "money_worries", "age": 16, "limit": 50}
    assert sid in {r.id for r in search(real_data, **wide)}  # type: ignore[arg-type]
    in_borough = search(real_data, locality="riverside", **wide)  # type: ignore[arg-type]
    found = next(r for r in in_borough if r.id == sid)
    assert not any(reason.startswith("near you") for reason in found.reasons)
    outside = search(real_data, postcode="M1 1AA", **wide)  # type: ignore[arg-type]
    assert sid not in {r.id for r in outside}
