"""The form that changes a service (WTForms), and its translation to and from the service's
document (`staff.service_document`). Every field is checked on the server; errors are shown next
to the field and nothing is saved until the whole form is right."""

from __future__ import annotations

import datetime as dt
from typing import Any

from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, ValidationError

from api.routes.staff.forms import StaffForm
from services_directory.localities import POSTCODE_RE
from services_directory.schedules import DAYS
from services_directory.search.types import CONTACT_MODES, OLDEST_AGE, YOUNGEST_AGE
from staff.service_document import MODE_NAMES, PHONE_TYPES, REFERRAL, Document
from staff.service_hours import DAY_NAMES, hhmm

YES_NO = [("yes", "Yes"), ("no", "No"), ("", "Not said")]
REFERRAL_CHOICES = [*REFERRAL.items(), ("", "Not said")]
SPARE_ROUTES = 2  # empty rows for new ways to get in touch (no JavaScript needed)
NUMBER_CHARACTERS = set("0123456789 +")


class RouteForm(Form):
    """One way to get in touch (a row of the service form; its CSRF is the parent form's)."""

    mode = SelectField(
        "Way", choices=[("", "Remove or leave empty")] + [(m, MODE_NAMES[m]) for m in CONTACT_MODES]
    )
    value = StringField("Number, address or place", [Length(max=500)])
    body = StringField("Word to text (if any)", [Length(max=50)])
    label = StringField(
        "Button words (leave empty to make them from the number)", [Length(max=200)]
    )

    def validate_value(self, field: Any) -> None:
        """A way needs its number or address; a phone or text number only digits and spaces."""
        value = (field.data or "").strip()
        if self.mode.data and not value:
            raise ValidationError("Enter the number, address or place for this way to get in touch")
        if self.mode.data in PHONE_TYPES and not set(value) <= NUMBER_CHARACTERS:
            raise ValidationError("A phone or text number has only digits and spaces")
        if (
            self.mode.data in ("webchat", "website", "online_appointment")
            and value
            and not (value.startswith("https://"))
        ):
            raise ValidationError("Enter a web address starting with https://")


class HoursForm(Form):
    """One row of weekly opening hours (a row of the service form)."""

    days = SelectMultipleField("Days", choices=[(d, DAY_NAMES[d]) for d in DAYS])
    opens_at = StringField("Opens", [Length(max=5)])
    closes_at = StringField("Closes", [Length(max=5)])

    def validate_opens_at(self, field: Any) -> None:
        if self.days.data and hhmm(field.data) is None:
            raise ValidationError("Enter the time it opens, like 09:00")

    def validate_closes_at(self, field: Any) -> None:
        if not self.days.data:
            if (self.opens_at.data or "").strip() or (field.data or "").strip():
                raise ValidationError("Choose the days these hours are for")
            return
        closes, opens = hhmm(field.data), hhmm(self.opens_at.data)
        if closes is None:
            raise ValidationError("Enter the time it closes, like 17:00")
        if opens is not None and closes <= opens:
            raise ValidationError("It must close after it opens (24:00 for midnight)")


class PlaceForm(Form):
    """One place where the service is found (a row of the service form)."""

    name = StringField("Name of the place", [Length(max=200)])
    address = StringField("Street address", [Length(max=300)])
    town = StringField("Town or city", [Length(max=100)])
    postcode = StringField("Postcode", [Length(max=10)])

    def _filled(self) -> bool:
        return any(
            (f.data or "").strip() for f in (self.name, self.address, self.town, self.postcode)
        )

    def validate_name(self, field: Any) -> None:
        if self._filled() and not (field.data or "").strip():
            raise ValidationError("Enter the place's name")

    def validate_address(self, field: Any) -> None:
        if self._filled() and not (field.data or "").strip():
            raise ValidationError("Enter the street address")

    def validate_postcode(self, field: Any) -> None:
        code = " ".join((field.data or "").upper().split())
        if code and not POSTCODE_RE.match(code.replace(" ", "")):
            raise ValidationError("Enter a full UK postcode, like E1 6AN")


def _postcode(text: str | None) -> str:
    compact = "".join((text or "").upper().split())
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 4 else compact


def _text(max_length: int) -> list[Any]:
    return [Optional(), Length(max=max_length, message=f"Use {max_length} characters or fewer")]


