"""The localities pages: who sees and who changes them, CSRF, the errors beside each field, the
audit entries, and removing a locality that services are tagged with (SQLite, and PostgreSQL
when TEST_DATABASE_URL is set)."""

from __future__ import annotations

from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffAuditEvent
from services_directory.curated import load_curated
from services_directory.localities import load_localities
from services_directory.locality_edit import tagged_services
from services_directory.models import ServiceLocality
from staff.policy import ORGANISATION_ROLES, STAFF_ROLES, Role
from tests.staff.helpers import HTML, FakeClock, make_organisation, make_user, post_form, sign_in

NEW = {"name": "South Bank", "id": "southbank", "districts": "SE1, se11", "aliases": "south bnk"}


def signed_in(client: TestClient, db: Session, clock: FakeClock, role: Role) -> None:
    organisation = make_organisation(db, "Trust") if role in ORGANISATION_ROLES else None
    sign_in(client, make_user(db, f"{role.value}@example.org", role, organisation), clock)


def audit_actions(db: Session) -> list[tuple[str, str | None]]:
    rows = db.execute(
        select(StaffAuditEvent.action, StaffAuditEvent.record_id)
        .where(StaffAuditEvent.action.like("locality.%"))
        .order_by(StaffAuditEvent.id)
    )
    return [tuple(row) for row in rows]


@pytest.mark.parametrize("role", STAFF_ROLES, ids=lambda r: r.value)
def test_every_role_sees_the_list_and_only_admins_change_it(
    client: TestClient, db: Session, clock: FakeClock, role: Role
) -> None:
    signed_in(client, db, clock, role)
    page = client.get("/staff/localities", headers=HTML)
    assert page.status_code == 200
    assert "Millfield" in page.text and "E14" in page.text
    assert "after the bot" in page.text  # typed names follow at the next training: said plainly
    admin = role == Role.COUNCIL_ADMIN
    assert ("Add a locality" in page.text) == admin
    for path in ("/staff/localities/new", "/staff/localities/millfield/edit"):
        assert client.get(path, headers=HTML).status_code == (200 if admin else 403)
    if not admin:
        response = client.post("/staff/localities/new", data=NEW, headers=HTML)
        assert response.status_code == 403
        assert "southbank" not in load_localities(session=db)


def test_signed_out_people_are_sent_to_sign_in(client: TestClient) -> None:
    response = client.get("/staff/localities", headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/staff/sign-in")


def test_a_form_without_its_csrf_token_is_refused(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    signed_in(client, db, clock, Role.COUNCIL_ADMIN)
    response = client.post("/staff/localities/new", data=NEW, headers=HTML)
    assert response.status_code == 403
    assert client.post("/staff/localities/millfield/remove", headers=HTML).status_code == 403
    assert client.post("/staff/localities/millfield/move/up", headers=HTML).status_code == 403
    assert list(load_localities(session=db)) == ["northgate", "riverside", "millfield", "eastwick"]
    assert audit_actions(db) == []


def test_an_admin_adds_changes_moves_and_removes(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    signed_in(client, db, clock, Role.COUNCIL_ADMIN)
    response = post_form(client, "/staff/localities/new", NEW)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/staff/localities?notice=added"
    place = load_localities(session=db)["southbank"]
    assert place.districts == ("SE1", "SE11") and place.aliases == ("south bnk",)
    changed = {"name": "Southbank", "districts": "SE1", "aliases": "south bnk\nMarlowe Walk"}
    response = post_form(client, "/staff/localities/southbank/edit", changed)
    assert response.status_code == 303, response.text
    place = load_localities(session=db)["southbank"]
    assert (place.name, place.districts) == ("Southbank", ("SE1",))
    assert place.aliases == ("south bnk", "Marlowe Walk")
    response = post_form(client, "/staff/localities/southbank/move/up", {}, "/staff/localities")
    assert response.status_code == 303
    assert list(load_localities(session=db))[-2:] == ["southbank", "eastwick"]
    response = post_form(
        client, "/staff/localities/southbank/remove", {}, "/staff/localities/southbank/remove"
    )
    assert response.status_code == 303
    assert "southbank" not in load_localities(session=db)
    assert audit_actions(db) == [
        ("locality.created", "southbank"),
        ("locality.changed", "southbank"),
        ("locality.changed", "southbank"),
        ("locality.removed", "southbank"),
    ]
    page = client.get("/staff/localities?notice=removed", headers=HTML)
    assert "Locality removed" in page.text


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"districts": "SEX1"}, "districts", "SEX1 is not a UK postcode district"),
        ({"districts": "SE1 7PB"}, "districts", "not whole postcodes"),
        ({"districts": "SE1, E14"}, "districts", "E14 already belongs to Millfield"),
        ({"name": ""}, "name", "Enter the locality&#39;s name"),
        ({"id": "millfield", "name": "Millfield Two"}, "id", "already a locality with the id"),
    ],
)
def test_errors_are_shown_beside_their_fields(
    client: TestClient, db: Session, clock: FakeClock, values: dict, field: str, message: str
) -> None:
    signed_in(client, db, clock, Role.COUNCIL_ADMIN)
    response = post_form(client, "/staff/localities/new", {**NEW, **values})
    assert response.status_code == 422
    assert "There is a problem" in response.text  # the summary at the top
    beside = response.text.split(f'id="{field}-error"', 1)[1].split("</p>", 1)[0]
    assert message in beside
    assert audit_actions(db) == []
    assert "southbank" not in load_localities(session=db)


def test_removing_a_locality_with_services_says_how_many_first(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    load_curated(db)
    signed_in(client, db, clock, Role.COUNCIL_ADMIN)
    tagged = tagged_services(db, "riverside")
    assert tagged > 1
    page = client.get("/staff/localities/riverside/remove", headers=HTML)
    assert f"{tagged} services are tagged with Riverside" in unescape(page.text)
    response = post_form(client, "/staff/localities/riverside/remove", {}, page.url.path)
    assert response.status_code == 303
    left = db.scalar(
        select(func.count())
        .select_from(ServiceLocality)
        .where(ServiceLocality.locality == "riverside")
    )
    assert left == 0
    detail = db.scalar(
        select(StaffAuditEvent.detail).where(StaffAuditEvent.action == "locality.removed")
    )
    assert detail == f"{tagged} services untagged"


def test_an_unknown_locality_is_not_found(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    signed_in(client, db, clock, Role.COUNCIL_ADMIN)
    assert client.get("/staff/localities/atlantis/edit", headers=HTML).status_code == 404
    assert client.get("/staff/localities/atlantis/remove", headers=HTML).status_code == 404
