"""`make admin EMAIL=...` (python -m staff.cli admin): the first admin's one-time set-up link."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from services_directory.accounts import StaffAuditEvent, StaffInvitation
from services_directory.db import make_engine, make_session_factory, migrate
from staff.cli import main
from tests.staff.conftest import make_app
from tests.staff.helpers import HTML

LINK = re.compile(r"^http://127\.0\.0\.1:8000(/staff/set-up/[A-Za-z0-9_-]{43})$", re.M)


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'directory.db'}"
    migrate(url)
    return url


def test_make_admin_prints_a_working_one_time_link(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["admin", "First.Admin@Council.Example", "--database-url", database]) == 0
    out = capsys.readouterr().out
    assert "Council admin invited: first.admin@council.example" in out
    match = LINK.search(out)
    assert match, out
    engine = make_engine(database)
    with make_session_factory(engine)() as db:
        invitation = db.scalars(select(StaffInvitation)).one()
        assert invitation.role == "council_admin" and invitation.invited_by_id is None
        entry = db.scalars(select(StaffAuditEvent)).one()
        assert (entry.action, entry.actor_label) == ("invited", "command line")
    with TestClient(make_app(engine, tmp_path), base_url="https://testserver") as client:
        page = client.get(match.group(1), headers=HTML)
        assert page.status_code == 200 and "first.admin@council.example" in page.text
    engine.dispose()


def test_running_it_again_replaces_the_link(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["admin", "admin@council.example", "--database-url", database])
    main(["admin", "admin@council.example", "--database-url", database])
    engine = make_engine(database)
    with make_session_factory(engine)() as db:
        invitations = db.scalars(select(StaffInvitation)).all()
        assert len(invitations) == 2
        assert [i.revoked_at is None for i in invitations].count(True) == 1
    engine.dispose()


@pytest.mark.parametrize("email", ["not-an-address", "@council.example", "a b@council.example"])
def test_a_bad_address_is_refused(
    email: str, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["admin", email, "--database-url", database]) == 2
    assert "EMAIL must be an email address" in capsys.readouterr().err
