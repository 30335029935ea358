"""GOV.UK Frontend's stylesheet, script and images, served by the app under /staff/assets/ from
the npm package (`make` runs `npm ci`), so that staff pages make no third-party request.

Its stylesheet is served with two changes: its own `/assets/` paths point under /staff/assets/, and
its @font-face rules are left out, because the GDS Transport font may only be used on GOV.UK
services (a council's staff pages use the stylesheet's next choice, Arial). Without node_modules the
app still starts and the pages still work; they are then unstyled, and a warning is logged.
"""

from __future__ import annotations

import logging
import re
from functools import cache

from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

from api.routes.staff.preview import scoped_chat_css
from settings.app import ROOT

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/staff/assets", include_in_schema=False)

GOVUK_FRONTEND = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
OWN = ROOT / "api" / "static" / "staff"
STYLESHEET = "govuk-frontend.min.css"
SCRIPT = "govuk-frontend.min.js"
FONT_FACE = re.compile(r"@font-face\{[^}]*\}")
ASSET_HEADERS = {"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"}


@cache
def stylesheet() -> str:
    """GOV.UK Frontend's stylesheet, with its asset paths moved and no GDS Transport font."""
    css = (GOVUK_FRONTEND / STYLESHEET).read_text(encoding="utf-8")
    return FONT_FACE.sub("", css).replace("url(/assets/", "url(/staff/assets/")


@router.get(f"/{STYLESHEET}")
def govuk_stylesheet() -> Response:
    """The stylesheet (404 when the npm package is not installed)."""
    if not (GOVUK_FRONTEND / STYLESHEET).is_file():
        raise HTTPException(404, "govuk-frontend is not installed: run npm ci")
    return Response(stylesheet(), media_type="text/css; charset=utf-8", headers=ASSET_HEADERS)


@router.get(f"/{SCRIPT}")
def govuk_script() -> FileResponse:
    """GOV.UK Frontend's script (an ES module)."""
    if not (GOVUK_FRONTEND / SCRIPT).is_file():
        raise HTTPException(404, "govuk-frontend is not installed: run npm ci")
    return FileResponse(
        GOVUK_FRONTEND / SCRIPT, media_type="text/javascript; charset=utf-8", headers=ASSET_HEADERS
    )


@router.get("/staff.js")
def staff_script() -> FileResponse:
    """The staff pages' own script: starts GOV.UK Frontend's components."""
    return FileResponse(
        OWN / "staff.js", media_type="text/javascript; charset=utf-8", headers=ASSET_HEADERS
    )


@router.get("/staff.css")
def staff_stylesheet() -> FileResponse:
    """The staff pages' few own styles."""
    return FileResponse(
        OWN / "staff.css", media_type="text/css; charset=utf-8", headers=ASSET_HEADERS
    )


@router.get("/chat-preview.css")
def chat_preview_stylesheet() -> Response:
    """The chat widget's stylesheet, limited to the bot preview on a service's page."""
    return Response(scoped_chat_css(), media_type="text/css; charset=utf-8", headers=ASSET_HEADERS)


def mount_images(app: FastAPI) -> None:
    """Serve GOV.UK Frontend's images (the favicon); warn when the package is missing."""
    if not GOVUK_FRONTEND.is_dir():
        logger.warning("govuk-frontend missing (run npm ci): the staff pages will be unstyled")
    app.mount(
        "/staff/assets/images",
        StaticFiles(directory=GOVUK_FRONTEND / "assets" / "images", check_dir=False),
        name="staff-images",
    )
