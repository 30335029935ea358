"""Every setting of the application, read once from the environment (and `.env`).

The same file and the shared defaults as `settings.env`, which the Rasa runtime and the
directory's command line use.
"""

from __future__ import annotations

import re
from functools import cache
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

    @property
    def action_server_health_url(self) -> str:
        """The action server's health endpoint, next to its webhook."""
        base = self.action_server_url.rsplit("/webhook", 1)[0]
        return f"{base}/health"

    @field_validator("embed_origins")
    @classmethod
    def _embed_origins_are_origins(cls, origins: list[str]) -> list[str]:
        bad = [o for o in origins if not ORIGIN_RE.fullmatch(o)]
        if bad:
            raise ValueError(
                f"EMBED_ORIGINS must be origins like https://school.example.org: {bad}"
            )
        return [o.rstrip("/") for o in origins]

    @model_validator(mode="after")
    def _refuse_default_secret_outside_development(self) -> Settings:
        if (
            self.environment == "production"
            and self.conversation_id_secret.get_secret_value() == DEV_SECRET
        ):
            raise ValueError("set CONVERSATION_ID_SECRET: the default key is for development only")
        return self


@cache
def get_settings() -> Settings:
    """The settings, read once per process (the environment, then `.env`)."""
    return Settings(_env_file=env_file())  # type: ignore[call-arg]
