"""Tables of the council's own localities, defined by admins in the back office (`x_locality`,
`x_locality_district`). Not part of HSDS: services are tagged with a locality's id in
`x_service_locality`, which is also the bot's slot and entity value.

A postcode district is the key of its own row, so the database itself refuses a district claimed
by two localities."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services_directory.models import Base, TimestampMixin


class LocalityRecord(TimestampMixin, Base):
    """A locality of the borough: its id (a slug), name, other spellings and place in the list."""

    __tablename__ = "x_locality"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)

    districts: Mapped[list[LocalityDistrict]] = relationship(
        back_populates="locality",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="LocalityDistrict.district",
    )


class LocalityDistrict(TimestampMixin, Base):
    """A postcode district (outward code, "E14") and the one locality it belongs to."""

    __tablename__ = "x_locality_district"

    district: Mapped[str] = mapped_column(String(8), primary_key=True)
    locality_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("x_locality.id", ondelete="CASCADE"), index=True
    )

    locality: Mapped[LocalityRecord] = relationship(back_populates="districts")


LOCALITY_TABLES = {
    "x_locality": LocalityRecord,
    "x_locality_district": LocalityDistrict,
}
