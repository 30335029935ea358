"""SQLAlchemy models: the HSDS 3.0 tables (with the UK profile 3.0 fields) and the `x_` extensions.

Field names are those of the standard. Only the references a record cannot exist without are
foreign keys (service -> organization, service_at_location -> service and location, ...); the
other links of HSDS (contact.organization_id, phone.location_id, taxonomy_term.parent_id, ...)
are plain indexed columns, because published feeds, the official examples included, often point
them at records they do not publish. The importer reports those as warnings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = String(36)


def utcnow() -> dt.datetime:
    """The current time in UTC (microseconds kept: the search cache key relies on them)."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base with the naming convention the migrations rely on."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    """When the row was first written and last changed (not part of HSDS; never exported)."""

    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, server_default=func.now()
    )


def _id() -> Mapped[str]:
    return mapped_column(ID, primary_key=True)


def _link(target: str | None = None, *, required: bool = False) -> Any:
    """A reference column: a real foreign key when `target` is given, else an indexed soft link."""
    if target is None:
        return mapped_column(ID, nullable=not required, index=True)
    return mapped_column(
        ID, ForeignKey(target, ondelete="CASCADE"), nullable=not required, index=True
    )


# --- HSDS 3.0 core ----------------------------------------------------------------------------


class Organization(TimestampMixin, Base):
    __tablename__ = "organization"

    id: Mapped[str] = _id()
    name: Mapped[str] = mapped_column(Text)
    alternate_name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(Text)
    tax_status: Mapped[str | None] = mapped_column(Text)
    tax_id: Mapped[str | None] = mapped_column(Text)
    year_incorporated: Mapped[float | None] = mapped_column(Float)
    legal_status: Mapped[str | None] = mapped_column(Text)
    logo: Mapped[str | None] = mapped_column(Text)
    uri: Mapped[str | None] = mapped_column(Text)
    parent_organization_id: Mapped[str | None] = _link()

    services: Mapped[list[Service]] = relationship(back_populates="organization")


class Program(TimestampMixin, Base):
    __tablename__ = "program"

    id: Mapped[str] = _id()
    organization_id: Mapped[str] = _link("organization.id", required=True)
    name: Mapped[str] = mapped_column(Text)
    alternate_name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)


class Service(TimestampMixin, Base):
    __tablename__ = "service"

    id: Mapped[str] = _id()
    organization_id: Mapped[str] = _link("organization.id", required=True)
    program_id: Mapped[str | None] = _link()
    name: Mapped[str] = mapped_column(Text)
    alternate_name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), default="active")
    interpretation_services: Mapped[str | None] = mapped_column(Text)
    application_process: Mapped[str | None] = mapped_column(Text)
    fees_description: Mapped[str | None] = mapped_column(Text)
    wait_time: Mapped[str | None] = mapped_column(Text)
    fees: Mapped[str | None] = mapped_column(Text)
    accreditations: Mapped[str | None] = mapped_column(Text)
    eligibility_description: Mapped[str | None] = mapped_column(Text)
    minimum_age: Mapped[float | None] = mapped_column(Float)
    maximum_age: Mapped[float | None] = mapped_column(Float)
    assured_date: Mapped[dt.date | None] = mapped_column(Date)
    assurer_email: Mapped[str | None] = mapped_column(Text)
    licenses: Mapped[str | None] = mapped_column(Text)
    alert: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    organization: Mapped[Organization] = relationship(back_populates="services")
    profile: Mapped[ServiceProfile | None] = relationship(
        back_populates="service", uselist=False, passive_deletes=True
    )
    contact_modes: Mapped[list[ContactMode]] = relationship(
        back_populates="service", order_by="ContactMode.position", passive_deletes=True
    )
    localities: Mapped[list[ServiceLocality]] = relationship(
        back_populates="service", passive_deletes=True
    )


