"""The workshop's people, on a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is
set): invite links work once, for a while, while their inviter may still invite; a workshop name
never says who someone is; consent is the young person's own, a parent's or carer's where the
policy asks for it, and can be withdrawn by them or a moderator on their behalf (with a reason);
every action leaves its audit entry."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from services_directory.accounts import StaffInvitation
from staff.errors import AccountNotFound, InvalidChange, InvitationUnusable, PermissionDenied
from staff.invitations import usable_invitation
from staff.policy import Role
from staff.sessions import DatabaseSessionStore
from tests.staff import conftest as staff_fixtures
from tests.staff.helpers import PASSWORD, FakeClock, make_user
from tests.workshop.people_helpers import (
    WEEK,
    actions,
    invite_link,
    last_audit_id,
    member_of,
    moderator,
)
from workshop import people
from workshop.membership import (
    NAME_TAKEN,
    NO_EMAIL,
    deactivate_member,
    invite_member,
    join,
    members,
    open_member_invitations,
    withdraw_member_invitation,
)
from workshop.names import name_problem
from workshop.people import ConsentState, consent_of, consenting_member_ids, withdrawn_member_ids

# The staff tests' fixtures: a database per backend whose writes are rolled back, and a clock.
engine, db_pair, db, clock = (
    staff_fixtures.engine,
    staff_fixtures.db_pair,
    staff_fixtures.db,
    staff_fixtures.clock,
)


def _token(path: str) -> str:
    return path.rsplit("/", 1)[1]


@pytest.mark.parametrize(
    "name",
    [
        "jo.bloggs@example.org",  # an e-mail address
        "07700 900123",  # a phone number
        "+44 7700 900123",
        "@jo_bloggs",  # a handle
        "my name is Jo",  # a self-introduction
        "Jane Smith",  # a full name as written
        "Mary-Jane Jones",
        "SW1A 1AA",  # a postcode
        "jo 2024567",  # a long number
        "ab",
        "x" * 31,
        "jo!!",
        "",
    ],
)
def test_a_workshop_name_that_could_say_who_someone_is_is_refused(name: str) -> None:
    assert name_problem(name) is not None


@pytest.mark.parametrize("name", ["BlueFox", "quiet-river", "sky_2", "blue fox", "Zoë", "Nova"])
def test_a_made_up_name_is_fine(name: str) -> None:
    assert name_problem(name) is None


def test_an_invite_link_sets_up_a_pseudonymous_account_with_consent(
    db: Session, clock: FakeClock
) -> None:
    mod = moderator(db)
    before = last_audit_id(db)
    path = invite_link(db, mod, clock(), note="Tuesday group")
    invitation = open_member_invitations(db, clock())[0][0]
    assert invitation.email == NO_EMAIL and invitation.organisation_id is None
    user = join(db, _token(path), "  blue  Fox-7 ", PASSWORD, True, clock())
    assert (user.email, user.display_name, user.role) == (
        "blue fox-7",
        "blue Fox-7",
        "youth_writer",
    )
    assert user.password_hash and user.password_hash.startswith("$argon2id$")
    consent = consent_of(db, user.id)
    assert consent.state == ConsentState.GIVEN
    assert [(r.given_by, r.policy_version) for r in consent.records] == [
        ("self", people.CONSENT_VERSION)
    ]
    assert user.id in consenting_member_ids(db) and user.id not in withdrawn_member_ids(db)
    assert actions(db, before) == [
        "workshop.member_invited",
        "workshop.member_joined",
        "workshop.consent_recorded",
    ]
    row = next(r for r in members(db) if r.user.id == user.id)
    assert row.invited_at == clock() and row.note == "Tuesday group"
    assert row.consent_state == "given"


def test_an_invite_link_works_once(db: Session, clock: FakeClock) -> None:
    path = invite_link(db, moderator(db), clock())
    join(db, _token(path), "first-one", PASSWORD, True, clock())
    with pytest.raises(InvitationUnusable):
        join(db, _token(path), "second-one", PASSWORD, True, clock())


def test_an_invite_link_expires(db: Session, clock: FakeClock) -> None:
    path = invite_link(db, moderator(db), clock())
    with pytest.raises(InvitationUnusable):
        join(db, _token(path), "too-late", PASSWORD, True, clock() + WEEK)


def test_an_invite_link_stops_working_with_its_inviter(db: Session, clock: FakeClock) -> None:
    mod = moderator(db)
    path = invite_link(db, mod, clock())
    mod.active = False
    db.flush()
    with pytest.raises(InvitationUnusable):
        join(db, _token(path), "orphan", PASSWORD, True, clock())


def test_a_withdrawn_invite_link_no_longer_works(db: Session, clock: FakeClock) -> None:
    mod = moderator(db)
    path = invite_link(db, mod, clock())
    invitation = open_member_invitations(db, clock())[0][0]
    withdraw_member_invitation(db, mod, invitation.id, clock())
    assert open_member_invitations(db, clock()) == []
    with pytest.raises(InvitationUnusable):
        join(db, _token(path), "withdrawn", PASSWORD, True, clock())
    assert actions(db)[-1] == "workshop.invitation_withdrawn"


def test_a_workshop_link_is_never_a_staff_set_up_link(db: Session, clock: FakeClock) -> None:
    # A council admin may make either kind: the staff set-up page must not take a workshop
    # token (it would skip the workshop name rules and the consent).
    admin = make_user(db, "admin@council.example", Role.COUNCIL_ADMIN)
    path = invite_link(db, admin, clock())
    with pytest.raises(InvitationUnusable):
        usable_invitation(db, _token(path), clock())


def test_only_moderators_make_invite_links_and_only_for_young_people(
    db: Session, clock: FakeClock
) -> None:
    editor = make_user(db, "ro@council.example", Role.READ_ONLY)
    with pytest.raises(PermissionDenied):
        invite_member(db, editor, Role.YOUTH_WRITER, "", False, clock(), WEEK)
    writer = member_of(db, "writer-one", clock())
    with pytest.raises(PermissionDenied):
        invite_member(db, writer, Role.YOUTH_WRITER, "", False, clock(), WEEK)
    with pytest.raises(InvalidChange):
        invite_member(
            db, moderator(db, "m2@council.example"), Role.READ_ONLY, "", False, clock(), WEEK
        )


def test_the_private_note_may_not_hold_personal_details(db: Session, clock: FakeClock) -> None:
    with pytest.raises(InvalidChange) as refused:
        invite_link(db, moderator(db), clock(), note="for Sam, call 07700 900123")
    assert refused.value.field == "note"


@pytest.mark.parametrize(
    ("name", "password", "consent", "field"),
    [
        ("Jane Smith", PASSWORD, True, "name"),
        ("quiet-river", "short", True, "password"),
        ("quiet-river", "quiet-river-quiet-river", True, "password"),  # contains the name
        ("quiet-river", PASSWORD, False, "consent"),
    ],
)
def test_set_up_refuses_a_bad_name_password_or_no_consent_and_keeps_the_link(
    db: Session, clock: FakeClock, name: str, password: str, consent: bool, field: str
) -> None:
    path = invite_link(db, moderator(db), clock())
    with pytest.raises(InvalidChange) as refused:
        join(db, _token(path), name, password, consent, clock())
    assert refused.value.field == field
    db.rollback()  # as the page does: the link is still there to use
    path = invite_link(db, moderator(db), clock())
    assert join(db, _token(path), "quiet-river", PASSWORD, True, clock())


def test_two_people_cannot_pick_the_same_name(db: Session, clock: FakeClock) -> None:
    member_of(db, "BlueFox", clock())
    path = invite_link(db, moderator(db, "m2@council.example"), clock())
    with pytest.raises(InvalidChange) as refused:
        join(db, _token(path), "bluefox", PASSWORD, True, clock())
    assert refused.value.message == NAME_TAKEN


def test_a_parent_or_carers_consent_is_needed_where_the_policy_asks(
    db: Session, clock: FakeClock
) -> None:
    mod = moderator(db)
    user = member_of(db, "sky-writer", clock(), parent=True, inviter=mod)
    assert consent_of(db, user.id).state == ConsentState.NEEDS_PARENT
    assert user.id not in consenting_member_ids(db)
    assert not people.may_write(db, user)
    with pytest.raises(PermissionDenied):
        people.record_parent_consent(db, user, user, "my mum said yes", clock())
    before = last_audit_id(db)
    people.record_parent_consent(db, mod, user, "Signed paper form, kept at the centre", clock())
    assert consent_of(db, user.id).state == ConsentState.GIVEN
    assert user.id in consenting_member_ids(db) and people.may_write(db, user)
    assert actions(db, before) == ["workshop.consent_recorded"]
    with pytest.raises(InvalidChange):
        people.record_parent_consent(db, mod, user, "again", clock())


def test_a_writer_withdraws_their_own_consent(db: Session, clock: FakeClock) -> None:
    user = member_of(db, "rain-cloud", clock())
    other = member_of(db, "sun-beam", clock())
    before = last_audit_id(db)
    assert people.withdraw_consent(db, user, user, clock()) == 1
    consent = consent_of(db, user.id)
    assert consent.state == ConsentState.WITHDRAWN and consent.withdrawn_at == clock()
    assert consent.records[0].withdrawn_by == "self"
    assert withdrawn_member_ids(db) == {user.id}
    assert consenting_member_ids(db) == {other.id}
    assert not people.may_write(db, user)
    assert actions(db, before) == ["workshop.consent_withdrawn"]
    with pytest.raises(InvalidChange):
        people.withdraw_consent(db, user, user, clock())


def test_a_moderator_withdraws_consent_on_a_members_behalf_with_a_reason(
    db: Session, clock: FakeClock
) -> None:
    mod = moderator(db)
    user = member_of(db, "night-owl", clock(), parent=True, inviter=mod)
    people.record_parent_consent(db, mod, user, "Signed form", clock())
    with pytest.raises(InvalidChange):
        people.withdraw_consent(db, mod, user, clock(), "  ")
    other = member_of(db, "day-owl", clock(), inviter=mod)
    with pytest.raises(PermissionDenied):  # one young person cannot withdraw another's
        people.withdraw_consent(db, other, user, clock(), "because")
    assert people.withdraw_consent(db, mod, user, clock(), "Asked by their carer") == 2
    records = consent_of(db, user.id).records
    assert {(r.withdrawn_by, r.withdrawal_reason) for r in records} == {
        ("moderator", "Asked by their carer")
    }
    assert withdrawn_member_ids(db) == {user.id}


def test_staff_are_not_members(db: Session, clock: FakeClock) -> None:
    mod = moderator(db)
    with pytest.raises(AccountNotFound):
        people.member(db, mod.id)
    with pytest.raises(AccountNotFound):
        people.withdraw_consent(db, mod, mod, clock(), "no")
    assert people.may_write(db, make_user(db, "admin@council.example", Role.COUNCIL_ADMIN))
    assert not people.may_write(db, mod)  # moderators review; they do not write


def test_deactivating_a_member_ends_their_sessions_and_keeps_their_consent(
    db: Session, clock: FakeClock
) -> None:
    mod = moderator(db)
    user = member_of(db, "quiet-one", clock(), inviter=mod)
    store = DatabaseSessionStore(db)
    token, _ = store.create(user.id, "signed_in", clock())
    deactivate_member(db, mod, user, clock(), store)
    assert not user.active and store.find(token, clock()) is None
    assert consent_of(db, user.id).state == ConsentState.GIVEN
    assert actions(db)[-1] == "workshop.member_deactivated"


def test_a_moderator_deactivated_takes_their_open_invite_links_with_them(
    db: Session, clock: FakeClock
) -> None:
    from staff.accounts import deactivate

    admin = make_user(db, "admin@council.example", Role.COUNCIL_ADMIN)
    mod = moderator(db)
    invite_link(db, mod, clock())
    deactivate(db, admin, mod, clock(), DatabaseSessionStore(db))
    invitation = db.query(StaffInvitation).filter_by(invited_by_id=mod.id).one()
    assert invitation.revoked_at == clock()
    assert open_member_invitations(db, clock()) == []


def test_consent_is_kept_with_its_moment(db: Session, clock: FakeClock) -> None:
    user = member_of(db, "late-bloomer", clock())
    later = clock() + dt.timedelta(days=3)
    people.withdraw_consent(db, user, user, later)
    db.expire_all()
    record = consent_of(db, user.id).records[0]
    assert record.given_at == clock() and record.withdrawn_at == later
