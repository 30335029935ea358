"""Changing a service through the pages: an edit makes a draft that nobody else sees, a reviewer
approves it or returns it with a reason, nobody approves their own, a crisis line's new number
waits for a second approver, and every published version is kept, compared and restorable."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffAuditEvent, StaffUser
from services_directory.curated import curated_id, load_curated
from services_directory.drafts import ServiceDraft, ServiceVersion
from services_directory.freshness import ServiceReview
from services_directory.models import (
    MetadataEntry,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
)
from services_directory.search import search
from staff.policy import Role
from staff.service_document import read_document
from staff.service_publish import write_document
from tests.staff.helpers import HTML, FakeClock, csrf_of, make_user, sign_in

TRUST = "Eastbridge Youth Wellbeing Trust (example)"
OWN = "eastbridge-youth-counselling"
CRISIS = "childline"
FIELD = re.compile(r'name="([^"]+)"(?: type="[^"]+")? value="([^"]*)"')


@dataclass
class World:
    trust: Organization
    editor: StaffUser
    manager: StaffUser
    reviewer: StaffUser
    second_reviewer: StaffUser
    admin: StaffUser
    other_editor: StaffUser


@pytest.fixture
def world(db: Session) -> World:
    load_curated(db)
    trust = db.scalars(select(Organization).where(Organization.name == TRUST)).one()
    nspcc = db.scalars(select(Organization).where(Organization.name == "NSPCC")).one()
    return World(
        trust,
        make_user(db, "editor@trust.example", Role.ORGANISATION_EDITOR, trust),
        make_user(db, "manager@trust.example", Role.ORGANISATION_MANAGER, trust),
        make_user(db, "reviewer@council.example", Role.REVIEWER),
        make_user(db, "second@council.example", Role.REVIEWER),
        make_user(db, "admin@council.example", Role.COUNCIL_ADMIN),
        make_user(db, "editor@nspcc.example", Role.ORGANISATION_EDITOR, nspcc),
    )


def _form_values(html: str) -> dict[str, object]:
    """What the edit page's form would post as it stands (inputs, radios, checkboxes, selects,
    text areas), as a browser would."""
    values: dict[str, object] = {}
    for tag in re.findall(r"<input[^>]+>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        text = unescape(value.group(1)) if value else ""
        if kind and kind.group(1) in ("radio", "checkbox"):
            if " checked" in tag:
                if kind.group(1) == "checkbox":
                    values.setdefault(name.group(1), [])
                    values[name.group(1)].append(text)  # type: ignore[union-attr]
                else:
                    values[name.group(1)] = text
            continue
        values[name.group(1)] = text
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        values[name] = unescape(body)
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        values[name] = unescape(chosen.group(1)) if chosen else ""
    return values


def _edit(client: TestClient, service_id: str, **changes: object) -> object:
    page = client.get(f"/staff/services/{service_id}/edit", headers=HTML)
    assert page.status_code == 200, page.text[:300]
    values = _form_values(page.text)
    values.update(changes)
    return client.post(f"/staff/services/{service_id}/edit", data=values, headers=HTML)


def _act(client: TestClient, draft_id: str, action: str, **data: str) -> object:
    page = client.get(f"/staff/drafts/{draft_id}", headers=HTML)
    assert page.status_code == 200
    return client.post(
        f"/staff/drafts/{draft_id}/{action}",
        data={"csrf_token": csrf_of(page.text), **data},
        headers=HTML,
    )


def _draft_of(db: Session, service_id: str) -> ServiceDraft:
    db.expire_all()
    return db.scalars(
        select(ServiceDraft)
        .where(ServiceDraft.service_id == service_id)
        .order_by(ServiceDraft.created_at.desc())
    ).first()


def _actions(db: Session) -> list[str]:
    return list(db.scalars(select(StaffAuditEvent.action).order_by(StaffAuditEvent.id)))


def test_an_edit_waits_for_review_then_reaches_the_chat_and_open_referral(
    app_factory, db: Session, world: World, clock: FakeClock
) -> None:
    sid = curated_id(OWN)
    editor, reviewer = app_factory(), app_factory()
    sign_in(editor, world.editor, clock)
    response = _edit(
        editor, sid, name="Eastbridge Youth Talking Space", reason="The service was renamed"
    )
    assert response.status_code == 303, response.text[:2000]
    draft = _draft_of(db, sid)
    assert draft.status == "pending" and not draft.needs_two_approvers
    # Nothing published yet: the directory, the chat's search and Open Referral are unchanged.
    assert db.get(Service, sid).name != "Eastbridge Youth Talking Space"
    api = editor.get(f"/openreferral/services/{sid}").json()
    assert api["name"] != "Eastbridge Youth Talking Space"
    page = editor.get(f"/staff/drafts/{draft.id}", headers=HTML).text
    assert "Eastbridge Youth Talking Space" in page and "Waiting for review" in page
    assert 'action="/staff/drafts/' + draft.id + '/approve"' not in page  # not for its author

    sign_in(reviewer, world.reviewer, clock)
    queue = reviewer.get("/staff/review", headers=HTML).text
    assert f"/staff/drafts/{draft.id}" in queue
    assert _act(reviewer, draft.id, "approve").status_code == 303
    db.expire_all()
    assert db.get(Service, sid).name == "Eastbridge Youth Talking Space"
    assert _draft_of(db, sid).status == "published"
    api = editor.get(f"/openreferral/services/{sid}").json()
    assert api["name"] == "Eastbridge Youth Talking Space"
    logged = db.scalars(
        select(MetadataEntry).where(
            MetadataEntry.resource_id == sid, MetadataEntry.field_name == "name"
        )
    ).all()
    assert any(e.replacement_value == "Eastbridge Youth Talking Space" for e in logged)
    assert all("@" not in e.updated_by for e in logged)  # no staff e-mail in the public log
    need = read_document(db, db.get(Service, sid))["needs"][0]
    found = search(db, need=need, age=15, limit=20)
    assert any(r.name == "Eastbridge Youth Talking Space" for r in found)
    versions = db.scalars(select(ServiceVersion).where(ServiceVersion.service_id == sid)).all()
    assert sorted(v.number for v in versions) == [1, 2]
    assert {"service.change_proposed", "service.change_approved", "service.published"} <= set(
        _actions(db)
    )


def test_nobody_approves_their_own_change(
    app_factory, db: Session, world: World, clock: FakeClock
) -> None:
    sid = curated_id(OWN)
    admin = app_factory()
    sign_in(admin, world.admin, clock)
    assert _edit(admin, sid, wait_time="About a week", reason="New wait").status_code == 303
    draft = _draft_of(db, sid)
    page = admin.get(f"/staff/drafts/{draft.id}", headers=HTML)
    response = admin.post(
        f"/staff/drafts/{draft.id}/approve",
        data={"csrf_token": csrf_of(page.text)},
        headers=HTML,
    )
    assert response.status_code == 403
    assert _draft_of(db, sid).status == "pending"
    assert db.get(Service, sid).wait_time != "About a week"


def test_editors_and_managers_cannot_approve(
    app_factory, db: Session, world: World, clock: FakeClock
) -> None:
    sid = curated_id(OWN)
    editor, manager = app_factory(), app_factory()
    sign_in(editor, world.editor, clock)
    assert _edit(editor, sid, wait_time="Two weeks", reason="Longer list").status_code == 303
    draft = _draft_of(db, sid)
    sign_in(manager, world.manager, clock)
    page = manager.get(f"/staff/drafts/{draft.id}", headers=HTML)
    assert page.status_code == 200
    response = manager.post(
        f"/staff/drafts/{draft.id}/approve", data={"csrf_token": csrf_of(page.text)}, headers=HTML
    )
    assert response.status_code == 403
    assert manager.get("/staff/review", headers=HTML).status_code == 403


def test_a_crisis_number_change_needs_two_different_approvers(
    app_factory, db: Session, world: World, clock: FakeClock
) -> None:
    sid = curated_id(CRISIS)
    before = read_document(db, db.get(Service, sid))
    call = next(i for i, m in enumerate(before["contact_modes"]) if m["mode"] == "call")
    admin, first, second = app_factory(), app_factory(), app_factory()
    sign_in(admin, world.admin, clock)
    response = _edit(
        admin,
        sid,
        **{f"contact_modes-{call}-value": "0800 999 1111", "reason": "New number from NSPCC"},
    )
    assert response.status_code == 303, response.text[:2000]
    draft = _draft_of(db, sid)
    assert draft.needs_two_approvers
    sign_in(first, world.reviewer, clock)
    assert _act(first, draft.id, "approve").status_code == 303
    db.expire_all()
    assert _draft_of(db, sid).status == "pending"
    assert (
        db.scalar(select(Phone).where(Phone.service_id == sid, Phone.number == "0800 999 1111"))
        is None
    )
    # The same reviewer again does not count twice.
    page = first.get(f"/staff/drafts/{draft.id}", headers=HTML).text
    assert "/approve" not in page  # no button for it
    again = first.post(
        f"/staff/drafts/{draft.id}/approve", data={"csrf_token": csrf_of(page)}, headers=HTML
    )
    assert again.status_code == 409 and "already approved" in again.text
    sign_in(second, world.second_reviewer, clock)
    assert _act(second, draft.id, "approve").status_code == 303
    db.expire_all()
    assert _draft_of(db, sid).status == "published"
    after = read_document(db, db.get(Service, sid))
    assert after["contact_modes"][call]["value"] == "0800 999 1111"
    assert db.scalar(select(Phone).where(Phone.service_id == sid, Phone.number == "0800 999 1111"))
    version = db.scalars(
        select(ServiceVersion).where(ServiceVersion.service_id == sid, ServiceVersion.number == 2)
    ).one()
    assert len(version.approver_labels) == 2


def test_an_editor_never_reaches_another_organisations_service_or_draft(
    app_factory, db: Session, world: World, clock: FakeClock
) -> None:
    own, other = curated_id(OWN), curated_id(CRISIS)
    outsider, editor = app_factory(), app_factory()
    sign_in(editor, world.editor, clock)
    assert _edit(editor, own, wait_time="Three weeks", reason="Busy").status_code == 303
    draft = _draft_of(db, own)
    sign_in(outsider, world.other_editor, clock)
    assert outsider.get(f"/staff/drafts/{draft.id}", headers=HTML).status_code == 404
    assert outsider.get(f"/staff/services/{own}/edit", headers=HTML).status_code == 404
    assert outsider.get(f"/staff/services/{own}/history", headers=HTML).status_code == 404
    # A token from a page they may see, posted to another organisation's service or draft.
    token = csrf_of(outsider.get(f"/staff/services/{other}/edit", headers=HTML).text)
    response = outsider.post(
        f"/staff/services/{own}/edit",
        data={
            "csrf_token": token,
            "name": "Taken over",
            "summary": "x",
            "reason": "x",
            "contact_modes-0-mode": "call",
            "contact_modes-0-value": "0800 1",
        },
        headers=HTML,
    )
    assert response.status_code == 404
    response = outsider.post(
        f"/staff/drafts/{draft.id}/withdraw", data={"csrf_token": token}, headers=HTML
    )
    assert response.status_code == 404
    assert _draft_of(db, own).status == "pending"


def test_a_returned_change_shows_why_and_can_be_sent_again(
    app_factory, db: Session, world: World, clock: FakeClock
) -> None:
    sid = curated_id(OWN)
    editor, reviewer = app_factory(), app_factory()
    sign_in(editor, world.editor, clock)
    assert _edit(editor, sid, wait_time="Ages", reason="Update").status_code == 303
    draft = _draft_of(db, sid)
    sign_in(reviewer, world.reviewer, clock)
    empty = _act(reviewer, draft.id, "return", return_reason="")
    assert empty.status_code == 422 and "Say what needs to change" in empty.text
    assert (
        _act(reviewer, draft.id, "return", return_reason="Give a number of weeks").status_code
        == 303
    )
    page = editor.get(f"/staff/drafts/{draft.id}", headers=HTML).text
    assert "Returned" in page and "Give a number of weeks" in page
    assert _edit(editor, sid, wait_time="About 3 weeks", reason="Weeks now").status_code == 303
    again = _draft_of(db, sid)
    assert again.id == draft.id and again.status == "pending"
    assert again.proposed["wait_time"] == "About 3 weeks"


def test_a_form_with_errors_shows_them_and_saves_nothing(
    app_factory, db: Session, world: World, clock: FakeClock
) -> None:
    sid = curated_id(OWN)
    editor = app_factory()
    sign_in(editor, world.editor, clock)
    response = _edit(
        editor,
        sid,
        name="",
        minimum_age="30",
        maximum_age="12",
        reason="",
        **{"contact_modes-0-mode": "call", "contact_modes-0-value": "call me maybe"},
    )
    assert response.status_code == 422
    for message in (
        "Enter the service&#39;s name",
        "The oldest age must not be below the youngest age",
        "Say why you are making this change",
        "A phone or text number has only digits and spaces",
    ):
        assert message in response.text, message
    assert db.scalar(select(func.count()).select_from(ServiceDraft)) == 0
    unchanged = _edit(editor, sid, reason="Nothing really")
    assert unchanged.status_code == 422 and "Nothing has changed" in unchanged.text


def test_history_compares_versions_and_restores_one_as_a_new_draft(
    app_factory, db: Session, world: World, clock: FakeClock
) -> None:
    sid = curated_id(OWN)
    editor, reviewer = app_factory(), app_factory()
    sign_in(editor, world.editor, clock)
    sign_in(reviewer, world.reviewer, clock)
    original = db.get(Service, sid).name
    assert _edit(editor, sid, name="Renamed once", reason="First").status_code == 303
    assert _act(reviewer, _draft_of(db, sid).id, "approve").status_code == 303
    page = editor.get(f"/staff/services/{sid}/history?older=1&newer=2", headers=HTML).text
    assert "Renamed once" in page and unescape(original) in unescape(page)
    clock.advance(minutes=5)
    restore = f"/staff/services/{sid}/history/1/restore"
    form = editor.get(restore, headers=HTML)
    response = editor.post(
        restore,
        data={"csrf_token": csrf_of(form.text), "reason": "Back to the old name"},
        headers=HTML,
    )
    assert response.status_code == 303
    draft = _draft_of(db, sid)
    assert draft.status == "pending" and draft.proposed["name"] == original
    assert _act(reviewer, draft.id, "approve").status_code == 303
    db.expire_all()
    assert db.get(Service, sid).name == original
    numbers = db.scalars(select(ServiceVersion.number).where(ServiceVersion.service_id == sid))
    assert sorted(numbers) == [1, 2, 3]


def test_hours_what_happens_and_a_notice_are_changed_and_published(
    app_factory, db: Session, world: World, clock: FakeClock
) -> None:
    sid = curated_id(OWN)
    editor, reviewer = app_factory(), app_factory()
    sign_in(editor, world.editor, clock)
    sign_in(reviewer, world.reviewer, clock)
    page = editor.get(f"/staff/services/{sid}/edit", headers=HTML).text
    rows = {int(n) for n in re.findall(r'name="hours-(\d+)-opens_at"', page)}
    changes: dict[str, object] = {f"hours-{n}-days": [] for n in rows}
    changes |= {f"hours-{n}-opens_at": "" for n in rows} | {
        f"hours-{n}-closes_at": "" for n in rows
    }
    changes |= {
        "hours-0-days": ["WE", "MO"],
        "hours-0-opens_at": "10:00",
        "hours-0-closes_at": "18:30",
        "hours-1-days": ["SA"],
        "hours-1-opens_at": "9:30",
        "hours-1-closes_at": "12:00",
        "open_24_7": "",
        "who_answers": "A youth counsellor",
        "referral": "self",
        "who_is_told": "Nobody, unless someone is in danger; we talk to you first",
        "notice": "Closed until 3 March",
        "notice_day": "3",
        "notice_month": "3",
        "notice_year": "2027",
        "notice_closed": "y",
        "reason": "New hours and a closure",
    }
    response = _edit(editor, sid, **changes)
    assert response.status_code == 303, response.text[:3000]
    draft = _draft_of(db, sid)
    shown = editor.get(f"/staff/drafts/{draft.id}", headers=HTML).text
    assert "Monday, Wednesday 10:00-18:30; Saturday 09:30-12:00" in shown
    assert "They can get in touch themselves" in shown
    assert _act(reviewer, draft.id, "approve").status_code == 303
    db.expire_all()
    document = read_document(db, db.get(Service, sid))
    assert document["hours"] == [
        {"days": ["MO", "WE"], "opens_at": "10:00", "closes_at": "18:30"},
        {"days": ["SA"], "opens_at": "09:30", "closes_at": "12:00"},
    ]
    assert document["notice_until"] == "2027-03-03" and document["notice_closed"] is True
    assert document["who_answers"] == "A youth counsellor" and document["referral"] == "self"
    page = editor.get(f"/staff/services/{sid}", headers=HTML).text
    assert "Closed until 3 March" in page and "A youth counsellor" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"hours-0-days": ["MO"], "hours-0-opens_at": "9am", "hours-0-closes_at": "17:00"},
            "Enter the time it opens, like 09:00",
        ),
        (
            {"hours-0-days": ["MO"], "hours-0-opens_at": "17:00", "hours-0-closes_at": "09:00"},
            "It must close after it opens",
        ),
        (
            {"hours-0-days": [], "hours-0-opens_at": "09:00", "hours-0-closes_at": "17:00"},
            "Choose the days these hours are for",
        ),
        (
            {
                "notice": "Closed for a while",
                "notice_day": "",
                "notice_month": "",
                "notice_year": "",
            },
            "Enter the last day the notice is shown",
        ),
        (
            {"notice": "Closed", "notice_day": "31", "notice_month": "2", "notice_year": "2027"},
            "Enter a real date",
        ),
    ],
)
def test_hours_and_notices_are_checked(
    app_factory, db: Session, world: World, clock: FakeClock, changes: dict, message: str
) -> None:
    sid = curated_id(OWN)
    editor = app_factory()
    sign_in(editor, world.editor, clock)
    response = _edit(editor, sid, reason="Try", **changes)
    assert response.status_code == 422
    assert message in unescape(response.text)
    assert db.scalar(select(func.count()).select_from(ServiceDraft)) == 0


def test_a_closed_notice_shows_on_the_card_and_closes_the_service_until_its_last_day(
    db: Session, world: World
) -> None:
    sid = curated_id(OWN)
    service = db.get(Service, sid)
    document = read_document(db, service)
    document |= {
        "notice": "Closed until 3 March",
        "notice_until": "2027-03-03",
        "notice_closed": True,
        "open_24_7": True,
        "who_answers": "A youth counsellor",
        "referral": "referral",
        "who_is_told": "Your GP, if you agree",
    }
    write_document(db, service, document, updated_by="test")
    need = document["needs"][0]
    during = dt.datetime(2027, 3, 3, 21, 0, tzinfo=dt.UTC)  # 9 pm in London, the last day
    after = dt.datetime(2027, 3, 4, 9, 0, tzinfo=dt.UTC)
    card = next(r for r in search(db, need=need, age=15, limit=20, now=during) if r.id == sid)
    assert card.notice == "Closed until 3 March" and card.open_now is False
    assert all(route.open_now is False for route in card.how_to_contact)
    message = card.to_message_dict()
    assert message["referral"] == "referral" and message["who_is_told"] == "Your GP, if you agree"
    assert sid not in [
        r.id for r in search(db, need=need, age=15, limit=20, now=during, open_now=True)
    ]
    card = next(r for r in search(db, need=need, age=15, limit=20, now=after) if r.id == sid)
    assert card.notice == "" and card.open_now is True


def test_a_crisis_line_is_never_closed_by_a_notice(
    app_factory, db: Session, world: World, clock: FakeClock
) -> None:
    admin = app_factory()
    sign_in(admin, world.admin, clock)
    response = _edit(
        admin,
        curated_id(CRISIS),
        notice="Closed for a day",
        notice_day="3",
        notice_month="3",
        notice_year="2027",
        notice_closed="y",
        reason="Closure",
    )
    assert response.status_code == 422
    assert "A crisis line is never shown as closed by a notice" in response.text


def test_a_new_service_waits_for_review_then_is_made_and_reaches_the_chat(
    app_factory, db: Session, world: World, clock: FakeClock
) -> None:
    editor, reviewer, outsider = app_factory(), app_factory(), app_factory()
    sign_in(editor, world.editor, clock)
    sign_in(reviewer, world.reviewer, clock)
    sign_in(outsider, world.other_editor, clock)
    path = f"/staff/organisations/{world.trust.id}/services/new"
    assert outsider.get(path, headers=HTML).status_code == 404
    services_before = db.scalar(select(func.count()).select_from(Service))
    need = read_document(db, db.get(Service, curated_id(OWN)))["needs"][0]
    page = editor.get(path, headers=HTML)
    assert page.status_code == 200
    values = _form_values(page.text) | {
        "name": "Eastbridge Saturday Drop-in",
        "summary": "A relaxed drop-in on Saturday mornings with youth workers.",
        "contact_modes-0-mode": "drop_in",
        "contact_modes-0-value": "Eastbridge Library, ground floor",
        "needs": [need],
        "minimum_age": "11",
        "maximum_age": "18",
        "reason": "A new drop-in from March",
    }
    response = editor.post(path, data=values, headers=HTML)
    assert response.status_code == 303, response.text[:2000]
    draft = db.scalars(select(ServiceDraft).where(ServiceDraft.service_id.is_(None))).one()
    assert db.scalar(select(func.count()).select_from(Service)) == services_before
    queue = reviewer.get("/staff/review", headers=HTML).text
    assert "New service: Eastbridge Saturday Drop-in" in queue
    assert _act(reviewer, draft.id, "approve").status_code == 303
    db.expire_all()
    draft = db.get(ServiceDraft, draft.id)
    assert draft.status == "published" and draft.service_id is not None
    service = db.get(Service, draft.service_id)
    assert service.name == "Eastbridge Saturday Drop-in"
    assert service.organization_id == world.trust.id and service.status == "active"
    found = search(db, need=need, age=14, limit=50)
    assert any(r.id == service.id for r in found)
    numbers = db.scalars(
        select(ServiceVersion.number).where(ServiceVersion.service_id == service.id)
    )
    assert list(numbers) == [1]


def test_a_returned_new_service_is_changed_and_sent_again_by_its_author(
    app_factory, db: Session, world: World, clock: FakeClock
) -> None:
    editor, reviewer = app_factory(), app_factory()
    sign_in(editor, world.editor, clock)
    sign_in(reviewer, world.reviewer, clock)
    path = f"/staff/organisations/{world.trust.id}/services/new"
    values = _form_values(editor.get(path, headers=HTML).text) | {
        "name": "Homework club",
        "summary": "Help with homework after school, with snacks.",
        "contact_modes-0-mode": "drop_in",
        "contact_modes-0-value": "Eastbridge Youth Centre",
        "reason": "New club",
    }
    assert editor.post(path, data=values, headers=HTML).status_code == 303
    draft = db.scalars(select(ServiceDraft).where(ServiceDraft.service_id.is_(None))).one()
    reason = "Add the ages it is for"
    assert _act(reviewer, draft.id, "return", return_reason=reason).status_code == 303
    again = f"{path}?draft={draft.id}"
    page = editor.get(again, headers=HTML)
    assert page.status_code == 200 and 'value="Homework club"' in page.text
    values = _form_values(page.text) | {"minimum_age": "11", "reason": "Ages added"}
    assert editor.post(again, data=values, headers=HTML).status_code == 303
    db.expire_all()
    draft = db.get(ServiceDraft, draft.id)
    assert draft.status == "pending" and draft.proposed["minimum_age"] == 11
    assert db.scalar(select(func.count()).select_from(ServiceDraft)) == 1


@pytest.mark.parametrize(
    ("who", "status"), [("manager", 200), ("admin", 200), ("editor", 403), ("reviewer", 403)]
)
def test_who_may_change_an_organisations_details(
    app_factory, db: Session, world: World, clock: FakeClock, who: str, status: int
) -> None:
    client = app_factory()
    sign_in(client, getattr(world, who), clock)
    assert client.get(f"/staff/organisations/{world.trust.id}/edit", headers=HTML).status_code == (
        status
    )


def test_a_manager_changes_their_organisation_and_never_another(
    app_factory, db: Session, world: World, clock: FakeClock
) -> None:
    client = app_factory()
    sign_in(client, world.manager, clock)
    nspcc = db.get(Service, curated_id(CRISIS)).organization_id
    assert client.get(f"/staff/organisations/{nspcc}/edit", headers=HTML).status_code == 404
    path = f"/staff/organisations/{world.trust.id}/edit"
    page = client.get(path, headers=HTML)
    values = _form_values(page.text) | {"website": "http://insecure.example", "reason": "x"}
    refused = client.post(path, data=values, headers=HTML)
    assert refused.status_code == 422 and "starting with https://" in refused.text
    values |= {"website": "https://eastbridge.example/", "reason": "New website"}
    assert client.post(path, data=values, headers=HTML).status_code == 303
    db.expire_all()
    assert db.get(Organization, world.trust.id).website == "https://eastbridge.example/"
    logged = db.scalars(
        select(MetadataEntry).where(
            MetadataEntry.resource_id == world.trust.id, MetadataEntry.field_name == "website"
        )
    ).all()
    assert [e.updated_by for e in logged] == ["services_directory back office"]
    entry = db.scalars(
        select(StaffAuditEvent).where(StaffAuditEvent.action == "organisation.changed")
    ).one()
    assert entry.detail == "website: New website"
    token = csrf_of(page.text)
    response = client.post(
        f"/staff/organisations/{nspcc}/edit",
        data={"csrf_token": token, "name": "Taken over", "reason": "x"},
        headers=HTML,
    )
    assert response.status_code == 404


def test_the_review_interval_is_changed_through_review_and_stays_monthly_for_crisis_lines(
    app_factory, db: Session, world: World, clock: FakeClock
) -> None:
    editor, reviewer, admin = app_factory(), app_factory(), app_factory()
    sign_in(editor, world.editor, clock)
    sign_in(reviewer, world.reviewer, clock)
    sign_in(admin, world.admin, clock)
    sid = curated_id(OWN)
    assert _edit(editor, sid, review_interval_months="6", reason="Busy sector").status_code == 303
    assert _act(reviewer, _draft_of(db, sid).id, "approve").status_code == 303
    db.expire_all()
    assert db.get(ServiceReview, sid).review_interval_months == 6
    too_long = _edit(editor, sid, review_interval_months="36", reason="Rarely changes")
    assert too_long.status_code == 422 and "from 1 to 24" in too_long.text
    crisis = _edit(admin, curated_id(CRISIS), review_interval_months="12", reason="Less often")
    assert crisis.status_code == 422 and "A crisis line is checked every month" in crisis.text


def test_places_are_added_changed_and_removed_without_touching_a_shared_place(
    app_factory, db: Session, world: World, clock: FakeClock
) -> None:
    sid = curated_id(OWN)
    editor, reviewer = app_factory(), app_factory()
    sign_in(editor, world.editor, clock)
    sign_in(reviewer, world.reviewer, clock)
    page = editor.get(f"/staff/services/{sid}/edit", headers=HTML).text
    rows = sorted({int(n) for n in re.findall(r'name="places-(\d+)-name"', page)})
    blank = {f"places-{n}-{k}": "" for n in rows for k in ("name", "address", "town", "postcode")}
    first = rows[0]
    place = {
        f"places-{first}-name": "Eastbridge Library",
        f"places-{first}-address": "1 High Street",
        f"places-{first}-town": "London",
        f"places-{first}-postcode": "e14 2bb",
    }
    bad = _edit(editor, sid, reason="Place", **(blank | place | {f"places-{first}-name": ""}))
    assert bad.status_code == 422 and "Enter the place&#39;s name" in bad.text
    assert _edit(editor, sid, reason="Where we are", **(blank | place)).status_code == 303
    assert _act(reviewer, _draft_of(db, sid).id, "approve").status_code == 303
    db.expire_all()
    places = read_document(db, db.get(Service, sid))["places"]
    assert places == [
        {
            "name": "Eastbridge Library",
            "address": "1 High Street",
            "town": "London",
            "postcode": "E14 2BB",
        }
    ]
    library = db.scalars(select(ServiceAtLocation).where(ServiceAtLocation.service_id == sid)).one()
    # Another service shares the place: moving this one elsewhere leaves it to the other.
    other = curated_id("eastbridge-bereavement-group")
    db.add(ServiceAtLocation(id="shared-link", service_id=other, location_id=library.location_id))
    db.flush()
    clock.advance(minutes=5)
    moved = place | {f"places-{first}-address": "2 Market Square"}
    page = editor.get(f"/staff/services/{sid}/edit", headers=HTML).text
    assert _edit(editor, sid, reason="We moved", **(blank | moved)).status_code == 303
    assert _act(reviewer, _draft_of(db, sid).id, "approve").status_code == 303
    db.expire_all()
    assert read_document(db, db.get(Service, sid))["places"][0]["address"] == "2 Market Square"
    assert read_document(db, db.get(Service, other))["places"][0]["address"] == "1 High Street"


# Each new page for each role, on the trust's own service and organisation: (path, the roles
# that may open it). Every other role is refused (403), whatever it can see.
CHANGE_ROUTES = [
    ("/staff/services/{own}/edit", {"editor", "manager", "admin"}),
    ("/staff/organisations/{trust}/services/new", {"editor", "manager", "admin"}),
    ("/staff/organisations/{trust}/edit", {"manager", "admin"}),
    ("/staff/services/{own}/history", {"editor", "manager", "admin", "reviewer"}),
    ("/staff/review", {"admin", "reviewer"}),
]


@pytest.mark.parametrize("who", ["editor", "manager", "reviewer", "admin"])
def test_each_change_page_for_each_role(
    app_factory, db: Session, world: World, clock: FakeClock, who: str
) -> None:
    client = app_factory()
    sign_in(client, getattr(world, who), clock)
    for template, allowed in CHANGE_ROUTES:
        path = template.format(own=curated_id(OWN), trust=world.trust.id)
        expected = 200 if who in allowed else 403
        assert client.get(path, headers=HTML).status_code == expected, (who, path)
