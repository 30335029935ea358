"""The audit log page (council admins): every staff action, newest first, 50 a page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep
from api.routes.staff.deps import SignedIn, current_staff, require
from api.routes.staff.rendering import render
from staff.audit import page_of_entries
from staff.policy import Permission

# Every page here needs a signed-in person: the router checks it first.
router = APIRouter(prefix="/staff", include_in_schema=False, dependencies=[Depends(current_staff)])


@router.get("/audit", response_class=HTMLResponse)
def audit_log(
    request: Request,
    db: SessionDep,
    staff: Annotated[SignedIn, Depends(require(Permission.AUDIT_VIEW))],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    """One page of the audit log."""
    entries, pages = page_of_entries(db, page)
    context = {"entries": entries, "page": min(page, pages), "pages": pages}
    return render(request, "audit.html", context, staff=staff)
