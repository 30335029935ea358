"""Imports (council admins): upload a feed or fetch the configured one, read the staged report,
publish its valid records (one button) or discard it; the list of past batches.

Checking and publishing run after the response (`staff.imports`); the batch's page refreshes by
itself while they run, without JavaScript. Every change is a POST with its CSRF token."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.datastructures import UploadFile

from api.deps import SessionDep, SettingsDep
from api.routes.staff.deps import ClockDep, FormDataDep, SignedIn, current_staff, require
from api.routes.staff.forms import ConfirmForm, form_key, make_form
from api.routes.staff.import_forms import (
    AutoPublishForm,
    UploadDataDep,
    UploadForm,
    UploadTooLarge,
)
from api.routes.staff.rendering import redirect, render
from services_directory.import_models import BatchStatus, ImportFeed
from services_directory.io.batches import recent_batches, why_not
from services_directory.io.feeds import feed_named
from services_directory.io.staging_report import StagingReport
from services_directory.io.validity import is_knock_on
from settings.app import Settings
from staff import feed_import, imports
from staff.errors import InvalidChange
from staff.policy import Permission

router = APIRouter(prefix="/staff", include_in_schema=False, dependencies=[Depends(current_staff)])
Importer = Annotated[SignedIn, Depends(require(Permission.IMPORTS_RUN))]
PER_PAGE = 100
KNOCK_ON_SHOWN = 500
RUNNING = {BatchStatus.STAGING.value, BatchStatus.PUBLISHING.value}
SHOW = {
    "invalid": "Invalid, left out",
    "needs_person": "Needs a person",
    "withdrawn": "To withdraw",
    "created": "New",
    "updated": "Changed",
    "unchanged": "Unchanged",
    "cleaned": "Cleaned",
}


def _feed(db: SessionDep, settings: Settings) -> ImportFeed | None:
    return db.scalar(select(ImportFeed).where(ImportFeed.name == settings.feed_name))


def _list_page(
    request: Request,
    db: SessionDep,
    settings: Settings,
    staff: SignedIn,
    form: UploadForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HTMLResponse:
    key = form_key(settings)
    if form is None:
        form = make_form(UploadForm, key, staff.session.csrf_secret, feed=settings.feed_name)
    feed = _feed(db, settings)
    auto = make_form(
        AutoPublishForm,
        key,
        staff.session.csrf_secret,
        auto_publish="yes" if feed and feed.auto_publish else "no",
    )
    context = {
        "form": form,
        "problem": problem,
        "auto_form": auto,
        "confirm": make_form(ConfirmForm, key, staff.session.csrf_secret),
        "batches": recent_batches(db),
        "feed_url": settings.feed_url,
        "feed_name": settings.feed_name,
        "feed_cron": settings.feed_import_cron,
        "max_mb": settings.import_upload_max_mb,
        "notice": request.query_params.get("notice", ""),
    }
    return render(request, "imports.html", context, staff=staff, status_code=status)


@router.get("/imports", response_class=HTMLResponse)
def imports_page(
    request: Request, db: SessionDep, settings: SettingsDep, staff: Importer
) -> HTMLResponse:
    """Upload a feed, fetch the configured one, and the latest batches."""
    return _list_page(request, db, settings, staff)


async def _file_bytes(upload: UploadFile, limit: int) -> bytes | None:
    data = await upload.read(limit + 1)
    return None if len(data) > limit else data


@router.post("/imports", response_class=HTMLResponse)
async def upload(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: UploadDataDep,
    staff: Importer,
    background: BackgroundTasks,
) -> Response:
    """Stage an uploaded file; it is checked after the response, and its page follows it."""
    too_large = f"The file must be smaller than {settings.import_upload_max_mb} MB"
    if isinstance(data, UploadTooLarge):
        return _list_page(request, db, settings, staff, problem=too_large, status=413)
    form = make_form(UploadForm, form_key(settings), staff.session.csrf_secret, data)
    upload_file = data.get("file")
    problem = ""
    payload: bytes | None = None
    if not isinstance(upload_file, UploadFile) or not upload_file.filename:
        problem = "Choose a file to upload"
    else:
        payload = await _file_bytes(upload_file, settings.import_upload_max_mb * 1024 * 1024)
        if payload is None:
            problem = too_large
        elif not payload.strip():
            problem = "The file is empty"
    if not form.validate() or problem or payload is None:
        return _list_page(request, db, settings, staff, form, problem, 422)
    assert isinstance(upload_file, UploadFile)
    batch = imports.stage(
        db,
        staff.user,
        feed_name=(form.feed.data or "").strip(),
        source=upload_file.filename or "upload",
        payload=payload,
        now=clock(),
    )
    db.commit()
    background.add_task(
        imports.check_in_background, request.app.state.session_factory, batch.id, clock()
    )
    return redirect(f"/staff/imports/{batch.id}")


@router.post("/imports/fetch")
def fetch_feed(
    request: Request,
    settings: SettingsDep,
    data: FormDataDep,
    staff: Importer,
    background: BackgroundTasks,
) -> RedirectResponse:
    """Fetch and stage the configured feed now (after the response)."""
    make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret, data)
    if not settings.feed_url:
        return redirect("/staff/imports")
    background.add_task(_fetch, settings, request.app.state.session_factory)
    return redirect("/staff/imports?notice=fetching")


def _fetch(settings: Settings, factory: Any) -> None:
    try:
        feed_import.run(settings, factory)
    except feed_import.FeedFetchFailed:
        feed_import.logger.exception("fetching the feed from the imports page failed")


@router.post("/imports/feed", response_class=HTMLResponse)
def auto_publish(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Importer,
) -> Response:
    """Choose whether the scheduled fetch publishes by itself."""
    form = make_form(AutoPublishForm, form_key(settings), staff.session.csrf_secret, data)
    if not form.validate():
        return _list_page(request, db, settings, staff, problem="Choose what happens", status=422)
    feed = feed_named(db, settings.feed_name, url=settings.feed_url)
    imports.set_auto_publish(db, staff.user, feed, form.auto_publish.data == "yes", clock())
    db.commit()
    return redirect("/staff/imports?notice=feed")


def _rows(report: StagingReport, show: str) -> list[dict[str, Any]]:
    if show == "invalid":
        return report.invalid
    if show in ("needs_person", "withdrawn", "cleaned"):
        return list(getattr(report, show))
    return [s for s in report.services if s["outcome"] == show]


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 100_000 else 1


@router.get("/imports/{batch_id}", response_class=HTMLResponse)
def batch_page(
    request: Request,
    batch_id: str,
    db: SessionDep,
    settings: SettingsDep,
    staff: Importer,
    show: str = "",
    page: str | None = None,
) -> HTMLResponse:
    """The staged report: counts first, then one table by outcome, a page at a time."""
    batch = imports.batch_for(db, batch_id)
    report = StagingReport.from_dict(batch.report)
    counts = report.counts()
    tabs = {
        key: len({(r["table"], r["id"]) for r in report.invalid})
        if key == "invalid"
        else len(_rows(report, key))
        for key in SHOW
    }
    if show not in SHOW:
        show = next((k for k in SHOW if tabs[k]), "created")
    rows = _rows(report, show)
    knock_on: list[dict[str, Any]] = []
    if show == "invalid":  # the records' own faults first; what was left out with them after
        knock_on = [r for r in rows if is_knock_on(r["reason"])]
        rows = [r for r in rows if not is_knock_on(r["reason"])]
    pages = max(1, -(-len(rows) // PER_PAGE))
    number = min(_page_number(page), pages)

    def href(n: int) -> str:
        query = {"show": show} | ({"page": str(n)} if n > 1 else {})
        return f"/staff/imports/{batch.id}?{urlencode(query)}"

    context = {
        "batch": batch,
        "report": report,
        "counts": counts,
        "tabs": tabs,
        "labels": SHOW,
        "show": show,
        "rows": rows[(number - 1) * PER_PAGE : number * PER_PAGE],
        "total_rows": len(rows),
        "knock_on": knock_on[:KNOCK_ON_SHOWN],
        "knock_on_total": len(knock_on),
        "first_row": (number - 1) * PER_PAGE + 1,
        "page_links": {
            "previous": href(number - 1) if number > 1 else None,
            "next": href(number + 1) if number < pages else None,
            "items": [],
        },
        "running": batch.status in RUNNING,
        "progress": imports.progress_of(batch.id),
        "confirm": make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret),
        "notice": request.query_params.get("notice", ""),
        "problem": why_not(batch.status) if request.query_params.get("problem") else "",
        "publishable": batch.status == BatchStatus.STAGED.value,
    }
    return render(request, "import_batch.html", context, staff=staff)


@router.post("/imports/{batch_id}/publish")
def publish(
    request: Request,
    batch_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Importer,
    background: BackgroundTasks,
) -> RedirectResponse:
    """Publish the batch's valid records (after the response, in one transaction)."""
    make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret, data)
    imports.batch_for(db, batch_id)
    try:
        imports.start_publishing(db, batch_id)
    except InvalidChange:
        db.rollback()
        return redirect(f"/staff/imports/{batch_id}?problem=refused")
    db.commit()
    background.add_task(
        imports.publish_in_background,
        request.app.state.session_factory,
        batch_id,
        staff.user.id,
        clock(),
    )
    return redirect(f"/staff/imports/{batch_id}?notice=publishing")


@router.post("/imports/{batch_id}/discard")
def discard(
    batch_id: str,
    db: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: FormDataDep,
    staff: Importer,
) -> RedirectResponse:
    """Discard the batch (its report stays)."""
    make_form(ConfirmForm, form_key(settings), staff.session.csrf_secret, data)
    try:
        imports.discard(db, staff.user, batch_id, clock())
    except InvalidChange:
        db.rollback()
        return redirect(f"/staff/imports/{batch_id}?problem=refused")
    db.commit()
    return redirect(f"/staff/imports/{batch_id}?notice=discarded")