class ServiceForm(StaffForm):
    name = StringField("Name", [InputRequired("Enter the service's name"), Length(max=200)])
    summary = TextAreaField(
        "Summary for young people",
        [InputRequired("Enter a short summary young people will read"), Length(max=400)],
    )
    description = TextAreaField("Description", _text(5000))
    what_happens = TextAreaField("What happens when you get in touch", _text(2000))
    who_answers = StringField("Who answers", _text(200))
    referral = RadioField("Can they get in touch themselves?", choices=REFERRAL_CHOICES, default="")
    wait_time = StringField("Typical wait", _text(200))
    confidentiality_summary = TextAreaField("Confidentiality", _text(2000))
    who_is_told = TextAreaField("Who is told, and when", _text(1000))
    anonymous = RadioField("Can a young person stay anonymous?", choices=YES_NO, default="")
    tells_parents = RadioField("Are parents or carers told?", choices=YES_NO, default="")
    minimum_age = IntegerField(
        "Youngest age",
        [Optional(), NumberRange(YOUNGEST_AGE, OLDEST_AGE, "Enter an age from 0 to 120")],
    )
    maximum_age = IntegerField(
        "Oldest age",
        [Optional(), NumberRange(YOUNGEST_AGE, OLDEST_AGE, "Enter an age from 0 to 120")],
    )
    url = StringField("Website", _text(500))
    email = EmailField(
        "E-mail",
        [Optional(), Length(max=320), Email("Enter an e-mail address like name@example.org")],
    )
    contact_modes = FieldList(FormField(RouteForm), min_entries=1, max_entries=20)
    places = FieldList(FormField(PlaceForm), min_entries=0, max_entries=10)
    open_24_7 = BooleanField("Open 24 hours, every day")
    hours = FieldList(FormField(HoursForm), min_entries=0, max_entries=14)
    closed_on_bank_holidays = BooleanField("Closed on bank holidays")
    notice = StringField("Notice on the card", _text(200))
    notice_day = IntegerField("Day", [Optional()])
    notice_month = IntegerField("Month", [Optional()])
    notice_year = IntegerField("Year", [Optional()])
    notice_closed = BooleanField("The service is closed until then")
    review_interval_months = IntegerField(
        "Check it is still right every ... months",
        [Optional(), NumberRange(1, 24, "Enter a number of months from 1 to 24")],
    )
    needs = SelectMultipleField("Needs it meets", choices=[])
    localities = SelectMultipleField("Localities", choices=[])
    languages = SelectMultipleField("Languages", choices=[])
    reason = TextAreaField(
        "Why are you making this change?",
        [InputRequired("Say why you are making this change"), Length(max=1000)],
    )

    def validate_maximum_age(self, field: Any) -> None:
        low = self.minimum_age.data
        if field.data is not None and low is not None and field.data < low:
            raise ValidationError("The oldest age must not be below the youngest age")

    def validate_url(self, field: Any) -> None:
        if field.data and not field.data.strip().startswith("https://"):
            raise ValidationError("Enter a web address starting with https://")

    def notice_date(self) -> dt.date | None:
        """The notice's last day, when the three parts make a date."""
        try:
            return dt.date(self.notice_year.data, self.notice_month.data, self.notice_day.data)
        except (TypeError, ValueError):
            return None

    def validate(self, extra_validators: Any = None) -> bool:
        """Every field's own checks, then the notice's date, which spans three fields (each may
        be empty on its own, so their own checks stop early)."""
        valid = super().validate(extra_validators)
        problem = self._notice_problem()
        if problem:
            self.notice_year.errors = [*self.notice_year.errors, problem]
        return valid and not problem

    def _notice_problem(self) -> str | None:
        parts = (self.notice_day.raw_data, self.notice_month.raw_data, self.notice_year.raw_data)
        typed = any(p and str(p[0]).strip() for p in parts)
        if typed and self.notice_date() is None:
            return "Enter a real date, like 3 3 2027"
        if (self.notice.data or "").strip() and self.notice_date() is None:
            return "Enter the last day the notice is shown"
        if self.notice_date() is not None and not (self.notice.data or "").strip():
            return "Enter the notice, or leave the date empty"
        return None

    def validate_contact_modes(self, field: Any) -> None:
        if not any(row.form.mode.data for row in field.entries):
            raise ValidationError("Give at least one way to get in touch")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def _from_yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


TEXT_FIELDS = (
    "name",
    "summary",
    "description",
    "what_happens",
    "who_answers",
    "wait_time",
    "confidentiality_summary",
    "who_is_told",
    "url",
    "email",
    "notice",
)
FLAGS = ("open_24_7", "closed_on_bank_holidays", "notice_closed")


