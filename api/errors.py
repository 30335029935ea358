"""One translation of errors to HTTP, with one body shape for every error the API returns:

    {"detail": [{"field": "<where>", "message": "<what is wrong, in plain words>", "type": "..."}]}

- a request that does not validate (FastAPI): 422, one item per field;
- `InvalidSearch` (a search argument the directory refuses): 422, naming the argument;
- `RecordNotFound` (no service, taxonomy, term or service at location with that id): 404;
- any other `HTTPException`: its status, its detail as the message.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from services_directory.errors import InvalidSearch, RecordNotFound

HANDLED = (RequestValidationError, InvalidSearch, RecordNotFound, HTTPException)


def _item(field: str, message: str, kind: str) -> dict[str, str]:
    return {"field": field or "request", "message": message, "type": kind}


def _field(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location if part not in ("body", "query", "path"))


def error_body(exc: Exception) -> tuple[int, dict[str, Any]]:
    """The status and body for one of the errors this API translates."""
    if isinstance(exc, RequestValidationError):
        items = [_item(_field(e["loc"]), str(e["msg"]), str(e["type"])) for e in exc.errors()]
        return 422, {"detail": items}
    if isinstance(exc, InvalidSearch):
        return 422, {"detail": [_item(exc.field, str(exc), "invalid_search")]}
    if isinstance(exc, RecordNotFound):
        return 404, {"detail": [_item("id", str(exc), "not_found")]}
    if isinstance(exc, HTTPException):
        return exc.status_code, {"detail": [_item("", str(exc.detail), "http_error")]}
    raise TypeError(f"not an error this API translates: {type(exc).__name__}")


def error_response(exc: Exception) -> JSONResponse:
    """The JSON response for one of the errors this API translates."""
    status, body = error_body(exc)
    headers = getattr(exc, "headers", None) if isinstance(exc, HTTPException) else None
    return JSONResponse(status_code=status, content=body, headers=headers)


async def _handle(request: Request, exc: Exception) -> JSONResponse:
    return error_response(exc)


def install(app: FastAPI) -> None:
    """Use this translation for every route of the app."""
    for kind in HANDLED:
        app.add_exception_handler(kind, _handle)
