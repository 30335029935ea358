"""Need tags and the staff's own changes: a need set by hand through a reviewed change survives
removing a mapping; a crosswalk need a reviewed change took off the service is not added back."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services_directory.crosswalk import apply_crosswalk
from services_directory.crosswalk_mapping import TermKey, remove_mapping, set_mapping
from services_directory.models import Service
from staff import drafts
from staff.crosswalk import save_mapping
from staff.policy import Role
from staff.service_document import read_document
from tests.services_directory.crosswalk_feed import VOCABULARY, YOUTH_CLUB
from tests.staff.crosswalk_world import build, person

YOUTH_CLUBS = TermKey(VOCABULARY, f"{VOCABULARY}:66")
NOW = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)


def publish(db: Session, needs: list[str]) -> None:
    """An editor of the council proposes the service's needs; a reviewer approves."""
    service = db.get(Service, YOUTH_CLUB)
    assert service is not None
    editor = person(db, Role.ORGANISATION_EDITOR, service.organization)
    reviewer = person(db, Role.REVIEWER)
    proposed = read_document(db, service) | {"needs": needs}
    draft = drafts.propose(db, editor, service, proposed, "Needs checked", NOW)
    assert drafts.approve(db, reviewer, draft, NOW)


def needs_of(db: Session) -> list[str]:
    db.expire_all()
    service = db.get(Service, YOUTH_CLUB)
    assert service is not None
    return list(read_document(db, service)["needs"])


def test_a_need_set_by_hand_survives_removing_the_mapping(db: Session) -> None:
    build(db)
    admin = person(db, Role.COUNCIL_ADMIN)
    save_mapping(db, admin, YOUTH_CLUBS, "Youth clubs", ["feeling_lonely"], NOW)
    publish(db, ["feeling_lonely", "find_trusted_adult"])  # one more, by hand
    remove_mapping(db, YOUTH_CLUBS)
    apply_crosswalk(db)
    assert needs_of(db) == ["find_trusted_adult"]


def test_a_crosswalk_need_staff_took_off_is_not_added_back(db: Session) -> None:
    build(db)
    set_mapping(
        db, YOUTH_CLUBS, "Youth clubs", ["feeling_lonely", "find_trusted_adult"], set_by="a"
    )
    apply_crosswalk(db)
    publish(db, ["find_trusted_adult"])  # staff say this club is not about loneliness
    assert apply_crosswalk(db).added == 0
    assert needs_of(db) == ["find_trusted_adult"]
