"""Insights for the partnership (/staff/insights): who may see them, the rule that no count under
10 is ever shown (on the page, in its charts and in the CSV), the date range, and the CSV export
(audited, refused without its CSRF token)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffAuditEvent
from services_directory.insights import CounterKey, increment, week_start
from services_directory.models import Service
from staff.insights import FEWER, suppressed
from staff.policy import Role
from tests.staff.helpers import HTML, FakeClock, csrf_of, make_organisation, make_user, sign_in

NUMBER = re.compile(r"^[\d,]+$")
SMALL = [1, 2, 3, 4, 5, 6, 7, 8, 9]


def keys(key: CounterKey, times: int) -> list[CounterKey]:
    return [key] * times


@pytest.fixture
def seeded(db: Session, clock: FakeClock) -> str:
    """A year's worth of counters with small numbers among them; returns a service id."""
    this_week = week_start(clock.now)
    organisation = make_organisation(db, "Riverside Youth Club")
    service = Service(
        id=str(uuid.uuid4()),
        organization_id=organisation.id,
        name="Riverside drop-in",
        description="A test service.",
        status="active",
    )
    db.add(service)
    db.flush()
    found: list[CounterKey] = []
    for weeks_ago, times in ((0, 40), (1, 25), (2, 3), (5, 12)):
        week = this_week - dt.timedelta(weeks=weeks_ago)
        found += keys(CounterKey(week, "offered", "feeling_lonely", "11-15", "riverside"), times)
    week = this_week - dt.timedelta(weeks=1)
    found += keys(CounterKey(week, "offered", "bullying", "16-17", "northgate"), 7)
    found += keys(CounterKey(week, "offered", "low_mood", "18-25", "online"), 30)
    found += keys(CounterKey(week, "no_local_fit", "bullying", "16-17", "northgate"), 4)
    found += keys(CounterKey(week, "no_local_fit", "low_mood", "11-15", "riverside"), 15)
    found += keys(CounterKey(week, "helped_yes", service_id=service.id), 11)
    found += keys(CounterKey(week, "helped_no", service_id=service.id), 2)
    found += keys(CounterKey(week, "report_number_wrong", service_id=service.id), 1)
    increment(db, found)
    db.flush()
    return service.id


def shown_counts(html: str) -> list[str]:
    """Every count the page shows: table cells, totals and the charts' labels."""
    cells = re.findall(r'govuk-table__cell--numeric">(?:<strong>)?([^<]+)<', html)
    chart = re.findall(r"<text [^>]*>([^<]+)</text>", html)
    return [c.strip() for c in cells + chart if NUMBER.match(c.strip()) or c.strip() == FEWER]


def assert_never_under_ten(values: list[str]) -> None:
    assert values, "no counts found"
    for value in values:
        assert value == FEWER or int(value.replace(",", "")) >= 10, value


def test_suppression_hides_small_counts_and_the_next_smallest() -> None:
    cells, total = suppressed([("a", "A", 25), ("b", "B", 3), ("c", "C", 40)])
    assert [c.shown for c in cells] == [FEWER, FEWER, "40"] and total.shown == "68"
    cells, total = suppressed([("a", "A", 12), ("b", "B", 10)])
    assert [c.shown for c in cells] == ["12", "10"] and total.shown == "22"
    cells, total = suppressed([("a", "A", 2), ("b", "B", 3), ("c", "C", 50)])
    assert [c.shown for c in cells] == [FEWER, FEWER, "50"]
    cells, total = suppressed([("a", "A", 4)])
    assert cells[0].shown == FEWER and total.shown == FEWER
    cells, total = suppressed([("a", "A", 0), ("b", "B", 0)])
    assert total.shown == FEWER


def test_suppression_never_leaves_one_hidden_count_to_subtract() -> None:
    rng = random.Random(17)
    for _ in range(2000):
        counts = [rng.choice([0, *SMALL, 10, 11, 15, 40, 200]) for _ in range(rng.randint(1, 8))]
        cells, total = suppressed([(str(i), str(i), n) for i, n in enumerate(counts)])
        shown = [c.value for c in cells if c.value is not None]
        assert all(value >= 10 for value in shown)
        hidden = [n for c, n in zip(cells, counts, strict=True) if c.hidden]
        assert len(hidden) != 1 or len(cells) == 1
        assert total.value is None or total.value >= 10


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.COUNCIL_ADMIN, 200),
        (Role.REVIEWER, 200),
        (Role.READ_ONLY, 200),
        (Role.ORGANISATION_MANAGER, 403),
        (Role.ORGANISATION_EDITOR, 403),
    ],
)
def test_who_may_see_the_insights(
    client: TestClient, db: Session, clock: FakeClock, role: Role, status: int
) -> None:
    organisation = make_organisation(db, "Org") if role.value.startswith("organisation") else None
    sign_in(client, make_user(db, f"{role.value}@example.org", role, organisation), clock)
    assert client.get("/staff/insights", headers=HTML).status_code == status
    in_nav = 'href="/staff/insights"' in client.get("/staff/", headers=HTML).text
    assert in_nav is (status == 200)


