"""When a young person says where they are, the first cards include a service near them; the
order is the same on every page, and crisis needs keep the crisis lines first."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

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
