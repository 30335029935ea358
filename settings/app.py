"""Every setting of the application, read once from the environment (and `.env`).

The same file and the shared defaults as `settings.env`, which the Rasa runtime and the
directory's command line use.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from settings.env import (
    DEFAULT_DATABASE_URL,
    DEFAULT_MESSAGE_TEXT_STORAGE,
    DEFAULT_RETENTION_HOURS,
    ROOT,
    env_file,
)

__all__ = ["ROOT", "Settings", "get_settings"]

DEV_SECRET = "development-only-not-secret"  # noqa: S105 - refused in production
# A scheme, a host and an optional port: nothing that could break out of a CSP header.
ORIGIN_RE = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?")


class Settings(BaseSettings):
    """Ports, URLs, database, Rasa connection, timeouts and privacy settings."""

    model_config = SettingsConfigDict(extra="ignore")

    environment: Literal["development", "test", "production"] = "development"

    api_host: str = "127.0.0.1"
    api_port: int = Field(8000, ge=1, le=65535)

    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: SecretStr | None = None
    action_server_url: str = "http://127.0.0.1:5055/webhook"
    rasa_timeout_seconds: float = Field(5.0, gt=0, le=60)
    health_timeout_seconds: float = Field(1.0, gt=0, le=10)
    # Turns sent to Rasa at once; more wait their turn in order (the wait counts towards the
    # timeout), so a burst does not swamp one Rasa server (measured in docs/architecture.md).
    rasa_max_concurrent_turns: int = Field(4, ge=1, le=1000)

    database_url: str = DEFAULT_DATABASE_URL

    # Conversation ids are pseudonymised with this key before they reach Rasa or any log.
    conversation_id_secret: SecretStr = SecretStr(DEV_SECRET)
    # Read by Rasa's tracker store (bot/tracker_store.py, through settings.env): how long a
    # conversation is kept, and whether any message text is (redacted) or none at all.
    conversation_retention_hours: float = Field(DEFAULT_RETENTION_HOURS, ge=0, le=24 * 90)
    message_text_storage: Literal["none", "redacted"] = DEFAULT_MESSAGE_TEXT_STORAGE  # type: ignore[assignment]

    # Where the widget's quick exit sends the young person.
    quick_exit_url: str = "https://www.bbc.co.uk/weather"
    # Sites allowed to embed the chat with /widget.js (CSP frame-ancestors), as origins like
    # "https://school.example.org". Empty: only this site may frame the chat.
    embed_origins: list[str] = []

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    # Feedback on service cards (POST /api/feedback): posts a minute from one address, and from
    # everyone together (counted in memory under a hash with a key never stored).
    feedback_per_minute_per_client: int = Field(20, ge=1, le=10000)
    feedback_per_minute_overall: int = Field(600, ge=1, le=1_000_000)
    # Insights (aggregate counters only): weeks of counters kept; older weeks are deleted.
    insights_retention_weeks: int = Field(156, ge=4, le=1040)

    # --- staff pages (/staff/): accounts, sessions, e-mail ---------------------------------
    # Keys the staff pages' CSRF tokens and the pseudonyms of throttled sign-in attempts.
    staff_secret_key: SecretStr = SecretStr(DEV_SECRET)
    # The address staff use, for the links in e-mails (never taken from the request's Host
    # header, which a caller chooses).
    public_base_url: str = "http://127.0.0.1:8000"
    # Secure cookies unless set: None means Secure everywhere but in development over http.
    staff_cookie_secure: bool | None = None
    staff_session_store: Literal["database", "redis"] = "database"
    redis_url: str = "redis://127.0.0.1:6379/0"
    staff_session_idle_minutes: int = Field(60, ge=5, le=24 * 60)
    staff_session_absolute_hours: int = Field(12, ge=1, le=24 * 7)
    staff_invitation_hours: int = Field(72, ge=1, le=24 * 14)
    # Sign-in throttling: failures allowed per account and per address within the window.
    staff_sign_in_window_minutes: int = Field(15, ge=1, le=24 * 60)
    staff_sign_in_max_failures_per_account: int = Field(5, ge=1, le=100)
    staff_sign_in_max_failures_per_ip: int = Field(20, ge=1, le=10000)
    # Password hashes (argon2id, 46 MiB each) computed at once; more wait their turn, so that a
    # burst of sign-ins cannot use up the server's memory (docs/staff/security.md).
    staff_password_hash_concurrency: int = Field(2, ge=1, le=64)

    # Freshness of services (docs/staff/README.md): a service overdue for its review by more
    # than this many days is flagged to council admins, who may withhold it from the chat.
    staff_overdue_withhold_days: int = Field(30, ge=0, le=3650)
    # When the scheduler process (Procfile) sends the weekly reminder digest, London time.
    staff_digest_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    staff_digest_hour: int = Field(8, ge=0, le=23)

    # Imports (docs/staff/imports.md): the council's Open Referral feed, fetched and staged on a
    # schedule (a crontab line, London time; none: only by hand), and the size of an upload.
    feed_url: str | None = None
    feed_name: str = Field("council", min_length=1, max_length=100)
    feed_import_cron: str | None = None
    feed_timeout_seconds: float = Field(60.0, gt=0, le=600)
    feed_max_mb: int = Field(100, ge=1, le=2000)
    import_upload_max_mb: int = Field(50, ge=1, le=2000)

    # The youth council workshop's candidates (docs/workshop/): the training configuration they
    # are trained with, where their data, models and logs go, how often the worker looks for
    # work, after how long without a heartbeat a training is taken for dead (it is then
    # started again, once), and when an idle "try it" server of a candidate is stopped.
    workshop_training_config: Path = ROOT / "config.yml"
    # The model the live Rasa server runs before the first workshop release: the repository's.
    workshop_base_model: Path = ROOT / "models" / "current.tar.gz"
    workshop_dir: Path = ROOT / "var" / "workshop"
    workshop_poll_seconds: float = Field(5.0, gt=0, le=600)
    workshop_stale_minutes: float = Field(10.0, gt=0, le=24 * 60)
    workshop_try_idle_minutes: float = Field(15.0, gt=0, le=24 * 60)
    # The workshop's examples (workshop/items.py): the share of approved examples frozen into
    # the youth-voice test set (never trained on), the reviews an everyday example needs, and
    # how long the "what the bot makes of it" check waits for Rasa's /model/parse, in seconds.
    workshop_youth_voice_share: float = Field(0.2, ge=0, le=1)
    workshop_reviews_needed: int = Field(2, ge=1, le=5)
    workshop_reading_timeout_seconds: float = Field(2.0, gt=0, le=30)
    # The workshop's people (workshop/people.py): whether the council's policy asks for a
    # parent's or carer's consent (recorded by a moderator) before a young person may write, and
    # how long a young person's invite link works.
    workshop_parent_consent: Literal["required", "not_required"] = "required"
    workshop_invitation_days: int = Field(14, ge=1, le=60)

    # E-mail. No SMTP_HOST: messages are written to MAIL_OUTBOX_DIR and nothing leaves the machine.
    smtp_host: str | None = None
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = Field(10.0, gt=0, le=120)
    mail_sender: str = "Youth support directory <no-reply@localhost>"
    mail_outbox_dir: Path = ROOT / "var" / "outbox"

    # Staff sign-in through the council's identity provider (OpenID Connect; docs/staff/).
    # Off unless STAFF_OIDC_ISSUER is set. The discovery document is read from the issuer's
    # /.well-known/openid-configuration unless STAFF_OIDC_DISCOVERY_URL says otherwise.
    staff_oidc_issuer: str | None = None
    staff_oidc_discovery_url: str | None = None
    staff_oidc_client_id: str | None = None
    staff_oidc_client_secret: SecretStr | None = None
    # Space-separated, as OAuth writes them; "openid" and "email" are required.
    staff_oidc_scopes: str = "openid email profile"
    staff_oidc_button_label: str = Field("Sign in with your council account", max_length=80)
    # False: staff sign in only through the identity provider (set-up links still work once).
    staff_password_sign_in: bool = True
    # `acr` values that the provider uses for a sign-in with more than one factor, trusted like
    # `amr` containing "mfa" (space-separated; empty: only `amr` counts).
    staff_oidc_mfa_acr_values: str = ""

    @property
    def action_server_health_url(self) -> str:
        """The action server's health endpoint, next to its webhook."""
        base = self.action_server_url.rsplit("/webhook", 1)[0]
        return f"{base}/health"

    @property
    def staff_cookie_is_secure(self) -> bool:
        """Whether the staff session cookie carries `Secure` (everywhere but development)."""
        if self.staff_cookie_secure is not None:
            return self.staff_cookie_secure
        return self.environment != "development"

    @property
    def staff_oidc_enabled(self) -> bool:
        """Whether staff may sign in through the identity provider (OIDC)."""
        return self.staff_oidc_issuer is not None

    @property
    def staff_oidc_metadata_url(self) -> str:
        """Where the provider's discovery document is read."""
        issuer = (self.staff_oidc_issuer or "").rstrip("/")
        return self.staff_oidc_discovery_url or f"{issuer}/.well-known/openid-configuration"

    @field_validator("embed_origins")
    @classmethod
    def _embed_origins_are_origins(cls, origins: list[str]) -> list[str]:
        bad = [o for o in origins if not ORIGIN_RE.fullmatch(o)]
        if bad:
            raise ValueError(
                f"EMBED_ORIGINS must be origins like https://school.example.org: {bad}"
            )
        return [o.rstrip("/") for o in origins]

    @field_validator("public_base_url")
    @classmethod
    def _public_base_url_is_an_origin(cls, url: str) -> str:
        if not ORIGIN_RE.fullmatch(url):
            raise ValueError(
                f"PUBLIC_BASE_URL must be an origin like https://directory.example.org: {url}"
            )
        return url.rstrip("/")

    @model_validator(mode="after")
    def _refuse_unsafe_values_outside_development(self) -> Settings:
        production = self.environment == "production"
        if production and self.conversation_id_secret.get_secret_value() == DEV_SECRET:
            raise ValueError("set CONVERSATION_ID_SECRET: the default key is for development only")
        # Tests too must set their own key: the development one is public.
        if self.environment != "development" and (
            self.staff_secret_key.get_secret_value() == DEV_SECRET
        ):
            raise ValueError("set STAFF_SECRET_KEY: the default key is for development only")
        if production and self.staff_cookie_secure is False:
            raise ValueError("STAFF_COOKIE_SECURE=false is for development over http only")
        # The default is http://127.0.0.1:8000, so requiring https:// refuses it too.
        if production and not self.public_base_url.startswith("https://"):
            raise ValueError(
                "set PUBLIC_BASE_URL to the https:// address staff use: set-up links start with it"
            )
        self._check_oidc(production)
        if production and not self.smtp_host:
            raise ValueError(
                "set SMTP_HOST: in production invitations are e-mailed, never written to a folder"
            )
        return self

    def _check_oidc(self, production: bool) -> None:
        if not self.staff_oidc_enabled:
            if not self.staff_password_sign_in:
                raise ValueError("STAFF_PASSWORD_SIGN_IN=false needs STAFF_OIDC_ISSUER")
            return
        if not (self.staff_oidc_client_id and self.staff_oidc_client_secret):
            raise ValueError("STAFF_OIDC_ISSUER needs STAFF_OIDC_CLIENT_ID and _CLIENT_SECRET")
        if not {"openid", "email"} <= set(self.staff_oidc_scopes.split()):
            raise ValueError("STAFF_OIDC_SCOPES must include openid and email")
        urls = [self.staff_oidc_issuer or "", self.staff_oidc_metadata_url]
        if production and not all(url.startswith("https://") for url in urls):
            raise ValueError("STAFF_OIDC_ISSUER (and _DISCOVERY_URL) must be https:// URLs")


@cache
def get_settings() -> Settings:
    """The settings, read once per process (the environment, then `.env`)."""
    return Settings(_env_file=env_file())  # type: ignore[call-arg]