def test_the_page_never_shows_a_count_under_ten(
    client: TestClient, db: Session, clock: FakeClock, seeded: str
) -> None:
    sign_in(client, make_user(db, "reviewer@example.org", Role.REVIEWER), clock)
    page = client.get("/staff/insights", headers=HTML)
    assert page.status_code == 200
    values = shown_counts(page.text)
    assert_never_under_ten(values)
    assert FEWER in values and "40" in values and "11" in values
    assert "<svg" in page.text and "<script" not in page.text.split("</main>")[0]
    # By need: loneliness 80 shown; bullying (7) hidden, and low mood (30) with it, so that the
    # total of 117 less 80 gives only their sum.
    assert "80" in values and "117" in values
    needs = page.text.split('id="offers-1-table"')[1].split("</table>")[0]
    assert "feeling_lonely" in needs
    assert shown_counts(needs) == [FEWER, "80", FEWER, "117"]
    for small in ("7", "3", "4", "2", "1"):
        assert small not in values


def test_the_csv_shows_the_same_hidden_numbers_and_is_audited(
    client: TestClient, db: Session, clock: FakeClock, seeded: str
) -> None:
    admin = make_user(db, "admin@example.org", Role.COUNCIL_ADMIN)
    sign_in(client, admin, clock)
    page = client.get("/staff/insights", headers=HTML)
    token = csrf_of(page.text.split('action="/staff/insights/export"')[1])
    start, end = re.findall(r'name="(?:start|end)" value="([0-9-]+)"', page.text)[-2:]
    response = client.post(
        "/staff/insights/export",
        data={"csrf_token": token, "start": start, "end": end},
        headers=HTML,
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["section", "breakdown", "category", "count"]
    counts = [row[3] for row in rows[1:] if row[3]]
    assert_never_under_ten(counts)
    feedback = {row[2]: row[3] for row in rows if row[1] == "Riverside drop-in"}
    assert feedback["Did this help? Yes"] == "11"
    assert feedback["Did this help? No"] == FEWER
    assert feedback["Something wrong: The number didn't work"] == FEWER
    (entry,) = db.scalars(
        select(StaffAuditEvent).where(StaffAuditEvent.action == "insights.exported")
    )
    assert entry.actor_id == admin.id and start in entry.detail


def test_the_export_is_refused_without_its_csrf_token(
    client: TestClient, db: Session, clock: FakeClock, seeded: str
) -> None:
    sign_in(client, make_user(db, "reviewer@example.org", Role.REVIEWER), clock)
    for data in ({}, {"csrf_token": "2099-01-01 00:00:00##forged"}):
        response = client.post("/staff/insights/export", data=data, headers=HTML)
        assert response.status_code == 403
    assert (
        db.scalar(select(StaffAuditEvent.id).where(StaffAuditEvent.action == "insights.exported"))
        is None
    )


def test_the_date_range_narrows_the_weeks(
    client: TestClient, db: Session, clock: FakeClock, seeded: str
) -> None:
    sign_in(client, make_user(db, "reader@example.org", Role.READ_ONLY), clock)
    this_week = week_start(clock.now)
    one = client.get(f"/staff/insights?start={this_week}&end={this_week}", headers=HTML)
    assert one.status_code == 200 and "Showing 1 week:" in one.text
    assert_never_under_ten(shown_counts(one.text))
    backwards = client.get(
        f"/staff/insights?start={this_week}&end={this_week - dt.timedelta(weeks=2)}",
        headers=HTML,
    )
    assert backwards.status_code == 422
    assert "The end must be the same as or after the start" in backwards.text
    nonsense = client.get("/staff/insights?start=soon", headers=HTML)
    assert nonsense.status_code == 422 and "Showing 52 weeks" in nonsense.text
