"""The crosswalk pages: council admins map a feed term to needs (its services gain the tags at
once, the search offers them, an audit entry), remove a mapping, load the starter crosswalk;
every other role is refused; a POST without its CSRF token is refused."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from services_directory.crosswalk_models import NeedCrosswalk
from services_directory.search import search
from staff.policy import Role
from tests.services_directory.crosswalk_feed import FOOD_BANK, VOCABULARY, YOUTH_CLUB
from tests.staff.crosswalk_world import audit, build, person, text_of
from tests.staff.helpers import HTML, FakeClock, csrf_of, sign_in

TERM = "/staff/crosswalk/term?" + urlencode({"vocabulary": VOCABULARY, "code": f"{VOCABULARY}:66"})


def offered(db: Session, need: str, service_id: str, age: int = 15) -> bool:
    return service_id in {r.id for r in search(db, need=need, age=age, limit=50)}


def test_an_admin_maps_a_term_and_the_bot_offers_its_services(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    build(db)
    sign_in(client, person(db, Role.COUNCIL_ADMIN), clock)
    page = client.get("/staff/crosswalk", headers=HTML)
    words = text_of(page.text)
    assert "Youth clubs esdServiceTypes: esdServiceTypes:66 1 Not mapped" in words
    assert "Money and food worries: the term's name mentions 'food banks'" in words
    assert not offered(db, "feeling_lonely", YOUTH_CLUB)
    form = client.get(TERM, headers=HTML)
    assert form.status_code == 200 and 'value="suicidal_thoughts"' not in form.text
    response = client.post(
        TERM,
        data={
            "csrf_token": csrf_of(form.text),
            "needs": ["feeling_lonely", "find_trusted_adult"],
            "action": "save",
        },
        headers=HTML,
    )
    assert response.status_code == 303, response.text
    done = client.get(response.headers["location"], headers=HTML)
    assert "The mapping is saved 2 need tags added and 0 removed." in text_of(done.text)
    db.expire_all()
    assert offered(db, "feeling_lonely", YOUTH_CLUB)
    [entry] = audit(db, "crosswalk.mapped")
    assert entry.detail.startswith(
        "esdServiceTypes 'Youth clubs' -> feeling_lonely, find_trusted_adult"
    )
    # Removing the mapping takes the tags away again.
    form = client.get(TERM, headers=HTML)
    assert "Remove the mapping" in form.text
    client.post(TERM, data={"csrf_token": csrf_of(form.text), "action": "remove"}, headers=HTML)
    db.expire_all()
    assert not offered(db, "feeling_lonely", YOUTH_CLUB)
    assert len(audit(db, "crosswalk.unmapped")) == 1


def test_an_unknown_need_is_refused_beside_the_field(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    build(db)
    sign_in(client, person(db, Role.COUNCIL_ADMIN), clock)
    form = client.get(TERM, headers=HTML)
    response = client.post(
        TERM,
        data={"csrf_token": csrf_of(form.text), "needs": ["suicidal_thoughts"], "action": "save"},
        headers=HTML,
    )
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert "Choose only needs from the list" in response.text
    assert db.query(NeedCrosswalk).count() == 0


def test_the_starter_crosswalk_is_loaded_and_audited(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    build(db)
    sign_in(client, person(db, Role.COUNCIL_ADMIN), clock)
    page = client.get("/staff/crosswalk", headers=HTML)
    response = client.post(
        "/staff/crosswalk/starter", data={"csrf_token": csrf_of(page.text)}, headers=HTML
    )
    assert response.status_code == 303
    assert "3 terms mapped." in text_of(client.get(response.headers["location"], headers=HTML).text)
    db.expire_all()
    assert offered(db, "money_worries", FOOD_BANK, age=17)
    assert len(audit(db, "crosswalk.starter_loaded")) == 1


@pytest.mark.parametrize(
    "role", [Role.REVIEWER, Role.ORGANISATION_MANAGER, Role.ORGANISATION_EDITOR, Role.READ_ONLY]
)
def test_only_council_admins_reach_the_crosswalk(
    client: TestClient, db: Session, clock: FakeClock, role: Role
) -> None:
    build(db)
    sign_in(client, person(db, role), clock)
    home = client.get("/staff/", headers=HTML)
    assert "/staff/crosswalk" not in home.text
    assert client.get("/staff/crosswalk", headers=HTML).status_code == 403
    assert client.get(TERM, headers=HTML).status_code == 403
    token = csrf_of(home.text)
    assert (
        client.post(
            TERM, data={"csrf_token": token, "needs": "feeling_lonely"}, headers=HTML
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/staff/crosswalk/starter", data={"csrf_token": token}, headers=HTML
        ).status_code
        == 403
    )
    assert db.query(NeedCrosswalk).count() == 0


def test_a_post_without_its_csrf_token_is_refused(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    build(db)
    sign_in(client, person(db, Role.COUNCIL_ADMIN), clock)
    for path, data in (
        (TERM, {"needs": "feeling_lonely", "action": "save"}),
        (TERM, {"csrf_token": "2030-01-01##forged", "needs": "feeling_lonely"}),
        ("/staff/crosswalk/starter", {}),
    ):
        assert client.post(path, data=data, headers=HTML).status_code == 403
    assert db.query(NeedCrosswalk).count() == 0
    assert audit(db, "crosswalk.mapped") == []


def test_a_term_no_service_uses_is_not_found(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    build(db)
    sign_in(client, person(db, Role.COUNCIL_ADMIN), clock)
    missing = "/staff/crosswalk/term?" + urlencode({"vocabulary": VOCABULARY, "code": "nope"})
    assert client.get(missing, headers=HTML).status_code == 404
