"""The triage queue of young people's reports on services ("Something wrong with this
service?"): each organisation's staff see their own services' reports, council reviewers and
admins see all; a report is marked as fixed or as not a problem, with an entry in the audit log.
No web imports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, func, select, update
from sqlalchemy.orm import Session

from services_directory.accounts import StaffUser
from services_directory.feedback import FIXED, NOT_A_PROBLEM, OPEN, FeedbackReport
from services_directory.models import Organization, Service
from staff import audit
from staff.directory import Page
from staff.errors import InvalidChange, RecordNotFound
from staff.policy import Actor, Permission, can, target_of

PER_PAGE = 50
OUTCOMES = (FIXED, NOT_A_PROBLEM)
REASON_LABELS = {
    "number_wrong": "The number didn't work",
    "closed_or_moved": "It's closed or has moved",
    "not_for_my_age": "It wasn't for people my age",
    "something_else": "Something else",
}
STATUS_LABELS = {OPEN: "To look at", FIXED: "Fixed", NOT_A_PROBLEM: "Not a problem"}


@dataclass(frozen=True)
class QueuedReport:
    """A report with the service and organisation it is about."""

    report: FeedbackReport
    service_name: str
    organisation_name: str

    @property
    def reason_label(self) -> str:
        """The reason as staff read it."""
        return REASON_LABELS.get(self.report.reason, self.report.reason)

    @property
    def status_label(self) -> str:
        """Where the report stands, as staff read it."""
        return STATUS_LABELS.get(self.report.status, self.report.status)


def _reach(actor: Actor) -> list[ColumnElement[bool]]:
    """The conditions that keep the queue within the actor's organisation (none: all)."""
    if not can(actor, Permission.FEEDBACK_TRIAGE):
        return [false()]
    if not actor.is_organisation_scoped:
        return []
    if actor.organisation_id is None:
        return [false()]
    return [Service.organization_id == actor.organisation_id]


def queue(db: Session, actor: Actor, status: str = OPEN, page: int = 1) -> Page:
    """One page of the reports within this person's reach with `status` ("" for all), newest
    day first."""
    criteria = _reach(actor)
    if status:
        criteria.append(FeedbackReport.status == status)
    joined = (
        select(FeedbackReport, Service.name, Organization.name)
        .join(Service, Service.id == FeedbackReport.service_id)
        .join(Organization, Organization.id == Service.organization_id)
        .where(*criteria)
    )
    total = int(
        db.scalar(
            select(func.count(FeedbackReport.id))
            .join(Service, Service.id == FeedbackReport.service_id)
            .where(*criteria)
        )
        or 0
    )
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    rows = db.execute(
        joined.order_by(FeedbackReport.received_on.desc(), Service.name, FeedbackReport.id)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    return Page([QueuedReport(r, name, org) for r, name, org in rows], total, page, PER_PAGE)


def open_counts(db: Session, actor: Actor) -> int:
    """How many reports within this person's reach wait for someone to look at them."""
    statement = (
        select(func.count(FeedbackReport.id))
        .join(Service, Service.id == FeedbackReport.service_id)
        .where(FeedbackReport.status == OPEN, *_reach(actor))
    )
    return int(db.scalar(statement) or 0)


def visible_report(db: Session, actor: Actor, report_id: str) -> tuple[FeedbackReport, Service]:
    """One report and its service, when this person may triage it; else `RecordNotFound`
    (a report of another organisation's service is not there at all)."""
    found = db.execute(
        select(FeedbackReport, Service)
        .join(Service, Service.id == FeedbackReport.service_id)
        .where(FeedbackReport.id == report_id)
    ).first()
    if found is None:
        raise RecordNotFound(report_id)
    report, service = found
    if not can(actor, Permission.FEEDBACK_TRIAGE, target_of(service)):
        raise RecordNotFound(report_id)
    return report, service


def resolve(
    db: Session, user: StaffUser, report: FeedbackReport, outcome: str, now: dt.datetime
) -> None:
    """Mark an open report as fixed or as not a problem, and say so in the audit log."""
    if outcome not in OUTCOMES:
        raise InvalidChange("outcome", "Choose whether it is fixed or not a problem")
    # Only while it is still open, in one statement: two people at once cannot both resolve it.
    changed = db.execute(
        update(FeedbackReport)
        .where(FeedbackReport.id == report.id, FeedbackReport.status == OPEN)
        .values(status=outcome, resolved_at=now, resolved_by_id=user.id, resolved_by=user.email)
        .execution_options(synchronize_session=False)
    )
    if getattr(changed, "rowcount", 0) != 1:
        raise InvalidChange("outcome", "Someone has already dealt with this report")
    db.refresh(report)
    audit.record(
        db,
        user,
        "feedback.resolved",
        now,
        record_type="service_feedback",
        record_id=report.id,
        detail=f"{STATUS_LABELS[outcome]}: {REASON_LABELS.get(report.reason, report.reason)}"
        f" (service {report.service_id})",
    )