class Location(TimestampMixin, Base):
    __tablename__ = "location"

    id: Mapped[str] = _id()
    location_type: Mapped[str] = mapped_column(String(16), default="physical")
    url: Mapped[str | None] = mapped_column(Text)
    organization_id: Mapped[str | None] = _link()
    name: Mapped[str | None] = mapped_column(Text)
    alternate_name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    transportation: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    external_identifier: Mapped[str | None] = mapped_column(Text)
    external_identifier_type: Mapped[str | None] = mapped_column(Text)


class ServiceAtLocation(TimestampMixin, Base):
    __tablename__ = "service_at_location"

    id: Mapped[str] = _id()
    service_id: Mapped[str] = _link("service.id", required=True)
    location_id: Mapped[str] = _link("location.id", required=True)
    description: Mapped[str | None] = mapped_column(Text)


class Address(TimestampMixin, Base):
    __tablename__ = "address"

    id: Mapped[str] = _id()
    location_id: Mapped[str | None] = _link()
    attention: Mapped[str | None] = mapped_column(Text)
    address_1: Mapped[str] = mapped_column(Text)
    address_2: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(Text)
    state_province: Mapped[str | None] = mapped_column(Text)
    postal_code: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(Text)
    address_type: Mapped[str | None] = mapped_column(String(16))


class Phone(TimestampMixin, Base):
    __tablename__ = "phone"

    id: Mapped[str] = _id()
    location_id: Mapped[str | None] = _link()
    service_id: Mapped[str | None] = _link()
    organization_id: Mapped[str | None] = _link()
    contact_id: Mapped[str | None] = _link()
    service_at_location_id: Mapped[str | None] = _link()
    number: Mapped[str] = mapped_column(Text)
    extension: Mapped[float | None] = mapped_column(Float)
    type: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)


class Contact(TimestampMixin, Base):
    __tablename__ = "contact"

    id: Mapped[str] = _id()
    organization_id: Mapped[str | None] = _link()
    service_id: Mapped[str | None] = _link()
    service_at_location_id: Mapped[str | None] = _link()
    location_id: Mapped[str | None] = _link()
    name: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)


class Schedule(TimestampMixin, Base):
    __tablename__ = "schedule"

    id: Mapped[str] = _id()
    service_id: Mapped[str | None] = _link()
    location_id: Mapped[str | None] = _link()
    service_at_location_id: Mapped[str | None] = _link()
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    dtstart: Mapped[dt.date | None] = mapped_column(Date)
    timezone: Mapped[float | None] = mapped_column(Float)
    until: Mapped[dt.date | None] = mapped_column(Date)
    count: Mapped[float | None] = mapped_column(Float)
    wkst: Mapped[str | None] = mapped_column(String(2))
    freq: Mapped[str | None] = mapped_column(String(16))
    interval: Mapped[float | None] = mapped_column(Float)
    byday: Mapped[str | None] = mapped_column(Text)
    byweekno: Mapped[str | None] = mapped_column(Text)
    bymonthday: Mapped[str | None] = mapped_column(Text)
    byyearday: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    # Kept as text ("09:00", "10:00:00", "09:00Z", "09:00-05:00") so an import is lossless.
    opens_at: Mapped[str | None] = mapped_column(String(32))
    closes_at: Mapped[str | None] = mapped_column(String(32))
    schedule_link: Mapped[str | None] = mapped_column(Text)
    attending_type: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)


class Funding(TimestampMixin, Base):
    __tablename__ = "funding"

    id: Mapped[str] = _id()
    organization_id: Mapped[str | None] = _link()
    service_id: Mapped[str | None] = _link()
    source: Mapped[str | None] = mapped_column(Text)


class ServiceArea(TimestampMixin, Base):
    __tablename__ = "service_area"

    id: Mapped[str] = _id()
    service_id: Mapped[str | None] = _link()
    name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    extent: Mapped[str | None] = mapped_column(Text)
    extent_type: Mapped[str | None] = mapped_column(Text)
    uri: Mapped[str | None] = mapped_column(Text)
    # UK profile 3.0 field ("A free text geographic area where a service is available").
    service_area: Mapped[str | None] = mapped_column(Text)


