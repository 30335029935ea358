"""POST /api/chat: one message in, the bot's typed messages out."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ChatTurnDep
from api.schemas import ChatRequest, ChatResponse

router = APIRouter(prefix="/api", tags=["chat"])


@router.post(
    "/chat",
    response_model=ChatResponse,
    responses={422: {"description": "A field is missing or invalid; the body says which and why"}},
)
async def chat(request: ChatRequest, turn: ChatTurnDep) -> dict:
    """Send one message; always answers, with `degraded: true` when part of the system is down."""
    return await turn.run(request.conversation_id, request.text)
