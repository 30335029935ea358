"""One settings source: the environment, then `.env`, for every process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from settings import env
from settings.app import Settings
from settings.env import ROOT, parse_dotenv

ENV_KEYS = ("DATABASE_URL", "MESSAGE_TEXT_STORAGE", "CONVERSATION_RETENTION_HOURS", "ENV_FILE")


def clean_environ(**extra: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    return {**environ, "PYTHONPATH": str(ROOT), **extra}


def test_dotenv_lines_are_read_as_dotenv_files_are_written():
    text = "# a comment\n\nA=1\nexport B='two words'\nC=\"x\"\nD=plain # note\nnot a line\n"
    assert parse_dotenv(text) == {"A": "1", "B": "two words", "C": "x", "D": "plain"}


def test_the_environment_wins_over_the_file(tmp_path, monkeypatch):
    dotenv = tmp_path / ".env"
    dotenv.write_text("MESSAGE_TEXT_STORAGE=redacted\nCONVERSATION_RETENTION_HOURS=6\n")
    monkeypatch.setenv("ENV_FILE", str(dotenv))
    monkeypatch.delenv("MESSAGE_TEXT_STORAGE", raising=False)
    monkeypatch.delenv("CONVERSATION_RETENTION_HOURS", raising=False)
    assert env.message_text_storage() == "redacted" and env.retention_hours() == 6
    monkeypatch.setenv("MESSAGE_TEXT_STORAGE", "none")
    assert env.message_text_storage() == "none"
    monkeypatch.setenv("MESSAGE_TEXT_STORAGE", "everything")
    with pytest.raises(ValueError, match="MESSAGE_TEXT_STORAGE"):
        env.message_text_storage()


def test_the_app_settings_and_the_shared_reader_agree(tmp_path, monkeypatch):
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        f"DATABASE_URL=sqlite:///{tmp_path}/d.db\nMESSAGE_TEXT_STORAGE=redacted\n"
        "CONVERSATION_RETENTION_HOURS=12\n"
    )
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("ENV_FILE", str(dotenv))
    app = Settings(_env_file=env.env_file())  # type: ignore[call-arg]
    assert app.database_url == env.database_url() == f"sqlite:///{tmp_path}/d.db"
    assert app.message_text_storage == env.message_text_storage() == "redacted"
    assert app.conversation_retention_hours == env.retention_hours() == 12


def test_a_dotenv_only_database_url_reaches_the_command_line(tmp_path: Path):
    """From another folder, with DATABASE_URL only in the .env file: the CLI migrates that
    database, not a new file somewhere else."""
    target = tmp_path / "from-dotenv.db"
    dotenv = tmp_path / "deploy.env"
    dotenv.write_text(f"DATABASE_URL=sqlite:///{target}\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "services_directory", "migrate"],
        cwd=elsewhere,
        env=clean_environ(ENV_FILE=str(dotenv)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert target.exists()
    assert not (elsewhere / "var").exists()


def test_production_refuses_the_development_staff_key_and_insecure_cookies() -> None:
    secrets = {
        "conversation_id_secret": "a-real-conversation-key",
        "public_base_url": "https://directory.example.org",
        "smtp_host": "smtp.example.org",
    }
    with pytest.raises(ValueError, match="STAFF_SECRET_KEY"):
        Settings(environment="production", **secrets)
    ready = Settings(environment="production", staff_secret_key="a-real-staff-key", **secrets)
    assert ready.staff_cookie_is_secure
    with pytest.raises(ValueError, match="STAFF_COOKIE_SECURE"):
        Settings(
            environment="production",
            staff_secret_key="a-real-staff-key",
            staff_cookie_secure=False,
            **secrets,
        )
    assert not Settings(environment="development").staff_cookie_is_secure


def test_only_development_may_use_the_development_staff_key() -> None:
    assert Settings(environment="development").staff_secret_key.get_secret_value()
    with pytest.raises(ValueError, match="STAFF_SECRET_KEY"):
        Settings(environment="test")
    assert Settings(environment="test", staff_secret_key="a-test-key").environment == "test"


@pytest.mark.parametrize(
    ("changed", "refused"),
    [
        ({"public_base_url": "http://127.0.0.1:8000"}, "PUBLIC_BASE_URL"),  # the default
        ({"public_base_url": "http://directory.example.org"}, "PUBLIC_BASE_URL"),
        ({"smtp_host": None}, "SMTP_HOST"),  # set-up links would be written to a folder
    ],
)
def test_production_needs_an_https_address_and_an_smtp_server(
    changed: dict[str, object], refused: str
) -> None:
    values: dict[str, object] = {
        "environment": "production",
        "conversation_id_secret": "a-real-conversation-key",
        "staff_secret_key": "a-real-staff-key",
        "public_base_url": "https://directory.example.org",
        "smtp_host": "smtp.example.org",
    }
    assert Settings(**values)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=refused):
        Settings(**{**values, **changed})  # type: ignore[arg-type]


def test_links_in_staff_emails_use_the_configured_origin() -> None:
    assert Settings(public_base_url="https://directory.example.org/").public_base_url == (
        "https://directory.example.org"
    )
    with pytest.raises(ValueError, match="PUBLIC_BASE_URL"):
        Settings(public_base_url="https://evil.example/path?x=1")
