"""Insights for the partnership (/staff/insights): what young people needed, by week, need, age
band and locality; where no local service fitted; what they said about services. Aggregate counts
only, each under 10 shown as "fewer than 10" (`staff.insights.suppressed`, for the page, its
charts and the CSV alike). Council admins, reviewers and read-only accounts see it.

The charts are drawn on the server as inline SVG with a table of the same numbers beside each;
the page needs no script and makes no request to anyone else. The CSV export is a POST with its
CSRF token, and leaves `insights.exported` in the audit log."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import MultiDict
from wtforms import DateField, Form
from wtforms.validators import Optional

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import ClockDep, FormDataDep, SignedIn, current_staff, require
from api.routes.staff.forms import StaffForm, form_key, make_form
from api.routes.staff.rendering import STAFF_HEADERS, render
from services_directory.freshness import london_today
from staff import audit
from staff.insights import FEWER, THRESHOLD, build_report, csv_rows, default_range
from staff.policy import Permission

router = APIRouter(prefix="/staff", include_in_schema=False, dependencies=[Depends(current_staff)])

Viewer = Annotated[SignedIn, Depends(require(Permission.INSIGHTS_VIEW))]
LONGEST = dt.timedelta(weeks=5 * 52)
START_LABEL, END_LABEL = (
    "From (the week that includes this day)",
    "To (the week that includes this day)",
)


class RangeForm(Form):
    """The weeks to show (a GET form: it changes nothing)."""

    start = DateField(START_LABEL, [Optional()], format="%Y-%m-%d")
    end = DateField(END_LABEL, [Optional()], format="%Y-%m-%d")


class ExportForm(StaffForm):
    start = DateField(START_LABEL, [Optional()], format="%Y-%m-%d")
    end = DateField(END_LABEL, [Optional()], format="%Y-%m-%d")


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def weeks_of(form: Form, today: dt.date) -> tuple[dt.date, dt.date]:
    """The Mondays of the first and last weeks asked for (the last year when not given). A
    range that is backwards, or longer than five years, gets an error on the form and the
    last year instead."""
    first, last = default_range(today)
    if not form.validate():
        return first, last
    start = _monday(form.start.data) if form.start.data else None
    end = _monday(form.end.data) if form.end.data else None
    start = start or (end - (last - first) if end else first)
    end = end or max(start, last)
    if end < start:
        form.end.errors = ["The end must be the same as or after the start"]
        return first, last
    if end - start > LONGEST:
        form.end.errors = ["Choose at most five years"]
        return first, last
    return start, end


@router.get("/insights", response_class=HTMLResponse)
def insights_page(
    request: Request, db: SessionDep, settings: SettingsDep, clock: ClockDep, staff: Viewer
) -> HTMLResponse:
    """The insights of the weeks chosen (the last year by default)."""
    form = RangeForm(formdata=MultiDict(request.query_params))
    first, last = weeks_of(form, london_today(clock()))
    report = build_report(db, first, last)
    export = make_form(ExportForm, form_key(settings), staff.session.csrf_secret)
    context: dict[str, Any] = {
        "report": report,
        "range_form": form,
        "export_form": export,
        "fewer": FEWER,
        "threshold": THRESHOLD,
        "retention_weeks": settings.insights_retention_weeks,
    }
    status = 422 if form.errors else 200
    return render(request, "insights.html", context, staff=staff, status_code=status)


@router.post("/insights/export")
def export_csv(
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Viewer,
) -> Response:
    """The same numbers as the page, as a CSV file; the export is in the audit log."""
    form = make_form(ExportForm, form_key(settings), staff.session.csrf_secret, data)
    now = clock()
    first, last = weeks_of(form, london_today(now))
    report = build_report(db, first, last)
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(csv_rows(report))
    audit.record(
        db,
        staff.user,
        "insights.exported",
        now,
        record_type="insights",
        detail=f"weeks starting {first.isoformat()} to {last.isoformat()}",
    )
    db.commit()
    name = f"insights-{first.isoformat()}-to-{last.isoformat()}.csv"
    headers = {**STAFF_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
