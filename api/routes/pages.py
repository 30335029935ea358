"""The chat page and the one-tag embed script. The page shows the crisis contacts even without
JavaScript; both are served under a strict Content Security Policy and set no cookies."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

from api.ui_text import crisis_strip, ui_text
from dialogue.messages import variations_for
from dialogue.responses import domain_responses
from services_directory.crisis import builtin_crisis_contacts
from settings.app import ROOT, Settings

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=ROOT / "api" / "templates")
STATIC = ROOT / "api" / "static"

# No third-party requests at all, no inline script or style, no HTML sinks (Trusted Types with
# no policy: innerHTML and friends throw), and framed only by this site and the embedding sites.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "require-trusted-types-for 'script'; trusted-types 'none'; frame-ancestors {ancestors}"
)
SECURITY_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def security_headers(settings: Settings) -> dict[str, str]:
    """The chat page's headers: CSP whose frame-ancestors are 'self' plus the embedding sites."""
    ancestors = " ".join(["'self'", *settings.embed_origins])
    headers = {"Content-Security-Policy": CSP.format(ancestors=ancestors), **SECURITY_HEADERS}
    if not settings.embed_origins:
        # For browsers that predate frame-ancestors.
        headers["X-Frame-Options"] = "SAMEORIGIN"
    return headers


@router.get("/", response_class=HTMLResponse)
async def chat_page(request: Request, embed: bool = False) -> HTMLResponse:
    """The chat page, with the greeting and the crisis contacts rendered on the server.

    `?embed=1` is the compact page that /widget.js puts in an iframe on another site.
    """
    state = request.app.state
    contacts: list[dict[str, Any]] = state.chat_turn.crisis_contacts()
    greeting = variations_for(domain_responses(), "utter_greet")[0]
    strip = crisis_strip(contacts) or crisis_strip([c.to_dict() for c in builtin_crisis_contacts()])
    words = ui_text()
    response = templates.TemplateResponse(
        request,
        "index.html",
        {
            "contacts": contacts,
            "strip": strip,
            "words": words["page"],
            "widget_words": words["widget"],
            "greeting": greeting["text"],
            "greeting_buttons": greeting.get("buttons") or [],
            "quick_exit_url": state.settings.quick_exit_url,
            "embed": embed,
        },
    )
    response.headers.update(security_headers(state.settings))
    return response


@router.get("/widget.js")
async def widget_script() -> FileResponse:
    """The embed script: `<script src="https://THIS-SITE/widget.js" defer></script>` on another
    site adds a launcher button that opens the chat (`/?embed=1`) in an iframe."""
    return FileResponse(
        STATIC / "widget.js",
        media_type="text/javascript; charset=utf-8",
        headers={
            "X-Content-Type-Options": "nosniff",
            "Cross-Origin-Resource-Policy": "cross-origin",
            "Cache-Control": "public, max-age=300",
        },
    )
