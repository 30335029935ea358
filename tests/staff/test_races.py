"""Two requests at once, as two database clients: each test interleaves two sessions on their own
connections explicitly, step by step, so that the race is the same every run (no timing)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from services_directory.accounts import StaffSignInFailure, StaffUser
from services_directory.drafts import ServiceDraft, ServiceVersion
from services_directory.models import MetadataEntry, Organization, Service
from staff import drafts, signin
from staff.errors import InvalidChange, SignInRefused, SignInThrottled
from staff.policy import Role
from staff.service_document import read_document
from staff.signin import check_code, check_password, confirm_enrolment
from staff.throttle import ThrottleRules, attempt_for
from staff.totp import new_secret
from tests.staff.helpers import FakeClock, code_for, make_organisation, make_user

RULES = ThrottleRules(key="test-only-staff-key", per_account=1)


def _committed_admin(committing: Callable[[], Session], *, two_factor: bool = True) -> str:
    with committing() as db, db.begin():
        return make_user(db, "admin@council.example", Role.COUNCIL_ADMIN, two_factor=two_factor).id


def _both_read(committing: Callable[[], Session], user_id: str) -> tuple[Any, ...]:
    """Two requests load the account before either has done anything (as `find_visit` does,
    ending the read transaction)."""
    first, second = committing(), committing()
    a, b = first.get(StaffUser, user_id), second.get(StaffUser, user_id)
    first.commit()
    second.commit()
    return first, a, second, b


def test_a_code_sent_twice_at_once_is_accepted_once(
    committing: Callable[[], Session], clock: FakeClock
) -> None:
    first, a, second, b = _both_read(committing, _committed_admin(committing))
    code = code_for(a.totp_secret, clock)
    check_code(first, a, code, attempt_for(RULES, a.email, "192.0.2.1"), RULES, clock())
    first.commit()
    # The second request still holds the account as it was before the first used the code.
    assert b.totp_last_counter is None
    with pytest.raises(SignInRefused):
        check_code(second, b, code, attempt_for(RULES, b.email, "192.0.2.2"), RULES, clock())
    second.rollback()  # (the app commits the failure; here it would be an audit entry)


def test_a_code_confirming_two_factor_twice_at_once_is_accepted_once(
    committing: Callable[[], Session], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The success would be logged for good: the log is not what this test is about.
    monkeypatch.setattr(signin.audit, "record", lambda *args, **kwargs: None)
    user_id = _committed_admin(committing, two_factor=False)
    with committing() as db, db.begin():
        db.get(StaffUser, user_id).totp_secret = new_secret()  # type: ignore[union-attr]
    first, a, second, b = _both_read(committing, user_id)
    code = code_for(a.totp_secret, clock)
    confirm_enrolment(first, a, code, attempt_for(RULES, a.email, "192.0.2.1"), RULES, clock())
    first.commit()
    with pytest.raises(SignInRefused):
        confirm_enrolment(second, b, code, attempt_for(RULES, b.email, "192.0.2.2"), RULES, clock())
    second.rollback()


def test_guesses_sent_at_once_cannot_pass_the_limit(
    committing: Callable[[], Session], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One failure allowed per account: while the first guess is being checked (argon2 takes a
    while), a second one for the same address is refused without being checked."""
    email = "nobody@council.example"  # no account: a failure writes nothing to the audit log
    first, second = committing(), committing()
    verify = signin.verify_password

    def meanwhile_another_guess(password: str, stored: str | None) -> tuple[bool, str | None]:
        monkeypatch.setattr(signin, "verify_password", verify)
        with pytest.raises(SignInThrottled):
            check_password(
                second,
                email,
                "second guess",
                attempt_for(RULES, email, "192.0.2.2"),
                RULES,
                clock(),
            )
        second.rollback()  # (its audit entry)
        return verify(password, stored)

    monkeypatch.setattr(signin, "verify_password", meanwhile_another_guess)
    with pytest.raises(SignInRefused):
        check_password(
            first, email, "first guess", attempt_for(RULES, email, "192.0.2.1"), RULES, clock()
        )
    first.commit()
    failures = first.scalars(
        select(StaffSignInFailure).where(StaffSignInFailure.scope == "account")
    )
    assert len(failures.all()) == 1  # the first guess; the refused one is not counted


def test_a_place_taken_in_parallel_refuses_the_later_attempt(
    committing: Callable[[], Session], clock: FakeClock
) -> None:
    """Both attempts pass the first count; each is then written down before it is counted
    again, so the later one sees the earlier and gives its place back."""
    from staff import throttle

    email = "nobody@council.example"
    first, second = committing(), committing()
    attempts = [attempt_for(RULES, email, "192.0.2.1"), attempt_for(RULES, email, "192.0.2.2")]
    assert not throttle.is_throttled(first, RULES, attempts[0], clock())
    assert not throttle.is_throttled(second, RULES, attempts[1], clock())
    first.commit()
    second.commit()
    assert throttle.claim(first, RULES, attempts[0], clock()) is not None
    assert throttle.claim(second, RULES, attempts[1], clock()) is None
    rows = first.scalars(select(StaffSignInFailure)).all()
    assert sorted(r.scope for r in rows) == ["account", "ip"]  # only the first attempt's


def test_two_reviewers_approving_one_change_at_once_publish_it_once(
    committing: Callable[[], Session], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Approvals would be logged for good: the log is not what this test is about.
    monkeypatch.setattr(drafts.audit, "record", lambda *args, **kwargs: None)
    with committing() as db, db.begin():
        organisation = make_organisation(db, "Riverside Youth Club")
        editor = make_user(db, "ed@riverside.example", Role.ORGANISATION_EDITOR, organisation)
        ids = [make_user(db, f"r{i}@council.example", Role.REVIEWER).id for i in (1, 2)]
        service = Service(id=str(uuid.uuid4()), organization_id=organisation.id, name="Drop-in")
        db.add(service)
        db.flush()
        document = read_document(db, service)
        draft = drafts.propose(
            db, editor, service, {**document, "name": "Drop-in club"}, "Renamed", clock()
        )
        draft_id, service_id, organisation_id = draft.id, service.id, organisation.id
    try:
        first, second = committing(), committing()
        a, b = first.get(ServiceDraft, draft_id), second.get(ServiceDraft, draft_id)
        reviewer_a, reviewer_b = first.get(StaffUser, ids[0]), second.get(StaffUser, ids[1])
        second.commit()  # its read ends, as a request's does (SQLite would block the writer)
        assert drafts.approve(first, reviewer_a, a, clock())
        first.commit()
        with pytest.raises((InvalidChange, StaleDataError)):
            drafts.approve(second, reviewer_b, b, clock())
            second.commit()
        second.rollback()
        with committing() as db:
            numbers = db.scalars(
                select(ServiceVersion.number).where(ServiceVersion.service_id == service_id)
            ).all()
            assert sorted(numbers) == [1, 2]
    finally:
        with committing() as db, db.begin():
            db.execute(delete(ServiceDraft).where(ServiceDraft.service_id == service_id))
            db.execute(delete(ServiceVersion).where(ServiceVersion.service_id == service_id))
            db.execute(delete(MetadataEntry).where(MetadataEntry.resource_id == service_id))
            db.execute(delete(Service).where(Service.id == service_id))
            db.execute(delete(StaffUser).where(StaffUser.organisation_id == organisation_id))
            db.execute(delete(Organization).where(Organization.id == organisation_id))
