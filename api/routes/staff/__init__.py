"""The staff pages under /staff/: signing in, setting an account up, users, the audit log and
the directory (read-only).

`install(app)` adds them. Pages that need a signed-in person depend on `CurrentStaff` (the
account, home, users and audit routers); the sign-in and set-up steps check their own stage.
"""

from __future__ import annotations

from fastapi import FastAPI

from api.routes.staff import (
    account,
    assets,
    audit_log,
    bot_ready,
    crosswalk,
    directory,
    edit,
    errors,
    feedback,
    freshness,
    history,
    imports,
    insights,
    invitations,
    localities,
    oidc,
    organisation_edit,
    review,
    set_up,
    sign_in,
    users,
)


def install(app: FastAPI) -> None:
    """Add the staff routes, their assets and their error pages to `app`."""
    errors.install(app)
    app.include_router(assets.router)
    assets.mount_images(app)
    app.include_router(sign_in.router)
    app.include_router(oidc.router)
    app.include_router(set_up.router)
    app.include_router(account.router)
    # Before users: /staff/users/invite must not be read as the account with id "invite".
    app.include_router(invitations.router)
    app.include_router(users.router)
    app.include_router(audit_log.router)
    app.include_router(directory.router)
    app.include_router(freshness.router)
    app.include_router(edit.router)
    app.include_router(organisation_edit.router)
    app.include_router(review.router)
    app.include_router(history.router)
    app.include_router(crosswalk.router)
    app.include_router(bot_ready.router)
    app.include_router(imports.router)
    app.include_router(feedback.router)
    app.include_router(insights.router)
    app.include_router(localities.router)
