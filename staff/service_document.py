"""A service's editable fields as one plain document: read from the directory, compared field by
field, and written back through the directory's change log (so the Open Referral `metadata`
shows every published change and the chat's search index sees a new state).

The document is JSON (it is stored in drafts and versions): text, whole numbers, yes/no/unknown,
and lists of contact routes, needs, localities and languages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory import wording
from services_directory.freshness import ServiceReview
from services_directory.localities import load_localities
from services_directory.models import (
    Attribute,
    ContactMode,
    Language,
    Service,
    ServiceLocality,
    ServiceProfile,
    TaxonomyTerm,
)
from services_directory.search.rows import TIER_PREFIX
from staff.service_hours import read_hours, shown_hours
from staff.service_places import read_places, shown_places

Document = dict[str, Any]
# Contact routes that are phone numbers, mirrored into the HSDS `phone` table.
PHONE_TYPES = {"call": "voice", "text": "text"}
MODE_NAMES = {
    "call": "Phone",
    "text": "Text message",
    "webchat": "Web chat",
    "email": "E-mail",
    "drop_in": "Drop in",
    "in_person_appointment": "Appointment in person",
    "online_appointment": "Online appointment",
    "website": "Website",
}


@dataclass(frozen=True)
class Field:
    key: str
    label: str


FIELDS = (
    Field("name", "Name"),
    Field("summary", "Summary for young people"),
    Field("description", "Description"),
    Field("what_happens", "What happens when you get in touch"),
    Field("who_answers", "Who answers"),
    Field("referral", "Referral"),
    Field("wait_time", "Typical wait"),
    Field("confidentiality_summary", "Confidentiality"),
    Field("who_is_told", "Who is told, and when"),
    Field("anonymous", "Can stay anonymous"),
    Field("tells_parents", "Tells parents or carers"),
    Field("minimum_age", "Youngest age"),
    Field("maximum_age", "Oldest age"),
    Field("url", "Website"),
    Field("email", "E-mail"),
    Field("contact_modes", "Ways to get in touch"),
    Field("needs", "Needs it meets"),
    Field("localities", "Localities"),
    Field("languages", "Languages"),
    Field("places", "Places"),
    Field("open_24_7", "Open 24 hours"),
    Field("hours", "Opening hours"),
    Field("closed_on_bank_holidays", "Closed on bank holidays"),
    Field("notice", "Notice on the card"),
    Field("notice_until", "Notice shown until"),
    Field("notice_closed", "Closed until then"),
    Field("review_interval_months", "Checked every (months)"),
)
REFERRAL = {
    "self": "They can get in touch themselves",
    "referral": "Someone must refer them (a GP, school or social worker)",
    "either": "Either",
}
LABELS = {f.key: f.label for f in FIELDS}
SERVICE_COLUMNS = ("name", "description", "wait_time", "minimum_age", "maximum_age", "url", "email")
PROFILE_COLUMNS = (
    "summary",
    "what_happens",
    "who_answers",
    "referral",
    "confidentiality_summary",
    "who_is_told",
    "anonymous",
    "tells_parents",
    "open_24_7",
    "closed_on_bank_holidays",
    "notice",
    "notice_closed",
)
# Yes/no fields that are "no" when the service has no profile yet.
PROFILE_FLAGS = ("open_24_7", "closed_on_bank_holidays", "notice_closed")


def empty_document() -> Document:
    """The document of a service not made yet (what a new service's draft is compared with)."""
    doc: Document = dict.fromkeys((*SERVICE_COLUMNS, *PROFILE_COLUMNS))
    doc |= dict.fromkeys(PROFILE_FLAGS, False)
    doc |= {"notice_until": None, "hours": [], "contact_modes": [], "needs": []}
    doc |= {"localities": [], "languages": [], "places": [], "review_interval_months": None}
    return doc


def _age(value: Any) -> int | None:
    return None if value is None else int(value)


def need_terms(db: Session) -> dict[str, TaxonomyTerm]:
    """The need terms (under a `tier-*` parent) by code."""
    terms = db.scalars(select(TaxonomyTerm)).all()
    by_id = {t.id: t for t in terms}
    return {
        t.code: t
        for t in terms
        if t.code
        and t.parent_id in by_id
        and (by_id[t.parent_id].code or "").startswith(TIER_PREFIX)
    }


def read_document(db: Session, service: Service) -> Document:
    """The service's editable fields as they are published now."""
    profile = db.get(ServiceProfile, service.id)
    doc: Document = {c: getattr(service, c) for c in SERVICE_COLUMNS}
    doc["minimum_age"], doc["maximum_age"] = _age(service.minimum_age), _age(service.maximum_age)
    for column in PROFILE_COLUMNS:
        doc[column] = getattr(profile, column) if profile else None
    for flag in PROFILE_FLAGS:
        doc[flag] = bool(doc[flag])
    until = profile.notice_until if profile else None
    doc["notice_until"] = until.isoformat() if until else None
    doc["hours"] = read_hours(db, service.id, doc["open_24_7"])
    doc["places"] = read_places(db, service.id)
    review = db.get(ServiceReview, service.id)
    doc["review_interval_months"] = review.review_interval_months if review else None
    modes = db.scalars(
        select(ContactMode)
        .where(ContactMode.service_id == service.id)
        .order_by(ContactMode.position)
    )
    doc["contact_modes"] = [
        {
            "mode": m.mode,
            "value": m.value,
            "body": m.body or "",
            # A label that only repeats the number is left blank: made again from the new number.
            "label": ""
            if (m.label or "") == wording.default_label(m.mode, m.value, m.body)
            else m.label or "",
        }
        for m in modes
    ]
    terms = {t.id: code for code, t in need_terms(db).items()}
    links = db.scalars(
        select(Attribute.taxonomy_term_id).where(
            Attribute.link_id == service.id, Attribute.taxonomy_term_id.in_(list(terms))
        )
    )
    doc["needs"] = sorted({terms[t] for t in links})
    doc["localities"] = sorted(
        db.scalars(select(ServiceLocality.locality).where(ServiceLocality.service_id == service.id))
    )
    codes = {info["code"]: key for key, info in wording.languages().items()}
    spoken = db.scalars(select(Language.code).where(Language.service_id == service.id))
    doc["languages"] = sorted({codes[c] for c in spoken if c in codes})
    return doc


@dataclass(frozen=True)
class Change:
    key: str
    label: str
    before: str
    after: str


def shown(key: str, value: Any) -> str:
    """A field's value as staff read it in a difference or a version."""
    if value is None or value == "" or value == []:
        return "Not given"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if key == "hours":
        return shown_hours(value)
    if key == "places":
        return shown_places(value)
    if key == "referral":
        return REFERRAL.get(value, str(value))
    if key == "contact_modes":
        return "; ".join(
            f"{MODE_NAMES.get(m['mode'], m['mode'])}: {m['value']}"
            + (f", message {m['body']}" if m.get("body") else "")
            + (f" ({m['label']})" if m.get("label") else "")
            for m in value
        )
    if key == "localities":
        names = load_localities()
        return ", ".join(names[v].name if v in names else v for v in value)
    if key == "languages":
        languages = wording.languages()
        return ", ".join(languages[v]["name"] if v in languages else v for v in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def differences(before: Document, after: Document) -> list[Change]:
    """The fields whose values differ, in the form's order."""
    return [
        Change(f.key, f.label, shown(f.key, before.get(f.key)), shown(f.key, after.get(f.key)))
        for f in FIELDS
        if before.get(f.key) != after.get(f.key)
    ]


def numbers(doc: Document) -> set[tuple[str, str]]:
    """The phone and text numbers of a document's contact routes."""
    return {
        (m["mode"], "".join(str(m["value"]).split()))
        for m in doc.get("contact_modes") or []
        if m["mode"] in PHONE_TYPES
    }


def changes_crisis_numbers(
    db: Session, service: Service, before: Document, after: Document
) -> bool:
    """Whether a crisis line's phone or text numbers change (two approvers are then needed)."""
    profile = db.get(ServiceProfile, service.id)
    return bool(profile and profile.crisis) and numbers(before) != numbers(after)
