"""The youth council workshop's pages under /workshop/: `install(app)` adds them."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Add the workshop routes to `app`."""
