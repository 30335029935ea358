"""The workshop's forms about people (WTForms), with the staff forms' CSRF (bound to the session,
or before signing in to the pre-session cookie: api/routes/staff/forms.py)."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, PasswordField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from api.routes.staff.forms import StaffForm
from staff.passwords import MAX_LENGTH
from staff.policy import Role
from workshop.membership import NOTE_MAX
from workshop.names import MAX_LENGTH as NAME_MAX
from workshop.people import REASON_MAX


class WorkshopSignInForm(StaffForm):
    name = StringField(
        "Workshop name", [InputRequired("Enter your workshop name"), Length(max=NAME_MAX * 4)]
    )
    password = PasswordField(
        "Password", [InputRequired("Enter your password"), Length(max=MAX_LENGTH * 4)]
    )


class JoinForm(StaffForm):
    name = StringField(
        "Workshop name", [InputRequired("Enter a workshop name"), Length(max=NAME_MAX * 4)]
    )
    password = PasswordField("Create a password", [InputRequired("Enter a password")])
    confirm = PasswordField("Type your password again", [InputRequired("Type your password again")])
    consent = BooleanField("I agree")

    def validate_confirm(self, field: Any) -> None:
        """The two passwords typed must be the same."""
        if field.data != self.password.data:
            raise ValidationError("The passwords do not match")

    def validate_consent(self, field: Any) -> None:
        """The young person's consent is a ticked box, never assumed."""
        if not field.data:
            raise ValidationError("Tick the box to say you agree, or close this page")


YOUTH_ROLE_CHOICES = [
    (Role.YOUTH_WRITER.value, Role.YOUTH_WRITER.label),
    (Role.PEER_REVIEWER.value, Role.PEER_REVIEWER.label),
]


class InviteMemberForm(StaffForm):
    role = RadioField(
        "Role", [InputRequired("Select youth writer or peer reviewer")], choices=YOUTH_ROLE_CHOICES
    )
    note = StringField(
        "Private note (optional)",
        [Length(max=NOTE_MAX, message=f"The note must be {NOTE_MAX} characters or fewer")],
    )


class ParentConsentForm(StaffForm):
    how = TextAreaField(
        "How did the parent or carer give their consent?",
        [
            InputRequired("Say how the parent or carer gave their consent"),
            Length(max=REASON_MAX, message=f"Use {REASON_MAX} characters or fewer"),
        ],
    )


class WithdrawForMemberForm(StaffForm):
    reason = TextAreaField(
        "Why are you withdrawing their consent?",
        [
            InputRequired("Say why you are withdrawing their consent"),
            Length(max=REASON_MAX, message=f"Use {REASON_MAX} characters or fewer"),
        ],
    )