class RequiredDocument(TimestampMixin, Base):
    __tablename__ = "required_document"

    id: Mapped[str] = _id()
    service_id: Mapped[str | None] = _link()
    document: Mapped[str | None] = mapped_column(Text)
    uri: Mapped[str | None] = mapped_column(Text)


class Language(TimestampMixin, Base):
    __tablename__ = "language"

    id: Mapped[str] = _id()
    service_id: Mapped[str | None] = _link()
    location_id: Mapped[str | None] = _link()
    phone_id: Mapped[str | None] = _link()
    name: Mapped[str | None] = mapped_column(Text)
    code: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)


class Accessibility(TimestampMixin, Base):
    __tablename__ = "accessibility"

    id: Mapped[str] = _id()
    location_id: Mapped[str | None] = _link()
    description: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    # UK profile 3.0 field.
    accessibility: Mapped[str | None] = mapped_column(Text)


class Taxonomy(TimestampMixin, Base):
    __tablename__ = "taxonomy"

    id: Mapped[str] = _id()
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    uri: Mapped[str | None] = mapped_column(Text)
    version: Mapped[str | None] = mapped_column(Text)


class TaxonomyTerm(TimestampMixin, Base):
    __tablename__ = "taxonomy_term"

    id: Mapped[str] = _id()
    code: Mapped[str | None] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[str | None] = _link()
    taxonomy: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    taxonomy_id: Mapped[str | None] = _link()
    term_uri: Mapped[str | None] = mapped_column(Text)
    # UK profile 3.0 field ("The taxonomy term itself").
    term: Mapped[str | None] = mapped_column(Text)


class Attribute(TimestampMixin, Base):
    __tablename__ = "attribute"

    id: Mapped[str] = _id()
    link_id: Mapped[str] = _link(required=True)
    taxonomy_term_id: Mapped[str] = _link("taxonomy_term.id", required=True)
    link_type: Mapped[str | None] = mapped_column(Text)
    link_entity: Mapped[str | None] = mapped_column(Text)
    value: Mapped[str | None] = mapped_column(Text)


class CostOption(TimestampMixin, Base):
    __tablename__ = "cost_option"

    id: Mapped[str] = _id()
    service_id: Mapped[str] = _link("service.id", required=True)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    option: Mapped[str | None] = mapped_column(Text)
    currency: Mapped[str | None] = mapped_column(String(16))
    amount: Mapped[float | None] = mapped_column(Float)
    amount_description: Mapped[str | None] = mapped_column(Text)


class OrganizationIdentifier(TimestampMixin, Base):
    __tablename__ = "organization_identifier"

    id: Mapped[str] = _id()
    organization_id: Mapped[str] = _link("organization.id", required=True)
    identifier_scheme: Mapped[str | None] = mapped_column(Text)
    identifier_type: Mapped[str] = mapped_column(Text)
    identifier: Mapped[str] = mapped_column(Text)


class MetadataEntry(TimestampMixin, Base):
    """HSDS `metadata`: the change log. Every write of the directory appends to it."""

    __tablename__ = "metadata"
    __table_args__ = (Index("ix_metadata_created_at", "created_at"),)

    id: Mapped[str] = _id()
    resource_id: Mapped[str] = _link(required=True)
    resource_type: Mapped[str] = mapped_column(String(64))
    last_action_date: Mapped[dt.date] = mapped_column(Date)
    last_action_type: Mapped[str] = mapped_column(String(32))
    field_name: Mapped[str] = mapped_column(Text)
    previous_value: Mapped[str] = mapped_column(Text)
    replacement_value: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(Text)


class MetaTableDescription(TimestampMixin, Base):
    __tablename__ = "meta_table_description"

    id: Mapped[str] = _id()
    name: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    character_set: Mapped[str | None] = mapped_column(Text)


# --- extensions for young people (not in HSDS; never confused with it: `x_` tables) ------------


