"""The council's identity provider, as an OpenID Connect client (Authlib): its discovery
document, the authorization request (code flow, PKCE S256, `state` and `nonce`), the code
exchange, and the ID token checked against the provider's keys (JWKS): signature, issuer,
audience, expiry, nonce. What the token's claims then let in is `staff.oidc`'s business."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client.sync_app import BaseApp, OAuth2Mixin
from authlib.integrations.base_client.sync_openid import OpenIDMixin
from authlib.integrations.requests_client import OAuth2Session
from joserfc.errors import JoseError

from settings.app import Settings
from staff.errors import OidcRefused

CALLBACK_PATH = "/staff/sign-in/oidc/callback"
# The discovery document and keys are read again after this long (providers rotate keys; an
# unknown key id is fetched again at once anyway).
METADATA_LIFETIME_SECONDS = 3600
TIMEOUT_SECONDS = 10.0
# Clock difference allowed between this server and the provider when checking `exp` and `iat`.
LEEWAY_SECONDS = 60


@dataclass(frozen=True)
class Authorization:
    """An authorization request about to be sent: where the browser goes, and what the
    callback must find again (kept by the web layer in a signed cookie of this browser)."""

    url: str
    state: str
    nonce: str
    code_verifier: str


class _Client(OpenIDMixin, OAuth2Mixin, BaseApp):  # type: ignore[misc]
    """Authlib's framework-neutral OAuth 2 and OpenID client, over requests (synchronous: the
    routes run in the thread pool)."""

    client_cls = OAuth2Session


class IdentityProvider:
    """One configured provider; made once per app (`api.routes.staff.oidc.provider_of`)."""

    def __init__(self, settings: Settings) -> None:
        secret = settings.staff_oidc_client_secret
        self.issuer = (settings.staff_oidc_issuer or "").rstrip("/")
        self.client_id = settings.staff_oidc_client_id or ""
        self.redirect_uri = settings.public_base_url + CALLBACK_PATH
        self._client = _Client(
            framework=None,
            client_id=self.client_id,
            client_secret=secret.get_secret_value() if secret else None,
            server_metadata_url=settings.staff_oidc_metadata_url,
            client_kwargs={
                "scope": settings.staff_oidc_scopes,
                "code_challenge_method": "S256",
                "default_timeout": TIMEOUT_SECONDS,
            },
        )

    def metadata(self) -> dict[str, Any]:
        """The discovery document (cached for an hour); `OidcRefused` if it cannot be read or
        names another issuer than the one configured."""
        loaded = self._client.server_metadata.get("_loaded_at")
        if loaded is not None and time.time() - loaded > METADATA_LIFETIME_SECONDS:
            self._client.server_metadata.clear()
        try:
            metadata: dict[str, Any] = self._client.load_server_metadata()
        except (requests.RequestException, ValueError) as error:
            raise OidcRefused("provider_unreachable", f"discovery failed: {error}") from error
        if str(metadata.get("issuer", "")).rstrip("/") != self.issuer:
            self._client.server_metadata.clear()
            raise OidcRefused("provider_misconfigured", "discovery names another issuer")
        return metadata

    def authorization_origin(self) -> str:
        """The origin of the authorization endpoint (the sign-in page's CSP must let its form
        go there); the issuer's when the discovery document cannot be read now."""
        try:
            url = str(self.metadata().get("authorization_endpoint") or self.issuer)
        except OidcRefused:
            url = self.issuer
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"

    def start(self) -> Authorization:
        """A new authorization request: fresh `state`, `nonce` and PKCE code verifier."""
        self.metadata()
        made = self._client.create_authorization_url(self.redirect_uri)
        return Authorization(made["url"], made["state"], made["nonce"], made["code_verifier"])

    def claims(self, code: str, code_verifier: str, nonce: str) -> dict[str, Any]:
        """Exchange the code (with the PKCE verifier and the client secret) and return the
        validated ID token's claims; `OidcRefused` when any check fails."""
        metadata = self.metadata()
        try:
            token = self._client.fetch_access_token(
                self.redirect_uri, code=code, code_verifier=code_verifier
            )
        except (requests.RequestException, AuthlibBaseError, ValueError) as error:
            raise OidcRefused("code_refused", f"code exchange failed: {error}") from error
        if "id_token" not in token:
            raise OidcRefused("no_id_token", "the token response has no ID token")
        try:
            claims = self._client.parse_id_token(
                token,
                nonce,
                claims_options={"iss": {"essential": True, "values": [metadata["issuer"]]}},
                leeway=LEEWAY_SECONDS,
            )
        except (requests.RequestException, AuthlibBaseError, JoseError, ValueError) as error:
            raise OidcRefused("id_token_invalid", f"ID token refused: {error}") from error
        return dict(claims)
