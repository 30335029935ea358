"""The staff pages' forms (WTForms), each with a CSRF token bound to the server-side session.

A token is an HMAC, under `STAFF_SECRET_KEY`, of the session's own random CSRF value and an
expiry time (WTForms' `SessionCSRF`, here with SHA-256 and a constant-time comparison). A form
posted without it, with another session's, or after it expired is refused with 403 before any
field is read. Before signing in there is no session yet: those forms are bound to a random
pre-session cookie instead (OWASP's signed double-submit cookie), so a login CSRF fails too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any, TypeVar

from starlette.datastructures import FormData
from wtforms import (
    EmailField,
    Form,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.csrf.session import SessionCSRF
from wtforms.validators import Email, InputRequired, Length, ValidationError

from settings.app import Settings
from staff.errors import CsrfRefused
from staff.passwords import MAX_LENGTH
from staff.policy import Role

FORM_LIFETIME = dt.timedelta(minutes=60)
F = TypeVar("F", bound="StaffForm")


class BoundCSRF(SessionCSRF):
    """WTForms' session CSRF with HMAC-SHA-256 and a comparison that takes constant time."""

    def generate_csrf_token(self, csrf_token_field: Any) -> str:
        """A token for this form: its expiry and the HMAC of the session's value with it."""
        expires = (self.now() + FORM_LIFETIME).strftime(self.TIME_FORMAT)
        return f"{expires}##{self._mac(expires)}"

    def validate_csrf_token(self, form: Any, field: Any) -> None:
        """Refuse a missing token, one made for another session, or one past its expiry."""
        if not field.data or "##" not in field.data:
            raise ValidationError("CSRF token missing")
        expires, mac = field.data.split("##", 1)
        # Bytes: compare_digest refuses a str that is not ASCII, and anything may be posted.
        if not hmac.compare_digest(mac.encode(), self._mac(expires).encode()):
            raise ValidationError("CSRF token not for this session")
        if self.now().strftime(self.TIME_FORMAT) > expires:
            raise ValidationError("CSRF token expired")

    def now(self) -> dt.datetime:
        """The time the expiry is measured in (UTC, whatever the server's zone)."""
        return dt.datetime.now(dt.UTC)

    def _mac(self, expires: str) -> str:
        secret = self.form_meta.csrf_secret
        message = f"{self.session['csrf']}{expires}".encode()
        return hmac.new(secret, message, hashlib.sha256).hexdigest()


class StaffForm(Form):
    """Base of every staff form: CSRF on, bound to the context given when it is made."""

    class Meta:
        csrf = True
        csrf_class = BoundCSRF
        csrf_field_name = "csrf_token"


def form_key(settings: Settings) -> str:
    """The secret the staff forms' CSRF tokens are made with."""
    return settings.staff_secret_key.get_secret_value()


def make_form(
    form_class: type[F], secret: str, csrf_value: str, data: FormData | None = None, **obj: Any
) -> F:
    """A form bound to `csrf_value` (the session's, or the pre-session cookie's); with `data`,
    a submitted form whose CSRF token is checked at once (`CsrfRefused` when it fails)."""
    meta = {"csrf_secret": secret.encode(), "csrf_context": {"csrf": csrf_value}}
    form = form_class(formdata=data, meta=meta, **obj)
    if data is not None:
        form.csrf_token.errors = []
        try:
            form.csrf_token.pre_validate(form)
        except ValidationError as error:
            raise CsrfRefused(str(error)) from error
    return form


def role_choices(roles: list[Role]) -> list[tuple[str, str]]:
    """Radio choices for roles, with the names staff read."""
    return [(role.value, role.label) for role in roles]


class SignInForm(StaffForm):
    email = EmailField(
        "Email address", [InputRequired("Enter your email address"), Length(max=320)]
    )
    password = PasswordField(
        "Password", [InputRequired("Enter your password"), Length(max=MAX_LENGTH * 4)]
    )


class CodeForm(StaffForm):
    code = StringField(
        "Security code",
        [InputRequired("Enter the 6-digit code from your authenticator app"), Length(max=20)],
    )


class TurnOnTwoFactorForm(CodeForm):
    """Turning two-factor on from a signed-in session: the password too, so that someone who
    only has the session (a computer left signed in) cannot bind their own authenticator."""

    password = PasswordField(
        "Your password", [InputRequired("Enter your password"), Length(max=MAX_LENGTH * 4)]
    )


class SetUpForm(StaffForm):
    display_name = StringField(
        "Full name", [InputRequired("Enter your full name"), Length(max=200)]
    )
    password = PasswordField("Create a password", [InputRequired("Enter a password")])
    confirm = PasswordField("Confirm your password", [InputRequired("Confirm your password")])

    def validate_confirm(self, field: Any) -> None:
        """The two passwords typed must be the same."""
        if field.data != self.password.data:
            raise ValidationError("The passwords do not match")


class ChangeRoleForm(StaffForm):
    role = RadioField("Role", [InputRequired("Select a role")], choices=[])
    organisation = SelectField("Organisation", choices=[])


class InviteForm(ChangeRoleForm):
    email = EmailField(
        "Email address",
        [
            InputRequired("Enter their email address"),
            Length(max=320, message="Email address must be 320 characters or fewer"),
            Email("Enter an email address in the correct format, like name@example.org"),
        ],
    )


class ConfirmForm(StaffForm):
    """A form with nothing but its CSRF token: a button that changes something."""


NO_ORGANISATION = ("", "Not an organisation's account")


def offer_roles(form: ChangeRoleForm, roles: list[Role], organisations: Any) -> None:
    """Limit a form's choices to what the policy lets this person grant (anything else posted
    fails validation as "not a valid choice")."""
    form.role.choices = role_choices(roles)
    form.organisation.choices = [NO_ORGANISATION] + [(o.id, o.name) for o in organisations]
