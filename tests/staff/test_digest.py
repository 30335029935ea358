"""The weekly reminder digest, delivered to a real local SMTP server: each organisation's contacts
get their own organisation's due and overdue services, once a week; the command line and the
scheduler process run it."""

from __future__ import annotations

import datetime as dt
from email.message import Message
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffAuditEvent
from services_directory.db import make_engine, make_session_factory, migrate
from services_directory.schedules import LONDON
from settings.app import Settings
from staff import digest, scheduler
from staff.mail import make_mailer
from staff.policy import Role
from tests.staff.conftest import Inbox
from tests.staff.freshness_world import NOON, World, build_world
from tests.staff.helpers import make_user

BASE = "https://directory.example.org"


def _settings(port: int) -> Settings:
    return Settings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        public_base_url=BASE,
        mail_sender="Directory <directory@council.example>",
    )


def _people(db: Session, world: World) -> None:
    make_user(db, "manager@riverside.example", Role.ORGANISATION_MANAGER, world.riverside)
    make_user(db, "editor@riverside.example", Role.ORGANISATION_EDITOR, world.riverside)
    make_user(db, "gone@riverside.example", Role.ORGANISATION_EDITOR, world.riverside, active=False)
    make_user(db, "editor@northgate.example", Role.ORGANISATION_EDITOR, world.northgate)
    make_user(db, "admin@council.example", Role.COUNCIL_ADMIN)


def _body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def _by_recipient(inbox: Inbox) -> dict[str, Message]:
    return {str(m["To"]): m for m in inbox.messages}


def test_each_organisations_contacts_get_their_due_and_overdue_services(
    db: Session, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    world = build_world(db)
    _people(db, world)
    settings = _settings(port)
    report = digest.send_digests(db, settings, make_mailer(settings), NOON)

    received = _by_recipient(inbox)
    assert set(received) == {
        "manager@riverside.example",
        "editor@riverside.example",
        "hello@riverside.example",  # the organisation's own address
        "editor@northgate.example",
    }
    riverside = _body(received["manager@riverside.example"])
    for name in ("Long overdue", "Just overdue", "Due soon", "Crisis line", "Never checked"):
        assert name in riverside
    assert "Checked lately" not in riverside and "Northgate" not in riverside
    assert f"{BASE}/staff/services/{world.id('Long overdue')}" in riverside
    assert riverside.index("Overdue:") < riverside.index("Long overdue")
    assert riverside.index("Due in the next 30 days:") < riverside.index("Due soon")
    assert "Crisis line (crisis line: checked every month): last checked 3 February 2027" in (
        riverside
    )
    assert received["manager@riverside.example"]["Subject"] == (
        "5 services to check: Riverside Youth Club"
    )
    northgate = _body(received["editor@northgate.example"])
    assert "Northgate overdue" in northgate and "Northgate current" not in northgate
    assert "Long overdue" not in northgate
    assert report.organisations == 2 and report.messages == 4 and report.services == 6

    sent = db.scalars(
        select(StaffAuditEvent.record_id).where(StaffAuditEvent.action == digest.SENT)
    )
    assert set(sent) == {world.riverside.id, world.northgate.id}
    (run,) = db.scalars(select(StaffAuditEvent).where(StaffAuditEvent.action == digest.RUN))
    assert run.actor_label == digest.ACTOR_LABEL and "2 organisations" in run.detail


def test_a_second_run_in_the_same_week_sends_nothing_unless_forced(
    db: Session, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    world = build_world(db)
    _people(db, world)
    settings = _settings(port)
    mailer = make_mailer(settings)
    digest.send_digests(db, settings, mailer, NOON)
    first = len(inbox.messages)
    again = digest.send_digests(db, settings, mailer, NOON + dt.timedelta(days=2))
    assert len(inbox.messages) == first and again.already_sent == 2
    digest.send_digests(db, settings, mailer, NOON + dt.timedelta(days=7))
    assert len(inbox.messages) == 2 * first
    digest.send_digests(db, settings, mailer, NOON + dt.timedelta(days=7), force=True)
    assert len(inbox.messages) == 3 * first


def test_an_organisation_without_contacts_is_reported_not_mailed(
    db: Session, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    world = build_world(db)
    world.riverside.email = None
    db.flush()
    settings = _settings(port)
    report = digest.send_digests(db, settings, make_mailer(settings), NOON)
    assert inbox.messages == []
    assert set(report.without_contacts) == {world.riverside.id, world.northgate.id}


def test_the_command_sends_the_digest(
    tmp_path: Path, smtp: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp
    url = f"sqlite:///{tmp_path / 'directory.db'}"
    migrate(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as db, db.begin():
        world = build_world(db)
        make_user(db, "editor@northgate.example", Role.ORGANISATION_EDITOR, world.northgate)
    engine.dispose()
    monkeypatch.setattr(digest, "get_settings", lambda: _settings(port))
    monkeypatch.setattr(digest, "utcnow", lambda: NOON)
    assert digest.main(["--database-url", url]) == 0
    received = _by_recipient(inbox)
    assert set(received) == {"hello@riverside.example", "editor@northgate.example"}


def test_the_scheduler_runs_the_digest_weekly_at_the_hour_of_the_settings() -> None:
    settings = Settings(staff_digest_day="tue", staff_digest_hour=9)
    job = scheduler.build_scheduler(settings).get_job(scheduler.DIGEST_JOB)
    assert job is not None and job.func is scheduler.run_digest
    after = dt.datetime(2027, 3, 15, 12, 0, tzinfo=LONDON)  # a Monday
    first = job.trigger.get_next_fire_time(None, after)
    assert first == dt.datetime(2027, 3, 16, 9, 0, tzinfo=LONDON)
    second = job.trigger.get_next_fire_time(first, first + dt.timedelta(seconds=1))
    assert second == dt.datetime(2027, 3, 23, 9, 0, tzinfo=LONDON)
    # British Summer Time: still 9 o'clock in London.
    summer = job.trigger.get_next_fire_time(None, dt.datetime(2027, 4, 1, tzinfo=LONDON))
    assert summer is not None and summer.utcoffset() == dt.timedelta(hours=1)
    assert (summer.hour, summer.weekday()) == (9, 1)
