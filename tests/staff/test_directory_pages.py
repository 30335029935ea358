"""The directory's staff pages on the curated directory: each route for each role, organisation
scoping that no id in the URL gets round, search, filters, pages, the bot preview and readiness."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffUser
from services_directory.curated import curated_id, load_curated
from services_directory.models import Organization, Service, ServiceProfile
from staff.policy import ORGANISATION_ROLES, STAFF_ROLES, Role
from tests.staff.helpers import HTML, FakeClock, make_user, sign_in

TRUST = "Eastbridge Youth Wellbeing Trust (example)"
OWN_SERVICE = "eastbridge-youth-counselling"  # the trust's
OTHER_SERVICE = "childline"  # NSPCC's


@dataclass
class World:
    """The curated directory, someone of every role (the organisation roles at the trust)."""

    trust: Organization
    nspcc: Organization
    people: dict[Role, StaffUser]


@pytest.fixture
def world(db: Session) -> World:
    load_curated(db)
    trust = db.scalars(select(Organization).where(Organization.name == TRUST)).one()
    nspcc = db.scalars(select(Organization).where(Organization.name == "NSPCC")).one()
    people = {
        role: make_user(
            db, f"{role.value}@example.org", role, trust if role in ORGANISATION_ROLES else None
        )
        for role in STAFF_ROLES
    }
    return World(trust, nspcc, people)


def _path(template: str, world: World) -> str:
    return template.format(
        own=curated_id(OWN_SERVICE),
        other=curated_id(OTHER_SERVICE),
        trust=world.trust.id,
        nspcc=world.nspcc.id,
    )


# (path, whether an organisation role reaches it): council roles reach every one.
ROUTES = [
    ("/staff/services", True),
    ("/staff/services/{own}", True),
    ("/staff/services/{other}", False),
    ("/staff/organisations", True),
    ("/staff/organisations/{trust}", True),
    ("/staff/organisations/{nspcc}", False),
]


@pytest.mark.parametrize("role", STAFF_ROLES, ids=lambda r: r.value)
def test_each_route_for_each_role(
    client: TestClient, world: World, clock: FakeClock, role: Role
) -> None:
    sign_in(client, world.people[role], clock)
    for template, organisation_reaches in ROUTES:
        path = _path(template, world)
        expected = 200 if organisation_reaches or role not in ORGANISATION_ROLES else 404
        assert client.get(path, headers=HTML).status_code == expected, (role, template)
        if expected == 404:
            assert client.get(path).status_code == 404  # JSON too


@pytest.mark.parametrize("template", [t for t, _ in ROUTES])
def test_anonymous_is_sent_to_sign_in_or_refused(
    client: TestClient, world: World, template: str
) -> None:
    path = _path(template, world)
    page = client.get(path, headers=HTML)
    assert page.status_code == 303 and page.headers["location"].startswith("/staff/sign-in?next=")
    assert client.get(path).status_code == 401


def test_no_id_in_the_url_reaches_another_organisations_records(
    client: TestClient, world: World, db: Session, clock: FakeClock
) -> None:
    sign_in(client, world.people[Role.ORGANISATION_EDITOR], clock)
    others = db.scalars(select(Service.id).where(Service.organization_id != world.trust.id))
    for service_id in others:
        assert client.get(f"/staff/services/{service_id}", headers=HTML).status_code == 404
    for organisation_id in db.scalars(select(Organization.id)):
        status = client.get(f"/staff/organisations/{organisation_id}", headers=HTML).status_code
        assert status == (200 if organisation_id == world.trust.id else 404)
    assert client.get(f"/staff/services/{uuid.uuid4()}", headers=HTML).status_code == 404
    # A filter by another organisation is ignored for an organisation's role.
    page = client.get(f"/staff/services?organisation={world.nspcc.id}", headers=HTML).text
    assert _names(page) and set(_names(page)) == set(_trust_services(db, world))


def _names(html: str) -> list[str]:
    found = re.findall(r'<a class="govuk-link" href="/staff/services/[^"]+">([^<]+)</a>', html)
    return [unescape(name) for name in found]


def _trust_services(db: Session, world: World) -> list[str]:
    return list(db.scalars(select(Service.name).where(Service.organization_id == world.trust.id)))


def test_a_council_role_sees_every_service_paged_by_name(
    client: TestClient, world: World, db: Session, clock: FakeClock
) -> None:
    sign_in(client, world.people[Role.READ_ONLY], clock)
    everything = sorted(db.scalars(select(Service.name)))
    first = client.get("/staff/services", headers=HTML).text
    assert "Showing 1 to 25 of 60 services" in first
    assert _names(first) == everything[:25]
    assert 'href="/staff/services?page=2"' in first and 'rel="next"' in first
    third = client.get("/staff/services?page=3", headers=HTML).text
    assert "Showing 51 to 60 of 60 services" in third and _names(third) == everything[50:]
    assert 'rel="next"' not in third
    beyond = client.get("/staff/services?page=9", headers=HTML).text
    assert _names(beyond) == []
    assert client.get("/staff/services?page=nonsense", headers=HTML).status_code == 200


def test_search_and_the_organisation_filter(
    client: TestClient, world: World, db: Session, clock: FakeClock
) -> None:
    sign_in(client, world.people[Role.COUNCIL_ADMIN], clock)
    found = _names(client.get("/staff/services?q=CHILDLINE", headers=HTML).text)
    assert found and all("childline" in name.lower() for name in found)
    assert _names(client.get("/staff/services?q=%25_", headers=HTML).text) == []
    page = client.get(f"/staff/services?organisation={world.nspcc.id}", headers=HTML).text
    assert set(_names(page)) == set(
        db.scalars(select(Service.name).where(Service.organization_id == world.nspcc.id))
    )
    assert f'<option value="{world.nspcc.id}" selected>' in page
    combined = client.get(
        f"/staff/services?organisation={world.trust.id}&q=counselling", headers=HTML
    ).text
    assert _names(combined) and all("ounselling" in n for n in _names(combined))


def test_the_readiness_filter_and_tags(
    client: TestClient, world: World, db: Session, clock: FakeClock
) -> None:
    sign_in(client, world.people[Role.REVIEWER], clock)
    ready = client.get("/staff/services?readiness=ready", headers=HTML).text
    not_ready = client.get("/staff/services?readiness=not_ready", headers=HTML).text
    ready_names, not_ready_names = set(_names(ready)), set(_names(not_ready))
    assert ready_names and not_ready_names and not ready_names & not_ready_names
    assert "Not ready</strong>" not in ready and ">Ready</strong>" not in not_ready
    totals = [int(re.search(r"of (\d+) service", p).group(1)) for p in (ready, not_ready)]  # type: ignore[union-attr]
    assert sum(totals) == 60
    # 999 has no age range in the data: not ready, and the page says why.
    emergency = curated_id("emergency-999")
    assert "999 emergency services" in not_ready_names
    page = client.get(f"/staff/services/{emergency}", headers=HTML).text
    assert "No age range: say which ages the service is for" in page
    assert 'govuk-tag--yellow">Not ready' in page


def test_the_preview_is_the_card_the_chat_shows(
    client: TestClient, world: World, db: Session, clock: FakeClock
) -> None:
    sign_in(client, world.people[Role.ORGANISATION_MANAGER], clock)
    sid = curated_id(OWN_SERVICE)
    page = client.get(f"/staff/services/{sid}", headers=HTML).text
    preview = page[page.index('<div class="chat-preview">') : page.index("About the service")]
    service = db.get(Service, sid)
    profile = db.get(ServiceProfile, sid)
    assert service is not None and profile is not None and profile.what_happens
    assert f'<h2 class="card-title"><span>{service.name}</span>' in preview
    assert '<ul class="cards">' in preview and '<li class="card service">' in preview
    assert f"<strong>What happens: </strong>{_html(profile.what_happens.strip())}" in preview
    number = next(m for m in service.contact_modes if m.mode == "call")
    assert f'href="{number.href}"' in preview and number.value in preview
    assert '<link rel="stylesheet" href="/staff/assets/chat-preview.css">' in page


def test_the_preview_matches_the_chats_card_data(
    client: TestClient, world: World, db: Session, clock: FakeClock
) -> None:
    from services_directory.search import search

    sign_in(client, world.people[Role.COUNCIL_ADMIN], clock)
    card = next(r for r in search(db, text="Childline", limit=10) if r.slug == OTHER_SERVICE)
    page = client.get(f"/staff/services/{curated_id(OTHER_SERVICE)}", headers=HTML).text
    assert f"<span>{card.name}</span>" in page
    assert _html(card.summary) in page and _html(card.what_happens) in page
    for route in card.how_to_contact:
        assert _html(route.label) in page
    assert "Example, not a real service" not in page


def test_the_chat_stylesheet_is_scoped_to_the_preview(client: TestClient) -> None:
    css = client.get("/staff/assets/chat-preview.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    text = re.sub(r"@keyframes[^{]*\{(?:[^{}]*\{[^{}]*\})*\s*\}", "", css.text)
    for prelude in re.findall(r"([^{}]+)\{", text):
        if prelude.strip().startswith("@"):
            continue  # @media: the rules inside are checked on their own
        for selector in prelude.split(","):
            assert selector.strip().startswith(".chat-preview"), selector
    assert ".chat-preview .card" in css.text and "--brand" in css.text


def test_navigation_and_home_link_the_directory(
    client: TestClient, world: World, clock: FakeClock
) -> None:
    sign_in(client, world.people[Role.ORGANISATION_EDITOR], clock)
    home = client.get("/staff/", headers=HTML).text
    assert 'href="/staff/services"' in home and 'href="/staff/organisations"' in home
    organisations = client.get("/staff/organisations", headers=HTML).text
    assert TRUST in organisations and "NSPCC" not in organisations
    trust = client.get(f"/staff/organisations/{world.trust.id}", headers=HTML).text
    assert f"/staff/services/{curated_id(OWN_SERVICE)}" in trust


def _html(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )
