"""The chat page. It shows the crisis contacts even without JavaScript."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.core.config import ROOT
from api.texts import domain_responses

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=ROOT / "api" / "templates")

# No third-party requests at all, no inline script, nothing framed from elsewhere.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


@router.get("/", response_class=HTMLResponse)
async def chat_page(request: Request) -> HTMLResponse:
    """The chat page, with the crisis contacts rendered on the server."""
    state = request.app.state
    contacts: list[dict[str, Any]] = state.chat_turn.crisis_contacts()
    greeting = domain_responses()["utter_greet"][0]
    response = templates.TemplateResponse(
        request,
        "index.html",
        {
            "contacts": contacts,
            "greeting": greeting["text"],
            "quick_exit_url": state.settings.quick_exit_url,
        },
    )
    response.headers.update(SECURITY_HEADERS)
    return response
