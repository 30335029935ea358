"""The bot-ready page: what stops each service being offered, by role and organisation, with
suggestions confirmed or rejected in bulk (one POST, CSRF, an audit entry per service)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from services_directory.crosswalk_models import SuggestionDecision
from services_directory.search import search
from staff.policy import Role
from tests.services_directory.crosswalk_feed import EATING, LIBRARY, PREVENTION, YOUTH_CLUB
from tests.staff.crosswalk_world import audit, build, person, text_of
from tests.staff.helpers import HTML, FakeClock, csrf_of, sign_in


def row_text(html: str, service_id: str) -> str:
    found = re.search(
        rf'<tr class="govuk-table__row" id="service-{service_id}">(.*?)</tr>', html, re.S
    )
    assert found, f"no row for {service_id}"
    return text_of(found.group(1))


def ticked(html: str) -> list[str]:
    return re.findall(r'name="suggestion" type="checkbox" value="([^"]+)" checked', html)


def test_an_admin_sees_what_stops_each_imported_service(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    council = build(db)
    sign_in(client, person(db, Role.COUNCIL_ADMIN), clock)
    home = client.get("/staff/", headers=HTML)
    assert 'href="/staff/bot-ready"' in home.text
    page = client.get("/staff/bot-ready?" + urlencode({"organisation": council.id}), headers=HTML)
    assert "Showing 1 to 5 of 5 services" in text_of(page.text)
    library = row_text(page.text, LIBRARY)
    assert "No need tag: the chat never offers it" in library
    assert "No age range" in library
    assert "Need:" not in library  # its words say nothing of a need
    assert "Locality: Millfield Because the location postcode E14 2BB is in Millfield" in library
    eating = row_text(page.text, EATING)
    assert "Need: Eating and body image" in eating
    assert "Because the description mentions 'eating disorders', 'bulimia', 'anorexia'" in eating
    assert "Ages: up to 25 Because the eligibility says 'up to 25'" in eating
    club = row_text(page.text, YOUTH_CLUB)
    assert "Locality: Northgate Because the service area 'Northgate' names Northgate" in club
    prevention = row_text(page.text, PREVENTION)
    assert "Crisis need: check with care" in prevention
    # Ages and localities from plain facts are ticked; needs never are.
    assert f"{EATING}|ages|-25" in ticked(page.text)
    assert not [key for key in ticked(page.text) if "|need|" in key]


def test_suggestions_are_confirmed_in_bulk_and_the_bot_offers_the_service(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    council = build(db)
    sign_in(client, person(db, Role.REVIEWER), clock)
    back = urlencode({"organisation": council.id})
    page = client.get(f"/staff/bot-ready?{back}", headers=HTML)
    keys = [
        f"{EATING}|need|eating_body_image",
        f"{EATING}|ages|-25",
        f"{EATING}|locality|millfield",
    ]
    response = client.post(
        f"/staff/bot-ready/suggestions?{urlencode({'back': back})}",
        data={"csrf_token": csrf_of(page.text), "suggestion": keys, "decision": "confirm"},
        headers=HTML,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/staff/bot-ready?{back}&confirmed=3")
    done = client.get(response.headers["location"], headers=HTML)
    assert "3 suggestions confirmed and 0 rejected" in text_of(done.text)
    db.expire_all()
    results = search(db, need="eating_body_image", age=15, locality="millfield", limit=50)
    assert EATING in {r.id for r in results}
    [entry] = audit(db, "suggestions.confirmed")
    assert entry.record_id == EATING
    assert entry.detail == "ages up to 25; locality Millfield; need Eating and body image"


def test_rejected_suggestions_are_remembered_and_not_shown_again(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    build(db)
    sign_in(client, person(db, Role.COUNCIL_ADMIN), clock)
    page = client.get("/staff/bot-ready?show=not_ready", headers=HTML)
    key = f"{PREVENTION}|need|suicidal_thoughts"
    assert key in page.text
    client.post(
        "/staff/bot-ready/suggestions?back=show%3Dnot_ready",
        data={"csrf_token": csrf_of(page.text), "suggestion": key, "decision": "reject"},
        headers=HTML,
    )
    assert db.get(SuggestionDecision, (PREVENTION, "need", "suicidal_thoughts")) is not None
    assert key not in client.get("/staff/bot-ready?show=not_ready", headers=HTML).text
    assert len(audit(db, "suggestions.rejected")) == 1


def test_organisation_roles_see_only_their_own_services_and_cannot_confirm(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    council = build(db)
    sign_in(client, person(db, Role.ORGANISATION_EDITOR, council), clock)
    page = client.get("/staff/bot-ready", headers=HTML)
    assert "Showing 1 to 5 of 5 services" in text_of(page.text)
    assert "Childline" not in page.text and 'name="organisation"' not in page.text
    assert "Eating and body image, because the description mentions" in text_of(page.text)
    assert 'name="suggestion"' not in page.text and "Confirm ticked" not in page.text
    response = client.post(
        "/staff/bot-ready/suggestions",
        data={
            "csrf_token": csrf_of(page.text),
            "suggestion": f"{EATING}|ages|-25",
            "decision": "confirm",
        },
        headers=HTML,
    )
    assert response.status_code == 403
    assert audit(db, "suggestions.confirmed") == []


def test_another_organisation_sees_none_of_the_councils_services(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    council = build(db)
    sign_in(client, person(db, Role.ORGANISATION_MANAGER), clock)
    page = client.get("/staff/bot-ready?" + urlencode({"organisation": council.id}), headers=HTML)
    assert "No services to show" in page.text and EATING not in page.text


def test_a_post_without_its_csrf_token_is_refused(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    build(db)
    sign_in(client, person(db, Role.COUNCIL_ADMIN), clock)
    for data in (
        {"suggestion": f"{EATING}|ages|-25", "decision": "confirm"},
        {
            "csrf_token": "2030-01-01##forged",
            "suggestion": f"{EATING}|ages|-25",
            "decision": "confirm",
        },
    ):
        assert (
            client.post("/staff/bot-ready/suggestions", data=data, headers=HTML).status_code == 403
        )
    assert db.get(SuggestionDecision, (EATING, "ages", "-25")) is None


@pytest.mark.parametrize("show", ["", "not_ready"])
def test_the_list_is_paginated_and_filtered(
    client: TestClient, db: Session, clock: FakeClock, show: str
) -> None:
    build(db)
    sign_in(client, person(db, Role.READ_ONLY), clock)
    first = client.get(f"/staff/bot-ready?show={show}", headers=HTML)
    words = text_of(first.text)
    total = int(re.search(r"Showing 1 to 25 of (\d+) services", words).group(1))  # type: ignore[union-attr]
    assert total > 25 and 'rel="next"' in first.text
    second = client.get(f"/staff/bot-ready?show={show}&page=2", headers=HTML)
    assert f"Showing 26 to {min(50, total)} of {total} services" in text_of(second.text)
    if show:
        assert "Ready</strong>" not in first.text  # only services that are not ready
    assert 'name="suggestion"' not in first.text  # read only: nothing to tick
