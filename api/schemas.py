"""Request and response shapes of the chat API (see ../shared/contracts/api.md)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ChatRequest(BaseModel):
    """One message from the young person."""

    model_config = ConfigDict(extra="forbid")

    conversation_id: str = Field(
        min_length=8,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="An opaque id the widget makes up; 8-64 characters of A-Z a-z 0-9 _ -",
    )
    text: str = Field(min_length=1, max_length=1000, description="What they typed, 1-1000 chars")

    @field_validator("text")
    @classmethod
    def _not_blank(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("text must not be blank")
        return text


class ChatResponse(BaseModel):
    """The bot's reply: typed messages, the crisis flag, the recognised intent."""

    conversation_id: str
    crisis: bool
    risk_check: bool = Field(
        default=False,
        description="The kind direct question asked when risk is possible but unclear; "
        "then the first message has type `risk_check`. Never true with `crisis`.",
    )
    intent: str | None
    degraded: bool
    messages: list[dict[str, Any]]


class HealthResponse(BaseModel):
    """Whether every part answers."""

    status: Literal["ok", "degraded"]
    components: dict[str, str]