class ServiceProfile(TimestampMixin, Base):
    """What a young person needs to know before getting in touch, one-to-one with a service."""

    __tablename__ = "x_service_profile"

    service_id: Mapped[str] = mapped_column(
        ID, ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    summary: Mapped[str | None] = mapped_column(Text)
    what_happens: Mapped[str | None] = mapped_column(Text)
    confidentiality_summary: Mapped[str | None] = mapped_column(Text)
    anonymous: Mapped[bool | None] = mapped_column(Boolean)
    tells_parents: Mapped[bool | None] = mapped_column(Boolean)
    crisis: Mapped[bool] = mapped_column(Boolean, default=False)
    crisis_order: Mapped[int | None] = mapped_column(Integer)
    area: Mapped[str] = mapped_column(String(16), default="national")
    cost: Mapped[str | None] = mapped_column(String(16))
    open_24_7: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_on_bank_holidays: Mapped[bool] = mapped_column(Boolean, default=False)
    last_verified: Mapped[dt.date | None] = mapped_column(Date)
    source_url: Mapped[str | None] = mapped_column(Text)
    sample: Mapped[bool] = mapped_column(Boolean, default=False)
    # What happens when you get in touch, structured: who answers, "self" (get in touch
    # yourself), "referral" (someone must refer you) or "either", and who is told and when.
    who_answers: Mapped[str | None] = mapped_column(Text)
    referral: Mapped[str | None] = mapped_column(String(16))
    who_is_told: Mapped[str | None] = mapped_column(Text)
    # A notice shown on the card until the end of `notice_until` (then it is gone by itself);
    # `notice_closed`: closed meanwhile, so never offered as open.
    notice: Mapped[str | None] = mapped_column(Text)
    notice_until: Mapped[dt.date | None] = mapped_column(Date)
    notice_closed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    service: Mapped[Service] = relationship(back_populates="profile")


class ContactMode(TimestampMixin, Base):
    """One way to get in touch (call, text, web chat, ...), with its own hours when they differ."""

    __tablename__ = "x_contact_mode"

    id: Mapped[str] = _id()
    service_id: Mapped[str] = _link("service.id", required=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    mode: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    label: Mapped[str | None] = mapped_column(Text)
    href: Mapped[str | None] = mapped_column(Text)
    always: Mapped[bool] = mapped_column(Boolean, default=False)
    # A list of {byday: [MO, ...], opens_at: "09:00", closes_at: "17:00"}; null = service hours.
    hours: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)

    service: Mapped[Service] = relationship(back_populates="contact_modes")


class ServiceLocality(TimestampMixin, Base):
    """A locality of the borough that a local service serves."""

    __tablename__ = "x_service_locality"

    service_id: Mapped[str] = mapped_column(
        ID, ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    locality: Mapped[str] = mapped_column(String(64), primary_key=True)

    service: Mapped[Service] = relationship(back_populates="localities")


HSDS_TABLES: dict[str, type[Base]] = {
    "organization": Organization,
    "program": Program,
    "service": Service,
    "location": Location,
    "service_at_location": ServiceAtLocation,
    "address": Address,
    "phone": Phone,
    "contact": Contact,
    "schedule": Schedule,
    "funding": Funding,
    "service_area": ServiceArea,
    "required_document": RequiredDocument,
    "language": Language,
    "accessibility": Accessibility,
    "taxonomy": Taxonomy,
    "taxonomy_term": TaxonomyTerm,
    "attribute": Attribute,
    "cost_option": CostOption,
    "organization_identifier": OrganizationIdentifier,
    "metadata": MetadataEntry,
    "meta_table_description": MetaTableDescription,
}
"""Every HSDS table by its standard name, in an order that satisfies the foreign keys."""

EXTENSION_TABLES: dict[str, type[Base]] = {
    "x_service_profile": ServiceProfile,
    "x_contact_mode": ContactMode,
    "x_service_locality": ServiceLocality,
}

NOT_EXPORTED = frozenset({"created_at", "updated_at"})


def hsds_columns(table: str) -> list[str]:
    """The HSDS field names of `table` in the standard's order (timestamps left out)."""
    model = HSDS_TABLES[table]
    return [c.name for c in model.__table__.columns if c.name not in NOT_EXPORTED]
