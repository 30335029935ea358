"""The identity provider as the sign-in page sees it: whether it is configured, the button's form
(a POST with a CSRF token, so nobody can start a sign-in for someone else's browser), and the
page's CSP, whose `form-action` must let that form go on to the provider."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response

from api.routes.staff.forms import ConfirmForm, make_form
from api.routes.staff.rendering import STAFF_HEADERS
from settings.app import Settings
from staff.oidc_provider import IdentityProvider

CSP = "Content-Security-Policy"


def provider_of(request: Request, settings: Settings) -> IdentityProvider | None:
    """The app's identity provider client (made on first use, then kept with its cached
    discovery document and keys), or None when OIDC is not configured."""
    if not settings.staff_oidc_enabled:
        return None
    provider: IdentityProvider | None = getattr(request.app.state, "staff_oidc", None)
    if provider is None:
        provider = IdentityProvider(settings)
        request.app.state.staff_oidc = provider
    return provider


def button_context(settings: Settings, csrf_value: str) -> dict[str, Any]:
    """What the sign-in page needs to show the provider's button and the password form."""
    context: dict[str, Any] = {"password_sign_in": settings.staff_password_sign_in}
    if settings.staff_oidc_enabled:
        key = settings.staff_secret_key.get_secret_value()
        context["oidc_form"] = make_form(ConfirmForm, key, csrf_value)
        context["oidc_label"] = settings.staff_oidc_button_label
    return context


def allow_form_to_provider(request: Request, settings: Settings, response: Response) -> None:
    """Let the page's forms go on to the provider's authorization endpoint (browsers apply
    `form-action` to the redirect after a form too)."""
    provider = provider_of(request, settings)
    if provider is not None:
        origin = provider.authorization_origin()
        response.headers[CSP] = STAFF_HEADERS[CSP].replace(
            "form-action 'self'", f"form-action 'self' {origin}"
        )