def document_of(form: ServiceForm) -> Document:
    """The document a valid form describes."""
    doc: Document = {key: _clean(getattr(form, key).data) for key in TEXT_FIELDS}
    doc["anonymous"] = _yes_no(form.anonymous.data)
    doc["tells_parents"] = _yes_no(form.tells_parents.data)
    doc["minimum_age"] = form.minimum_age.data
    doc["maximum_age"] = form.maximum_age.data
    doc["review_interval_months"] = form.review_interval_months.data
    doc["contact_modes"] = [
        {
            "mode": row.form.mode.data,
            "value": " ".join((row.form.value.data or "").split()),
            "body": (row.form.body.data or "").strip(),
            "label": (row.form.label.data or "").strip(),
        }
        for row in form.contact_modes.entries
        if row.form.mode.data
    ]
    for key in ("needs", "localities", "languages"):
        doc[key] = sorted(set(getattr(form, key).data or []))
    doc["places"] = sorted(
        (
            {
                "name": " ".join(row.form.name.data.split()),
                "address": " ".join(row.form.address.data.split()),
                "town": " ".join((row.form.town.data or "").split()),
                "postcode": _postcode(row.form.postcode.data),
            }
            for row in form.places.entries
            if (row.form.name.data or "").strip()
        ),
        key=lambda p: tuple(str(p[k]).lower() for k in ("name", "address", "town", "postcode")),
    )
    doc["referral"] = form.referral.data or None
    for flag in FLAGS:
        doc[flag] = bool(getattr(form, flag).data)
    until = form.notice_date() if doc["notice"] else None
    doc["notice_until"] = until.isoformat() if until else None
    doc["notice_closed"] = doc["notice_closed"] and until is not None
    rows = [row.form for row in form.hours.entries if row.form.days.data]
    doc["hours"] = (
        []
        if doc["open_24_7"]
        else sorted(
            (
                {
                    "days": [d for d in DAYS if d in row.days.data],
                    "opens_at": hhmm(row.opens_at.data),
                    "closes_at": hhmm(row.closes_at.data),
                }
                for row in rows
            ),
            key=lambda h: (DAYS.index(h["days"][0]), h["opens_at"]),
        )
    )
    return doc


def fill(form: ServiceForm, doc: Document) -> None:
    """Put a document's values into an empty form (to start editing)."""
    for key in TEXT_FIELDS:
        getattr(form, key).data = doc.get(key) or ""
    form.anonymous.data = _from_yes_no(doc.get("anonymous"))
    form.tells_parents.data = _from_yes_no(doc.get("tells_parents"))
    form.minimum_age.data = doc.get("minimum_age")
    form.maximum_age.data = doc.get("maximum_age")
    form.review_interval_months.data = doc.get("review_interval_months")
    while form.contact_modes.entries:
        form.contact_modes.pop_entry()
    for route in doc.get("contact_modes") or []:
        form.contact_modes.append_entry(route)
    for key in ("needs", "localities", "languages"):
        getattr(form, key).data = list(doc.get(key) or [])
    form.referral.data = doc.get("referral") or ""
    for flag in FLAGS:
        getattr(form, flag).data = bool(doc.get(flag))
    while form.places.entries:
        form.places.pop_entry()
    for place in doc.get("places") or []:
        form.places.append_entry(place)
    while form.hours.entries:
        form.hours.pop_entry()
    for row in doc.get("hours") or []:
        form.hours.append_entry(row)
    until = doc.get("notice_until")
    if until:
        day = dt.date.fromisoformat(until)
        form.notice_day.data, form.notice_month.data, form.notice_year.data = (
            day.day,
            day.month,
            day.year,
        )


def add_spare_routes(form: ServiceForm) -> None:
    """Empty rows for new ways to get in touch and new opening hours, below the filled ones."""
    filled = sum(1 for row in form.contact_modes.entries if row.form.mode.data)
    while len(form.contact_modes.entries) < min(filled + SPARE_ROUTES, 20):
        form.contact_modes.append_entry()
    filled = sum(1 for row in form.places.entries if (row.form.name.data or "").strip())
    while len(form.places.entries) < min(filled + 1, 10):
        form.places.append_entry()
    filled = sum(1 for row in form.hours.entries if row.form.days.data)
    while len(form.hours.entries) < min(filled + SPARE_ROUTES, 14):
        form.hours.append_entry()


def offer_choices(
    form: ServiceForm,
    needs: list[tuple[str, str]],
    localities: list[tuple[str, str]],
    languages: list[tuple[str, str]],
) -> None:
    """The choices of the multiple-choice fields (anything else posted is refused)."""
    form.needs.choices = needs
    form.localities.choices = localities
    form.languages.choices = languages
