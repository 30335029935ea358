"""A new service is proposed like any change: a draft of its fields, for its organisation, that
a reviewer approves (the service is made then) or returns. Until then nobody outside the back
office sees it."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.orm import Session

from services_directory.accounts import StaffUser
from services_directory.drafts import OPEN_STATUSES, PENDING, ServiceDraft
from services_directory.models import Organization
from staff import audit
from staff.drafts import allowed, clear_approvals, reason_of
from staff.errors import InvalidChange, PermissionDenied
from staff.policy import Permission
from staff.service_document import Document, empty_document


def propose_new(
    db: Session,
    user: StaffUser,
    organisation: Organization,
    proposed: Document,
    reason: str,
    now: dt.datetime,
    again: ServiceDraft | None = None,
) -> ServiceDraft:
    """A draft of a new service of `organisation`, sent for review (or, `again`, the author's
    own open draft of one, changed and sent again)."""
    allowed(user, Permission.SERVICES_EDIT, organisation.id)
    reason = reason_of(reason)
    if not (proposed.get("name") or "").strip():
        raise InvalidChange("name", "Enter the service's name")
    if again is not None:
        if not is_own_new_draft(again, user, organisation):
            raise PermissionDenied("only its author changes a draft of a new service")
        clear_approvals(db, again)  # a changed draft is reviewed afresh
        again.proposed, again.reason, again.status = proposed, reason, PENDING
        again.return_reason, again.updated_at = None, now
        db.flush()
        _log(db, user, organisation, again, now)
        return again
    draft = ServiceDraft(
        id=str(uuid.uuid4()),
        service_id=None,
        organisation_id=organisation.id,
        author_id=user.id,
        status=PENDING,
        base=empty_document(),
        proposed=proposed,
        reason=reason,
        needs_two_approvers=False,
        created_at=now,
        updated_at=now,
    )
    db.add(draft)
    db.flush()
    _log(db, user, organisation, draft, now)
    return draft


def is_own_new_draft(draft: ServiceDraft, user: StaffUser, organisation: Organization) -> bool:
    """Whether `draft` is this person's open draft of a new service of this organisation."""
    return (
        draft.service_id is None
        and draft.author_id == user.id
        and draft.organisation_id == organisation.id
        and draft.status in OPEN_STATUSES
    )


def _log(
    db: Session, user: StaffUser, organisation: Organization, draft: ServiceDraft, now: dt.datetime
) -> None:
    audit.record(
        db,
        user,
        "service.new_proposed",
        now,
        record_type="organisation",
        record_id=organisation.id,
        detail=f"draft {draft.id}",
    )
