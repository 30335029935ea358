"""The import command's contract: all or nothing by default (non-zero, errors by record and
field); `--skip-invalid` imports the valid records, lists the invalid ones and exits 0 when
anything was imported; `--feed` withdraws what left the feed; `stage` then `publish`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from services_directory.__main__ import main
from services_directory.db import make_engine, make_session_factory
from services_directory.io.records import stable_uuid
from services_directory.models import Service
from tests.services_directory.feeds.messy import service, write_feed


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["migrate", "--database-url", url]) == 0
    return url


def services(url: str) -> dict[str, str]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            rows = session.execute(select(Service.name, Service.status))
            return {name: status for name, status in rows}
    finally:
        engine.dispose()


def test_import_stays_all_or_nothing(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(write_feed(tmp_path)), "--database-url", url]) == 1
    err = capsys.readouterr().err
    assert "nothing was written" in err
    assert ".organization: is missing" in err
    assert services(url) == {}
    feed = ["--feed", "council", "--database-url", url]
    assert main(["import", str(write_feed(tmp_path)), *feed]) == 1
    err = capsys.readouterr().err
    assert "nothing was written" in err and "--skip-invalid" in err
    assert services(url) == {}


def test_skip_invalid_imports_the_valid_records(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_feed(tmp_path)
    assert main(["import", str(path), "--skip-invalid", "--database-url", url]) == 0
    out, err = capsys.readouterr()
    assert "2 invalid" not in out and "invalid left out" in out
    assert "content[4] (service" in err and ".organization 'Youth Club 5': is missing" in err
    assert "'Youth Club Six' differs from 'Youth Club 6'" in err
    assert "email: non-breaking space removed" in out
    assert services(url) == {f"Youth Club {n}": "active" for n in (1, 2, 3, 4)}


def test_skip_invalid_exits_non_zero_when_nothing_could_be_imported(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.json"
    feed = {"content": [service(1, org=None), service(2, org=None)], "totalElements": 2}
    path.write_text(json.dumps(feed), encoding="utf-8")
    assert main(["import", str(path), "--skip-invalid", "--database-url", url]) == 1
    assert ".organization 'Youth Club 1': is missing" in capsys.readouterr().err


def test_feed_reimport_withdraws_and_stage_then_publish(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = write_feed(tmp_path)
    args = ["--skip-invalid", "--feed", "council", "--database-url", url]
    assert main(["import", str(first), *args]) == 0
    capsys.readouterr()
    second = write_feed(tmp_path, "second.json", second=True)
    assert main(["stage", str(second), "--feed", "council", "--database-url", url]) == 0
    out = capsys.readouterr().out
    assert "1 to withdraw" in out and "Youth Club 4 (service" in out
    batch = re.search(r"^batch (\S+): staged", out, re.MULTILINE)
    assert batch, out
    assert main(["publish", batch.group(1), "--database-url", url]) == 0
    assert "1 withdrawn" in capsys.readouterr().out
    assert services(url)["Youth Club 4"] == "inactive"
    assert services(url)["Youth Club 7"] == "active"
    assert main(["publish", batch.group(1), "--database-url", url]) == 2
    assert "already been published" in capsys.readouterr().err
    assert main(["batches", "--database-url", url]) == 0
    assert "published" in capsys.readouterr().out
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        sid = stable_uuid("oruk-v1", "service", "svc-4")
        assert session.scalar(select(func.count()).where(Service.id == sid)) == 1
    engine.dispose()
