"""Tables of the crosswalk from a feed's taxonomy terms to the bot's needs (`x_need_crosswalk`),
where each need tag the directory added came from (`x_need_tag_origin`), and what staff decided
about the suggestions made from a service's text (`x_suggestion_decision`).

None of these is Open Referral: they are never exported. The behaviour lives in
`services_directory.crosswalk` (applying the crosswalk) and `services_directory.crosswalk_suggest`
(suggestions from a service's text, eligibility, service areas and postcodes).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services_directory.accounts import UTCDateTime
from services_directory.models import ID, Base

# Where a need tag came from (`NeedTagOrigin.origin`). Tags without a row were set by hand
# (the curated data or a member of staff editing the service).
FROM_CROSSWALK = "crosswalk"
FROM_SUGGESTION = "suggestion"  # a suggestion a member of staff confirmed: kept like a hand-set tag

# Kinds of suggestion (`SuggestionDecision.kind`) and what staff decided.
NEED, AGES, LOCALITY = "need", "ages", "locality"
CONFIRMED, REJECTED = "confirmed", "rejected"


class NeedCrosswalk(Base):
    """One feed taxonomy term (its vocabulary and code, as the directory holds it) and the bot's
    needs it means: zero needs is a decision too ("this term says nothing about needs")."""

    __tablename__ = "x_need_crosswalk"
    __table_args__ = (UniqueConstraint("vocabulary", "term_code"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    # The term's `taxonomy` (ORUK v1's vocabulary) or its taxonomy's name; "" when it has none.
    vocabulary: Mapped[str] = mapped_column(String(255))
    # The term's `code` (ORUK v1: "vocabulary:id"), else its id.
    term_code: Mapped[str] = mapped_column(String(255))
    term_name: Mapped[str] = mapped_column(Text)
    needs: Mapped[list[str]] = mapped_column(JSON)
    set_by: Mapped[str] = mapped_column(Text)
    set_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class NeedTagOrigin(Base):
    """A need tag the directory added to a service, and how: from the crosswalk (taken away again
    when no mapping asks for it) or a confirmed suggestion (never taken away by the crosswalk).
    `attribute_id` is the tag's `attribute` row: when it is gone, someone removed the tag by hand
    and the crosswalk does not add it back while its mapping stays."""

    __tablename__ = "x_need_tag_origin"

    service_id: Mapped[str] = mapped_column(
        ID, ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    need_code: Mapped[str] = mapped_column(String(255), primary_key=True)
    attribute_id: Mapped[str] = mapped_column(ID, index=True)
    origin: Mapped[str] = mapped_column(String(16))
    set_by: Mapped[str] = mapped_column(Text)
    set_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class SuggestionDecision(Base):
    """Staff confirmed or rejected one suggestion for a service (a need code, an age range
    "11-25", or a locality id): a rejected suggestion is not made again."""

    __tablename__ = "x_suggestion_decision"

    service_id: Mapped[str] = mapped_column(
        ID, ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(255), primary_key=True)
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


CROSSWALK_TABLES: dict[str, type[Any]] = {
    "x_need_crosswalk": NeedCrosswalk,
    "x_need_tag_origin": NeedTagOrigin,
    "x_suggestion_decision": SuggestionDecision,
}
