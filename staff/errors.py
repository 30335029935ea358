"""What the staff package refuses, as exceptions; `api/routes/staff/errors.py` is their one
translation to HTTP."""

from __future__ import annotations


class StaffError(Exception):
    """Base of the staff package's errors."""


class NotSignedIn(StaffError):
    """No live signed-in session: the web layer sends people to sign in (401 for JSON).

    `expired`: the request carried a session cookie that no longer works; `pending_step`: the
    session is part way through signing in, and this is the page of the step it needs."""

    def __init__(self, message: str, *, expired: bool = False, pending_step: str | None = None):
        super().__init__(message)
        self.expired = expired
        self.pending_step = pending_step


class PermissionDenied(StaffError):
    """The policy does not allow this person to do this (403)."""


class CsrfRefused(PermissionDenied):
    """A form came back without its CSRF token, or with one for another session (403)."""


class AccountNotFound(StaffError):
    """No such account or invitation, or one outside the person's organisation (404)."""


class RecordNotFound(StaffError):
    """No such directory record (service, organisation), or one outside the person's
    organisation (404)."""


class InvitationUnusable(StaffError):
    """The set-up link is unknown, used, withdrawn or past its expiry."""


class InvalidChange(StaffError):
    """A change the rules refuse, with the form field it is about and a plain message."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class SignInRefused(StaffError):
    """Wrong e-mail, password or code; one message for all, so nothing is given away."""


class SignInThrottled(StaffError):
    """Too many failed attempts for this account or address within the window."""


class TwoFactorNotSetUp(StaffError):
    """The password is right, but the account's role needs two-factor and it was never set up:
    only a new invitation lets it in."""


class OidcRefused(StaffError):
    """A sign-in through the identity provider that is not accepted: `reason` is a short code
    for the log and the page (wrong state, unknown address, changed subject ...), `detail`
    says more for the audit log."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
