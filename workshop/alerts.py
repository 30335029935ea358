"""Disclosure alerts: something a member wrote reads as really happening to them now. Moderators
see the open ones at /workshop/alerts, follow them up and mark them handled with a note; each is
also e-mailed to the workshop's moderators and safety leads (a link only: never the words, never
the member's workshop name)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffUser
from staff import audit
from staff.errors import RecordNotFound
from staff.mail import Mailer
from staff.policy import Role
from workshop.item_models import WorkshopAlert, WorkshopItem, WorkshopWordingSuggestion

log = logging.getLogger(__name__)
NOTE_MAX = 2000
ALERTED_ROLES = (Role.MODERATOR.value, Role.SAFETY_LEAD.value)


@dataclass(frozen=True)
class AlertView:
    """An alert with what the moderator needs: the writer's pseudonym and the words."""

    alert: WorkshopAlert
    writer: str
    words: str
    handled_by: str | None


def raise_alert(
    db: Session,
    author: StaffUser,
    now: dt.datetime,
    risk: str | None,
    *,
    item_id: str | None = None,
    suggestion_id: str | None = None,
) -> WorkshopAlert:
    """What `author` wrote (an example, or better wording for a reply) reads as a real
    disclosure: an alert for the moderators, in the audit log. Flushes."""
    alert = WorkshopAlert(
        id=str(uuid.uuid4()),
        author_id=author.id,
        item_id=item_id,
        suggestion_id=suggestion_id,
        risk=risk,
        raised_at=now,
        note="",
    )
    db.add(alert)
    db.flush()
    audit.record(
        db,
        author,
        "workshop.disclosure_alert",
        now,
        record_type="workshop_alert",
        record_id=alert.id,
        detail=f"risk: {risk or 'unclear'}",
    )
    return alert


def _words(db: Session, alert: WorkshopAlert) -> str:
    if alert.item_id:
        item = db.get(WorkshopItem, alert.item_id)
        if item is not None:
            turns = [t.get("user", "") for t in item.turns or []] or [item.text]
            return "\n".join(turns)
    if alert.suggestion_id:
        suggestion = db.get(WorkshopWordingSuggestion, alert.suggestion_id)
        if suggestion is not None:
            return suggestion.suggestion
    return ""


def _name(db: Session, user_id: str | None) -> str | None:
    user = db.get(StaffUser, user_id) if user_id else None
    return user.display_name if user else None


def alerts(db: Session, *, handled: bool = False) -> list[AlertView]:
    """Open alerts, oldest first (or the handled ones, newest first)."""
    query = select(WorkshopAlert)
    if handled:
        query = query.where(WorkshopAlert.handled_at.is_not(None))
        query = query.order_by(WorkshopAlert.handled_at.desc())
    else:
        query = query.where(WorkshopAlert.handled_at.is_(None)).order_by(WorkshopAlert.raised_at)
    return [
        AlertView(
            a,
            _name(db, a.author_id) or "a former member",
            _words(db, a),
            _name(db, a.handled_by_id),
        )
        for a in db.scalars(query.order_by(WorkshopAlert.id))
    ]


def handle(
    db: Session, moderator: StaffUser, alert_id: str, note: str, now: dt.datetime
) -> WorkshopAlert:
    """Mark an open alert handled, with what was done."""
    alert = db.get(WorkshopAlert, alert_id)
    if alert is None or alert.handled_at is not None:
        raise RecordNotFound("no such open alert")
    alert.handled_at = now
    alert.handled_by_id = moderator.id
    alert.note = note.strip()[:NOTE_MAX]
    db.flush()
    audit.record(
        db,
        moderator,
        "workshop.alert_handled",
        now,
        record_type="workshop_alert",
        record_id=alert.id,
    )
    return alert


def alert_message(sender: str, to: str, link: str) -> EmailMessage:
    """The e-mail to a moderator: that an alert is waiting, and where (nothing of the words)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = "Youth workshop: something written may need you now"
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    message["Message-ID"] = make_msgid(domain="youth-support-directory")
    message.set_content(
        "Something a young person wrote in the youth council workshop reads as if it may be "
        "happening to them now. They have been shown the crisis contacts.\n\n"
        f"Please look at it and follow it up today:\n\n{link}\n\n"
        "The words are only on the workshop's alerts page, never in an e-mail.\n"
    )
    return message


def notify(db: Session, mailer: Mailer, sender: str, base_url: str) -> int:
    """E-mail every active moderator and safety lead that an alert is waiting; the number sent.
    A failing mail server is logged, never passed on: the alert is on the page either way."""
    query = select(StaffUser.email).where(
        StaffUser.role.in_(ALERTED_ROLES), StaffUser.active.is_(True)
    )
    sent = 0
    for address in db.scalars(query.order_by(StaffUser.email)):
        try:
            mailer.send(alert_message(sender, address, f"{base_url}/workshop/alerts"))
            sent += 1
        except Exception:
            log.exception("could not e-mail a workshop alert to a moderator")
    return sent
