"""The form that changes a service (WTForms), and its translation to and from the service's
document (`staff.service_document`). Every field is checked on the server; errors are shown next
to the field and nothing is saved until the whole form is right."""

from __future__ import annotations

from typing import Any

from wtforms import (
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
from services_directory.search.types import CONTACT_MODES, OLDEST_AGE, YOUNGEST_AGE
from staff.service_document import MODE_NAMES, PHONE_TYPES, Document

YES_NO = [("yes", "Yes"), ("no", "No"), ("", "Not said")]
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
    wait_time = StringField("Typical wait", _text(200))
    confidentiality_summary = TextAreaField("Confidentiality", _text(2000))
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
    "wait_time",
    "confidentiality_summary",
    "url",
    "email",
)


def document_of(form: ServiceForm) -> Document:
    """The document a valid form describes."""
    doc: Document = {key: _clean(getattr(form, key).data) for key in TEXT_FIELDS}
    doc["anonymous"] = _yes_no(form.anonymous.data)
    doc["tells_parents"] = _yes_no(form.tells_parents.data)
    doc["minimum_age"] = form.minimum_age.data
    doc["maximum_age"] = form.maximum_age.data
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
    return doc


def fill(form: ServiceForm, doc: Document) -> None:
    """Put a document's values into an empty form (to start editing)."""
    for key in TEXT_FIELDS:
        getattr(form, key).data = doc.get(key) or ""
    form.anonymous.data = _from_yes_no(doc.get("anonymous"))
    form.tells_parents.data = _from_yes_no(doc.get("tells_parents"))
    form.minimum_age.data = doc.get("minimum_age")
    form.maximum_age.data = doc.get("maximum_age")
    while form.contact_modes.entries:
        form.contact_modes.pop_entry()
    for route in doc.get("contact_modes") or []:
        form.contact_modes.append_entry(route)
    for key in ("needs", "localities", "languages"):
        getattr(form, key).data = list(doc.get(key) or [])


def add_spare_routes(form: ServiceForm) -> None:
    """Empty rows for new ways to get in touch, below the filled ones."""
    filled = sum(1 for row in form.contact_modes.entries if row.form.mode.data)
    while len(form.contact_modes.entries) < min(filled + SPARE_ROUTES, 20):
        form.contact_modes.append_entry()


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
