"""The imports pages: a council admin uploads a messy feed, reads the report (counts, then tables
by outcome with record, id and field-level reasons), publishes the valid records with one button
(audited with counts) or discards; only council admins reach them; CSRF is refused; uploads
have a size limit; the configured feed is fetched from a real local HTTP server."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services_directory.accounts import StaffAuditEvent
from services_directory.import_models import BatchStatus, ImportBatch
from services_directory.models import Service
from staff.policy import Role
from tests.services_directory.feeds.messy import messy_feed
from tests.services_directory.test_staging_feed import FeedServer, feed_server  # noqa: F401
from tests.staff.helpers import HTML, FakeClock, csrf_of, make_organisation, make_user, sign_in

FEED = json.dumps(messy_feed(), ensure_ascii=False).encode()


def _admin(db: Session, client: TestClient, clock: FakeClock) -> None:
    sign_in(client, make_user(db, "admin@council.example", Role.COUNCIL_ADMIN), clock)


def _upload(client: TestClient, content: bytes = FEED, name: str = "council.json", **data: str):
    page = client.get("/staff/imports", headers=HTML)
    assert page.status_code == 200, page.text[:300]
    fields = {"csrf_token": csrf_of(page.text), "feed": "council", **data}
    files = {"file": (name, content, "application/json")} if content is not None else None
    return client.post("/staff/imports", data=fields, files=files, headers=HTML)


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_upload_report_and_publish(client: TestClient, db: Session, clock: FakeClock) -> None:
    _admin(db, client, clock)
    response = _upload(client)
    assert response.status_code == 303
    batch_url = response.headers["location"]
    page = client.get(batch_url, headers=HTML)
    assert page.status_code == 200
    text = _text(page.text)
    assert "Ready to publish" in text
    assert "Services in the file 6" in text and "Invalid services, left out 2" in text
    assert "Youth Club 5" in text and "is missing" in text  # the invalid tab first
    assert "differs from 'Youth Club 6'" in text
    cleaned = _text(client.get(f"{batch_url}?show=cleaned", headers=HTML).text)
    assert "email" in cleaned and "non-breaking space removed" in cleaned
    assert "HTML turned into plain text" in cleaned
    new = _text(client.get(f"{batch_url}?show=created", headers=HTML).text)
    assert "Youth Club 1" in new and "Youth Club 4" in new and "Youth Club 5" not in new
    assert db.scalar(select(func.count()).select_from(Service)) == 0

    publish = client.post(
        f"{batch_url}/publish", data={"csrf_token": csrf_of(page.text)}, headers=HTML
    )
    assert publish.status_code == 303
    done = _text(client.get(batch_url, headers=HTML).text)
    assert "Published by admin@council.example" in done and "4 services added" in done
    assert db.scalar(select(func.count()).select_from(Service)) == 4
    audit = db.scalars(
        select(StaffAuditEvent).where(StaffAuditEvent.action == "import.published")
    ).one()
    assert audit.actor_label == "admin@council.example"
    assert audit.detail.startswith("4 services created, 0 updated, 0 withdrawn, 2 invalid")
    again = client.post(
        f"{batch_url}/publish", data={"csrf_token": csrf_of(page.text)}, headers=HTML
    )
    assert "already been published" in _text(client.get(again.headers["location"]).text)
    listing = _text(client.get("/staff/imports", headers=HTML).text)
    assert "council.json" in listing and "Published" in listing


def test_discard_and_a_stale_batch(client: TestClient, db: Session, clock: FakeClock) -> None:
    _admin(db, client, clock)
    first = _upload(client).headers["location"]
    second = _upload(client).headers["location"]
    page = client.get(first, headers=HTML)
    assert "Out of date" in page.text and "Publish 4 valid services" not in page.text
    token = csrf_of(client.get(second, headers=HTML).text)
    response = client.post(f"{second}/discard", data={"csrf_token": token}, headers=HTML)
    assert response.status_code == 303
    batch = db.get(ImportBatch, second.rsplit("/", 1)[1])
    db.refresh(batch)
    assert batch is not None and batch.status == BatchStatus.DISCARDED
    assert db.scalar(select(func.count()).where(StaffAuditEvent.action == "import.discarded")) == 1


def test_upload_problems_are_shown_beside_the_field(
    app_factory, db: Session, clock: FakeClock
) -> None:
    client = app_factory(import_upload_max_mb=1)
    _admin(db, client, clock)
    too_big = _upload(client, b"[" + b" " * (1024 * 1024 + 100) + b"]")
    assert too_big.status_code in (413, 422)
    assert "The file must be smaller than 1 MB" in too_big.text
    missing = _upload(client, None)  # type: ignore[arg-type]
    assert missing.status_code == 422 and "Choose a file to upload" in missing.text
    not_json = _upload(client, b"hello", name="notes.txt")
    assert not_json.status_code == 303
    failed = _text(client.get(not_json.headers["location"], headers=HTML).text)
    assert "Could not be read" in failed and "neither JSON nor a zipped CSV package" in failed


def test_csrf_is_refused(client: TestClient, db: Session, clock: FakeClock) -> None:
    _admin(db, client, clock)
    batch_url = _upload(client).headers["location"]
    files = {"file": ("council.json", FEED, "application/json")}
    assert client.post("/staff/imports", data={"feed": "x"}, files=files).status_code == 403
    assert client.post(f"{batch_url}/publish", data={}, headers=HTML).status_code == 403
    assert client.post(f"{batch_url}/discard", data={"csrf_token": "x"}).status_code == 403
    assert db.scalar(select(func.count()).select_from(Service)) == 0


@pytest.mark.parametrize(
    "role",
    [Role.REVIEWER, Role.ORGANISATION_MANAGER, Role.ORGANISATION_EDITOR, Role.READ_ONLY],
)
def test_only_council_admins_reach_the_imports(
    client: TestClient, db: Session, clock: FakeClock, role: Role
) -> None:
    admin_client = client
    _admin(db, admin_client, clock)
    batch_url = _upload(admin_client).headers["location"]
    token = csrf_of(admin_client.get(batch_url, headers=HTML).text)
    admin_client.post("/staff/sign-out", data={"csrf_token": token}, headers=HTML)
    organisation = make_organisation(db, "Riverside") if role.value.startswith("org") else None
    sign_in(client, make_user(db, f"{role.value}@example.org", role, organisation), clock)
    for path in ("/staff/imports", batch_url):
        assert client.get(path, headers=HTML).status_code == 403
    home = client.get("/staff/", headers=HTML).text
    token = csrf_of(home)
    assert client.post(f"{batch_url}/publish", data={"csrf_token": token}).status_code == 403
    assert db.scalar(select(func.count()).select_from(Service)) == 0
    assert "/staff/imports" not in home


def test_anonymous_people_are_sent_to_sign_in(client: TestClient) -> None:
    response = client.get("/staff/imports", headers=HTML)
    assert response.status_code == 303 and "/staff/sign-in" in response.headers["location"]


def test_fetching_the_configured_feed(
    app_factory,
    db: Session,
    clock: FakeClock,
    feed_server: FeedServer,  # noqa: F811
) -> None:
    client = app_factory(feed_url=f"{feed_server.url}/feed.json", feed_import_cron="0 6 * * *")
    _admin(db, client, clock)
    page = client.get("/staff/imports", headers=HTML)
    assert "Fetch and check it now" in page.text and "0 6 * * *" in page.text
    forms = re.findall(r'name="csrf_token" value="([^"]+)"', page.text)
    response = client.post("/staff/imports/fetch", data={"csrf_token": forms[-1]}, headers=HTML)
    assert response.status_code == 303
    assert feed_server.requests == 1
    listing = _text(client.get("/staff/imports", headers=HTML).text)
    assert "feed.json" in listing and "Ready to publish" in listing
    saved = client.post(
        "/staff/imports/feed", data={"csrf_token": forms[-1], "auto_publish": "yes"}, headers=HTML
    )
    assert saved.status_code == 303
    assert (
        db.scalar(select(func.count()).where(StaffAuditEvent.action == "import.feed_changed")) == 1
    )
