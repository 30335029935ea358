"""Changes to services go through review: an edit makes a draft, a reviewer approves it or returns
it with a reason, and approving publishes it as a new version. Nobody approves their own change; a
change to a crisis line's phone or text numbers needs two different approvers.

Every step checks the policy itself (as well as the pages), keeps the record within the person's
reach (`RecordNotFound` outside it), writes an audit entry, and leaves the commit to the caller, so
that a refused step changes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffUser
from services_directory.drafts import (
    OPEN_STATUSES,
    PENDING,
    PUBLISHED,
    RETURNED,
    WITHDRAWN,
    DraftApproval,
    ServiceDraft,
)
from services_directory.io.writer import BACK_OFFICE_AUTHOR
from services_directory.models import Service, ServiceProfile
from staff import audit
from staff.errors import InvalidChange, PermissionDenied, RecordNotFound
from staff.policy import Permission, Target, actor_of, can, can_see, target_of
from staff.service_document import Document, changes_crisis_numbers, read_document
from staff.service_publish import create_service, write_document
from staff.versions import (
    FIRST_VERSION_AUTHOR,
    FIRST_VERSION_REASON,
    make_version,
    version,
    versions_count,
)

REASON_MAX = 1000


def allowed(user: StaffUser, permission: Permission, organisation_id: str | None) -> None:
    actor = actor_of(user)
    target = Target(organisation_id)
    if not can_see(actor, target):
        raise RecordNotFound("no such record")
    if not can(actor, permission, target):
        raise PermissionDenied(f"your role does not allow {permission.value}")


def reason_of(text: str, field: str = "reason") -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidChange(field, "Say why, in a few words")
    if len(text) > REASON_MAX:
        raise InvalidChange(field, f"Use {REASON_MAX} characters or fewer")
    return text


def open_draft(db: Session, service_id: str) -> ServiceDraft | None:
    """The service's draft waiting for review or returned to its author, if any."""
    return db.scalar(
        select(ServiceDraft).where(
            ServiceDraft.service_id == service_id, ServiceDraft.status.in_(OPEN_STATUSES)
        )
    )


def visible_draft(db: Session, user: StaffUser, draft_id: str) -> ServiceDraft:
    """A draft within this person's reach (its service's organisation), else `RecordNotFound`."""
    draft = db.get(ServiceDraft, draft_id)
    if draft is None or not can_see(actor_of(user), Target(draft.organisation_id)):
        raise RecordNotFound("no such draft")
    return draft


def propose(
    db: Session,
    user: StaffUser,
    service: Service,
    proposed: Document,
    reason: str,
    now: dt.datetime,
) -> ServiceDraft:
    """Make (or, for its own author, replace) the service's draft, sent for review."""
    allowed(user, Permission.SERVICES_EDIT, target_of(service).organisation_id)
    reason = reason_of(reason)
    base = read_document(db, service)
    if proposed == base:
        raise InvalidChange("reason", "Nothing has changed: change a field first")
    profile = db.get(ServiceProfile, service.id)
    if profile is not None and profile.crisis and proposed.get("notice_closed"):
        # The crisis response must always offer every crisis line (hazard H18).
        raise InvalidChange("notice", "A crisis line is never shown as closed by a notice")
    if profile is not None and profile.crisis and (proposed.get("review_interval_months") or 1) > 1:
        raise InvalidChange("review_interval_months", "A crisis line is checked every month")
    draft = open_draft(db, service.id)
    if draft is not None and draft.author_id != user.id:
        raise InvalidChange("reason", "Someone else's change to this service is waiting for review")
    if draft is None:
        draft = ServiceDraft(
            id=str(uuid.uuid4()),
            service_id=service.id,
            organisation_id=service.organization_id,
            author_id=user.id,
            created_at=now,
        )
        db.add(draft)
    else:
        clear_approvals(db, draft)  # a changed draft is reviewed afresh
    draft.base, draft.proposed, draft.reason = base, proposed, reason
    draft.status, draft.return_reason, draft.updated_at = PENDING, None, now
    draft.needs_two_approvers = changes_crisis_numbers(db, service, base, proposed)
    db.flush()
    audit.record(
        db,
        user,
        "service.change_proposed",
        now,
        record_type="service",
        record_id=service.id,
        detail=f"draft {draft.id}",
    )
    return draft


def withdraw(db: Session, user: StaffUser, draft: ServiceDraft, now: dt.datetime) -> None:
    """The author takes their open draft back."""
    if draft.author_id != user.id or draft.status not in OPEN_STATUSES:
        raise PermissionDenied("only its author can withdraw an open draft")
    draft.status, draft.decided_at, draft.updated_at = WITHDRAWN, now, now
    db.flush()
    audit.record(
        db,
        user,
        "service.change_withdrawn",
        now,
        record_type="service",
        record_id=draft.service_id,
        detail=f"draft {draft.id}",
    )


def return_draft(
    db: Session, user: StaffUser, draft: ServiceDraft, reason: str, now: dt.datetime
) -> None:
    """A reviewer sends the draft back to its author with a reason."""
    _review_allowed(user, draft)
    draft.return_reason = reason_of(reason, "return_reason")
    draft.status, draft.updated_at = RETURNED, now
    clear_approvals(db, draft)
    db.flush()
    audit.record(
        db,
        user,
        "service.change_returned",
        now,
        record_type="service",
        record_id=draft.service_id,
        detail=f"draft {draft.id}",
    )


