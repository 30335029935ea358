"""The command line: migrate, load-curated, import, export and search on a file database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services_directory.__main__ import main
from tests.services_directory.dbtest import FIXTURES, LOCAL_FIXTURES


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def test_the_whole_cycle(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", "--database-url", url]) == 0
    assert (
        main(["load-curated", "--database-url", url, "--data-dir", str(LOCAL_FIXTURES / "curated")])
        == 0
    )
    assert (
        main(["load-curated", "--database-url", url, "--data-dir", str(LOCAL_FIXTURES / "curated")])
        == 0
    )
    assert "unchanged" in capsys.readouterr().out
    assert (
        main(["import", str(FIXTURES / "oruk3" / "service_full.json"), "--database-url", url]) == 0
    )
    assert (
        main(["import", str(LOCAL_FIXTURES / "oruk_v1_services.json"), "--database-url", url]) == 0
    )
    out = capsys.readouterr().out
    assert "not imported: service.holiday_schedules" in out
    assert main(["export", str(tmp_path / "json"), "--format", "json", "--database-url", url]) == 0
    services = json.loads((tmp_path / "json" / "services.json").read_text(encoding="utf-8"))
    assert len(services) == 6 + 1 + 2
    assert main(["export", str(tmp_path / "csv"), "--format", "csv", "--database-url", url]) == 0
    assert (tmp_path / "csv" / "services.csv").is_file()
    capsys.readouterr()
    assert (
        main(
            [
                "search",
                "--need",
                "feeling_lonely",
                "--age",
                "14",
                "--limit",
                "2",
                "--now",
                "2026-11-24T10:00",
                "--database-url",
                url,
            ]
        )
        == 0
    )
    results = json.loads(capsys.readouterr().out)
    assert len(results) == 2 and results[0]["why"][0] == "helps with loneliness"


def test_bad_file_exits_non_zero_and_lists_errors(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate", "--database-url", url]) == 0
    assert (
        main(["import", str(LOCAL_FIXTURES / "invalid_services.json"), "--database-url", url]) == 1
    )
    err = capsys.readouterr().err
    assert "nothing was written" in err
    assert "[1] (service 2b1c6e2e-1f0e-4a8e-9a3c-000000000002).status" in err
    assert main(["search", "--need", "no_such_need", "--database-url", url]) == 2


def test_database_url_defaults_to_the_environment(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["migrate"]) == 0
    assert Path(url.removeprefix("sqlite:///")).is_file()
