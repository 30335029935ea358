"""GET /healthz: whether Rasa, the action server and the directory answer."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import APIRouter, Request
from sqlalchemy import text

from api.schemas import HealthResponse

router = APIRouter(tags=["health"])


async def _actions_up(http: httpx.AsyncClient, url: str) -> bool:
    try:
        return (await http.get(url)).status_code == 200
    except httpx.HTTPError:
        return False


def _directory_up(request: Request) -> bool:
    try:
        with request.app.state.session_factory() as session:
            session.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


@router.get("/healthz", response_model=HealthResponse)
async def healthz(request: Request) -> HealthResponse:
    """200 with `ok` when every part answers, else `degraded` and which part is down."""
    state = request.app.state
    rasa_up, actions_up = await asyncio.gather(
        state.rasa.is_up(), _actions_up(state.http, state.settings.action_server_health_url)
    )
    directory_up = await asyncio.to_thread(_directory_up, request)
    components = {
        "rasa": "ok" if rasa_up else "down",
        "actions": "ok" if actions_up else "down",
        "directory": "ok" if directory_up else "down",
    }
    healthy = all(v == "ok" for v in components.values())
    return HealthResponse(status="ok" if healthy else "degraded", components=components)
