"""POST /api/feedback: "Did this help?" and "Something wrong with this service?" on a card.

Words typed with a report pass the safety screen first: a sign of crisis or of a safeguarding
matter gets the chat's crisis card back, and the report is neither kept nor counted nor sent on.
Other words are kept with personal details masked (`safety_screen.privacy.redact`). Nothing about
the young person is kept: no conversation id, no address, no browser, no time finer than the day.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from api.deps import ChatTurnDep, SessionDep, SettingsDep
from api.feedback_limit import FeedbackLimiter
from safety_screen import ScreenResult, screen
from safety_screen.privacy import redact
from services_directory import feedback

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["feedback"])

HELPED_CHOICES = ("yes", "no")
# The one error body of the API (api/errors.py), for the one check no schema can make.
NO_SUCH_SERVICE = {"field": "service_id", "message": "no service has this id", "type": "not_found"}


def _choices_by_kind(schema: dict[str, Any]) -> None:
    """The published schema says which choices go with which kind, and that only a report has
    words (what the validators below check)."""
    schema["oneOf"] = [
        {
            "properties": {"kind": {"const": "helped"}, "choice": {"enum": list(HELPED_CHOICES)}},
            "not": {"required": ["text"]},
        },
        {"properties": {"kind": {"const": "report"}, "choice": {"enum": list(feedback.REASONS)}}},
    ]


class FeedbackRequest(BaseModel):
    """One tap on a service card, or one report about it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_choices_by_kind)

    service_id: str = Field(min_length=1, max_length=36, description="The card's service id")
    kind: Literal["helped", "report"] = Field(
        description='"helped": the answer to "Did this help?"; "report": something is wrong'
    )
    choice: str = Field(
        max_length=32,
        description='For "helped": yes or no. For "report": number_wrong, closed_or_moved, '
        "not_for_my_age or something_else",
    )
    text: str | None = Field(
        default=None,
        max_length=feedback.TEXT_MAX,
        description=f'Optional words with a "report", up to {feedback.TEXT_MAX} characters',
    )

    @field_validator("choice")
    @classmethod
    def _choice_fits_kind(cls, choice: str, info: ValidationInfo) -> str:
        kind = info.data.get("kind")
        allowed = HELPED_CHOICES if kind == "helped" else feedback.REASONS
        if kind is not None and choice not in allowed:
            raise ValueError(f"for {kind!r}, choice must be one of: {', '.join(allowed)}")
        return choice

    @field_validator("text")
    @classmethod
    def _text_only_with_a_report(cls, text: str | None, info: ValidationInfo) -> str | None:
        if text is not None and text.strip() and info.data.get("kind") != "report":
            raise ValueError('text can only come with a "report"')
        return (text.strip() or None) if text is not None else None


class FeedbackResponse(BaseModel):
    """Whether it was kept; with words that showed a sign of risk, the crisis card instead."""

    received: bool
    crisis: bool
    messages: list[dict[str, Any]]


def _limiter(request: Request, per_client: int, overall: int) -> FeedbackLimiter:
    state = request.app.state
    limiter = getattr(state, "feedback_limiter", None)
    if limiter is None:
        limiter = state.feedback_limiter = FeedbackLimiter(per_client, overall)
    return limiter


def _screened(text: str) -> ScreenResult | None:
    """The screen's view of the words, or None when the screen failed (then they are dropped)."""
    try:
        return screen(text)
    except Exception:
        logger.exception("safety screen failed on feedback: its words are not kept")
        return None


@router.post(
    "/feedback",
    response_model=FeedbackResponse,
    responses={
        404: {"description": "No service has this id"},
        422: {"description": "A field is missing or invalid; the body says which and why"},
        429: {"description": "Too much feedback from here this minute; try again later"},
    },
)
def send_feedback(
    body: FeedbackRequest,
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    turn: ChatTurnDep,
) -> Any:
    """Feedback on one service card; the crisis card back when the words need it."""
    limiter = _limiter(
        request, settings.feedback_per_minute_per_client, settings.feedback_per_minute_overall
    )
    if not limiter.allow(request.client.host if request.client else "unknown"):
        raise HTTPException(429, "Too much feedback at once. Please try again in a minute.")
    text = body.text
    if text:
        screened = _screened(text)
        card = turn.disclosure_card(text, screened) if screened is not None else None
        if card is not None:
            # Never kept, counted or sent on: the young person gets the people who can help.
            return {"received": False, "crisis": True, "messages": [card]}
        text = redact(text) if screened is not None else None
    if not feedback.service_exists(db, body.service_id):
        return JSONResponse(
            status_code=404,
            content={"detail": [NO_SUCH_SERVICE]},
        )
    if body.kind == "helped":
        feedback.count_helped(db, body.service_id, body.choice == "yes")
    else:
        feedback.file_report(db, body.service_id, body.choice, text)
    db.commit()
    return {"received": True, "crisis": False, "messages": []}
