"""Dependencies of the staff pages: the clock, the session store, the signed-in person
(`CurrentStaff`), `require(permission)`, and the submitted form data.

Auth sits on the router (`api/routes/staff/__init__.py`); a route that needs a permission takes
`Depends(require(...))`, which asks the one policy (`staff.policy`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from api.deps import SessionDep, SettingsDep
from services_directory.accounts import StaffUser
from services_directory.models import utcnow
from settings.app import Settings
from staff.errors import NotSignedIn, PermissionDenied
from staff.policy import YOUTH_ROLES, Actor, Permission, Role, actor_of, can, needs_two_factor
from staff.redis_sessions import RedisSessionStore
from staff.sessions import (
    NEEDS_CODE,
    NEEDS_ENROLMENT,
    SIGNED_IN,
    DatabaseSessionStore,
    Lifetimes,
    SessionRecord,
    SessionStore,
)
from staff.throttle import Attempt, ThrottleRules, attempt_for


@dataclass(frozen=True)
class StaffCookies:
    """The names and path of the session and pre-session cookies."""

    session: str
    presession: str
    path: str


# With Secure, the `__Host-` prefix: the browser then takes the cookie only from this very host,
# over https, for Path=/ and no Domain, so a sibling subdomain cannot plant or shadow it. Browsers
# refuse the prefix without Secure, so development over http keeps plain names under /staff.
SECURE_COOKIES = StaffCookies("__Host-staff_session", "__Host-staff_presession", "/")
# Path=/ so that the workshop's pages (/workshop/) share the session.
PLAIN_COOKIES = StaffCookies("staff_session", "staff_presession", "/")


def staff_cookies(settings: Settings) -> StaffCookies:
    """The cookies the settings call for: prefixed whenever they are Secure."""
    return SECURE_COOKIES if settings.staff_cookie_is_secure else PLAIN_COOKIES


Clock = Callable[[], dt.datetime]


def get_clock() -> Clock:
    """What time it is (tests override this dependency to move time on without sleeping)."""
    return utcnow


ClockDep = Annotated[Clock, Depends(get_clock)]


def get_session_store(request: Request, db: SessionDep, settings: SettingsDep) -> SessionStore:
    """The session store the settings ask for: the database (default) or Redis."""
    lifetimes = Lifetimes(
        idle=dt.timedelta(minutes=settings.staff_session_idle_minutes),
        absolute=dt.timedelta(hours=settings.staff_session_absolute_hours),
    )
    if settings.staff_session_store == "redis":
        return RedisSessionStore(request.app.state.redis, lifetimes)
    return DatabaseSessionStore(db, lifetimes)


SessionStoreDep = Annotated[SessionStore, Depends(get_session_store)]


class OutsideTheWorkshop(PermissionDenied):
    """A young person's account on a staff page: 403 (the workshop sends browsers to
    /workshop/, api/routes/workshop/errors.py)."""


@dataclass(frozen=True)
class Visit:
    """A request's session, if any: the cookie's token, the record, and its account."""

    token: str
    record: SessionRecord
    user: StaffUser


def find_visit(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    store: SessionStoreDep,
    clock: ClockDep,
) -> Visit | None:
    """The live session of the request's cookie and its active account, at any stage."""
    token = request.cookies.get(staff_cookies(settings).session)
    if not token:
        return None
    record = store.find(token, clock())
    user = db.get(StaffUser, record.user_id) if record else None
    db.commit()  # keeps the session's "last seen" even when the page only reads
    if record is None or user is None or not user.active:
        return None
    if Role(user.role) in YOUTH_ROLES and request.url.path.startswith("/staff"):
        # Young people's accounts have no back-office page at all, signing-in steps included.
        raise OutsideTheWorkshop("young people's accounts use the workshop's pages")
    if (
        record.stage == SIGNED_IN
        and needs_two_factor(user.role)
        and user.totp_confirmed_at is None
        and user.oidc_subject is None
    ):
        # Never expected (signing in and role changes need two-factor first), so refused rather
        # than trusted: a role that needs a second factor is never used without one. An account
        # bound to the identity provider may have had it there (`staff.oidc` checks each time).
        return None
    return Visit(token, record, user)


VisitDep = Annotated[Visit | None, Depends(find_visit)]


@dataclass(frozen=True)
class SignedIn:
    """The signed-in person: account, session, and the policy's view of them."""

    user: StaffUser
    session: SessionRecord
    token: str
    actor: Actor

    def can(self, permission: Permission) -> bool:
        """Whether the policy allows this person `permission` in general (for templates)."""
        return can(self.actor, permission)


PENDING_STEPS = {NEEDS_CODE: "/staff/sign-in/code", NEEDS_ENROLMENT: "/staff/two-factor"}


def current_staff(request: Request, settings: SettingsDep, visit: VisitDep) -> SignedIn:
    """The signed-in person; `NotSignedIn` (sign-in page or 401) when there is none."""
    if visit is None:
        expired = bool(request.cookies.get(staff_cookies(settings).session))
        raise NotSignedIn("sign in to use the staff pages", expired=expired)
    if visit.record.stage != SIGNED_IN:
        step = PENDING_STEPS[visit.record.stage]
        raise NotSignedIn("finish signing in first", pending_step=step)
    return SignedIn(visit.user, visit.record, visit.token, actor_of(visit.user))


CurrentStaff = Annotated[SignedIn, Depends(current_staff)]


def require(permission: Permission) -> Callable[[SignedIn], SignedIn]:
    """A dependency that lets through only people whose role has `permission`."""

    def allowed(staff: CurrentStaff) -> SignedIn:
        """The signed-in person, when their role has the permission; else 403."""
        if not can(staff.actor, permission):
            raise PermissionDenied(f"your role does not allow {permission.value}")
        return staff

    return allowed


async def form_data(request: Request) -> FormData:
    """The posted form (read here, so that the routes themselves can be plain functions that
    run in the thread pool while argon2 hashes)."""
    return await request.form(max_files=0, max_fields=200)


FormDataDep = Annotated[FormData, Depends(form_data)]


def throttle_rules(settings: SettingsDep) -> ThrottleRules:
    """The sign-in throttling rules from the settings."""
    return ThrottleRules(
        key=settings.staff_secret_key.get_secret_value(),
        window=dt.timedelta(minutes=settings.staff_sign_in_window_minutes),
        per_account=settings.staff_sign_in_max_failures_per_account,
        per_address=settings.staff_sign_in_max_failures_per_ip,
    )


ThrottleRulesDep = Annotated[ThrottleRules, Depends(throttle_rules)]


def attempt_of(request: Request, rules: ThrottleRules, email: str) -> Attempt:
    """The throttling pseudonyms of a sign-in by `email` from this request's client address."""
    address = request.client.host if request.client else "unknown"
    return attempt_for(rules, email, address)
