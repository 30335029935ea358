"""The youth council workshop's pages under /workshop/: `install(app)` adds them."""

from __future__ import annotations

from fastapi import FastAPI

from api.routes.workshop import (
    alerts,
    candidates,
    errors,
    home,
    join,
    members,
    reviewing,
    sign_in,
    try_chat,
    writing,
)


def install(app: FastAPI) -> None:
    """Add the workshop routes to `app`."""
    # People (sign-in, invite links, home, members, consent): after the staff pages' install,
    # whose error handlers the workshop's wrap.
    errors.install(app)
    app.include_router(sign_in.router)
    app.include_router(join.router)
    app.include_router(home.router)
    app.include_router(members.router)
    # Writing, checks on submit, review, alerts and suggested wording (issue 18 items 2-4).
    app.include_router(writing.router)
    app.include_router(reviewing.router)
    app.include_router(alerts.router)
    # Candidates, the gate, the test chat, releases and rollbacks (issue 18 items 5-8).
    app.include_router(candidates.router)
    app.include_router(try_chat.router)
