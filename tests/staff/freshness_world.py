"""A small directory for the freshness tests: two organisations, services checked on chosen
dates (crisis lines among them), linked to one need so that the chat's search finds them, and a
clock standing on a fixed London day."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from services_directory.models import (
    Attribute,
    Organization,
    Service,
    ServiceProfile,
    TaxonomyTerm,
)
from tests.staff.helpers import FakeClock, make_organisation

TODAY = dt.date(2027, 3, 15)  # a Monday
NOON = dt.datetime(2027, 3, 15, 12, 0, tzinfo=dt.UTC)
NEED = "test_freshness_need"


def on_today(clock: FakeClock) -> None:
    """Stand the clock at noon on TODAY."""
    clock.now = NOON


def days_ago(days: int) -> dt.date:
    """TODAY less `days`."""
    return TODAY - dt.timedelta(days=days)


@dataclass
class World:
    """The organisations and their services by a short name."""

    riverside: Organization
    northgate: Organization
    services: dict[str, Service] = field(default_factory=dict)

    def id(self, name: str) -> str:
        """The id of the service called `name` here."""
        return self.services[name].id


def _need(db: Session) -> TaxonomyTerm:
    tier = TaxonomyTerm(id=str(uuid.uuid4()), code="tier-test", name="Test tier")
    need = TaxonomyTerm(id=str(uuid.uuid4()), code=NEED, name="Test need", parent_id=tier.id)
    db.add_all([tier, need])
    db.flush()
    return need


def add_service(
    db: Session,
    world: World,
    name: str,
    organisation: Organization,
    *,
    assured: dt.date | None,
    verified: dt.date | None = None,
    crisis: bool = False,
    need: TaxonomyTerm | None = None,
) -> Service:
    """An active service of `organisation`, checked on `assured` (and `verified`)."""
    sid = str(uuid.uuid4())
    service = Service(
        id=sid,
        organization_id=organisation.id,
        name=name,
        description=f"{name}: a test service for young people, not a real one.",
        status="active",
        assured_date=assured,
        url="https://example.org/",
    )
    db.add(service)
    db.flush()
    db.add(
        ServiceProfile(
            service_id=sid,
            slug=f"test-{sid[:12]}",
            summary=f"{name}, a test service",
            crisis=crisis,
            last_verified=verified,
        )
    )
    if need is not None:
        db.add(Attribute(id=str(uuid.uuid4()), link_id=sid, taxonomy_term_id=need.id, value="1"))
    db.flush()
    world.services[name] = service
    return service


def build_world(db: Session) -> World:
    """Riverside: one overdue past the 30-day limit, one overdue within it, one due soon, one
    current, a crisis line checked 40 days ago (monthly: overdue) and one never checked.
    Northgate: one overdue and one current."""
    world = World(make_organisation(db, "Riverside Youth Club"), make_organisation(db, "Northgate"))
    world.riverside.email = "hello@riverside.example"
    need = _need(db)
    r, n = world.riverside, world.northgate
    add_service(db, world, "Long overdue", r, assured=days_ago(365 + 60), need=need)
    add_service(db, world, "Just overdue", r, assured=days_ago(365 + 10), need=need)
    add_service(db, world, "Due soon", r, assured=days_ago(365 - 20), need=need)
    add_service(db, world, "Checked lately", r, assured=days_ago(30), need=need)
    add_service(db, world, "Crisis line", r, assured=days_ago(40), crisis=True, need=need)
    add_service(db, world, "Never checked", r, assured=None, need=need)
    add_service(db, world, "Northgate overdue", n, assured=days_ago(400), need=need)
    add_service(db, world, "Northgate current", n, assured=days_ago(10), need=need)
    db.flush()
    return world