def _review_allowed(user: StaffUser, draft: ServiceDraft) -> None:
    allowed(user, Permission.SERVICES_APPROVE, draft.organisation_id)
    if draft.author_id == user.id:
        raise PermissionDenied("nobody approves or returns their own change")
    if draft.status != PENDING:
        raise InvalidChange("draft", "This change is not waiting for review")


def approvals_of(db: Session, draft: ServiceDraft) -> list[DraftApproval]:
    return list(
        db.scalars(
            select(DraftApproval)
            .where(DraftApproval.draft_id == draft.id)
            .order_by(DraftApproval.approved_at)
        )
    )


def clear_approvals(db: Session, draft: ServiceDraft) -> None:
    """Forget the draft's approvals: it changed, or went back to its author."""
    for approval in approvals_of(db, draft):
        db.delete(approval)


def approvals_needed(draft: ServiceDraft) -> int:
    return 2 if draft.needs_two_approvers else 1


def approve(db: Session, user: StaffUser, draft: ServiceDraft, now: dt.datetime) -> bool:
    """Record this reviewer's approval; publish when enough different people have approved.
    Returns whether the change was published."""
    _review_allowed(user, draft)
    approvals = approvals_of(db, draft)
    if any(a.approver_id == user.id for a in approvals):
        raise InvalidChange("draft", "You have already approved this change")
    service = db.get(Service, draft.service_id) if draft.service_id else None
    if service is not None and read_document(db, service) != draft.base:
        raise InvalidChange(
            "draft",
            "The service has changed since this draft was made: return it, so that its author "
            "makes the change again on the service as it is now",
        )
    db.add(
        DraftApproval(id=str(uuid.uuid4()), draft_id=draft.id, approver_id=user.id, approved_at=now)
    )
    draft.updated_at = now
    db.flush()
    audit.record(
        db,
        user,
        "service.change_approved",
        now,
        record_type="service",
        record_id=draft.service_id,
        detail=f"draft {draft.id}",
    )
    if len(approvals) + 1 < approvals_needed(draft):
        return False
    new = service is None
    if service is None:  # a new service: made now, from the approved draft
        service = create_service(db, draft.organisation_id, draft.proposed["name"])
        draft.service_id = service.id
    _publish(db, draft, service, [*(a.approver_id for a in approvals), user.id], now, new=new)
    audit.record(
        db,
        user,
        "service.published",
        now,
        record_type="service",
        record_id=draft.service_id,
        detail=f"draft {draft.id}",
    )
    return True


def _label(db: Session, user_id: str) -> str:
    user = db.get(StaffUser, user_id)
    return user.display_name if user else "a former member of staff"


def _publish(
    db: Session,
    draft: ServiceDraft,
    service: Service,
    approver_ids: list[str],
    now: dt.datetime,
    *,
    new: bool = False,
) -> None:
    number = versions_count(db, service.id)
    if number == 0 and not new:
        db.add(
            make_version(
                service.id, 1, draft.base, FIRST_VERSION_REASON, FIRST_VERSION_AUTHOR, [], None, now
            )
        )
        number = 1
    write_document(db, service, draft.proposed, updated_by=BACK_OFFICE_AUTHOR)
    db.add(
        make_version(
            service.id,
            number + 1,
            draft.proposed,
            draft.reason,
            _label(db, draft.author_id),
            [_label(db, a) for a in approver_ids],
            draft.id,
            now,
        )
    )
    draft.status, draft.decided_at, draft.updated_at = PUBLISHED, now, now
    db.flush()


def restore(
    db: Session, user: StaffUser, service: Service, number: int, reason: str, now: dt.datetime
) -> ServiceDraft:
    """An older version proposed again, as a new draft that goes through review."""
    old = version(db, service.id, number)
    return propose(
        db, user, service, dict(old.document), f"Restore version {number}: {reason_of(reason)}", now
    )


@dataclass(frozen=True)
class QueueItem:
    draft: ServiceDraft
    service_name: str
    author: str
    approvals: int


def review_queue(db: Session, user: StaffUser) -> list[QueueItem]:
    """Changes waiting for review that this person may approve (never their own), oldest first."""
    actor = actor_of(user)
    if not can(actor, Permission.SERVICES_APPROVE):
        return []
    rows = db.execute(
        select(ServiceDraft, Service.name, StaffUser.display_name)
        .outerjoin(Service, Service.id == ServiceDraft.service_id)
        .join(StaffUser, StaffUser.id == ServiceDraft.author_id)
        .where(ServiceDraft.status == PENDING, ServiceDraft.author_id != user.id)
        .order_by(ServiceDraft.updated_at)
    ).all()
    counts = dict(
        db.execute(
            select(DraftApproval.draft_id, func.count()).group_by(DraftApproval.draft_id)
        ).all()
    )
    return [
        QueueItem(
            draft,
            name or f"New service: {draft.proposed.get('name')}",
            author,
            counts.get(draft.id, 0),
        )
        for draft, name, author in rows
        if can(actor, Permission.SERVICES_APPROVE, Target(draft.organisation_id))
    ]
