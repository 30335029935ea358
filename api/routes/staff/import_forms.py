"""The imports pages' forms: the upload (one file, refused over IMPORT_UPLOAD_MAX_MB before it is
read) and the choice of what the scheduled fetch of the council's feed does."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData
from wtforms import RadioField, StringField
from wtforms.validators import InputRequired, Length, Regexp

from api.routes.staff.forms import StaffForm


class UploadForm(StaffForm):
    feed = StringField(
        "Feed name",
        [
            InputRequired("Enter the feed's name"),
            Length(max=100, message="The feed's name must be 100 characters or fewer"),
            Regexp(r"^[\w .()-]+$", message="Use letters, numbers, spaces, dots and dashes"),
        ],
    )


class AutoPublishForm(StaffForm):
    auto_publish = RadioField(
        "When the feed is fetched on its schedule",
        [InputRequired("Choose what happens")],
        choices=[
            ("no", "Stage it for review: someone publishes it here"),
            ("yes", "Publish its valid records by itself"),
        ],
    )


class UploadTooLarge(Exception):
    """The upload is over the size limit."""


async def upload_data(request: Request) -> FormData | UploadTooLarge:
    """The posted upload form (one file), or the refusal when the request is too large."""
    limit = request.app.state.settings.import_upload_max_mb * 1024 * 1024
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + 64 * 1024:
        return UploadTooLarge()
    return await request.form(max_files=1, max_fields=10)


UploadDataDep = Annotated[FormData | UploadTooLarge, Depends(upload_data)]
