"""The settings reader both runtimes share (stdlib only): the environment first, then `.env`.

The Rasa runtime (Python 3.10, no pydantic-settings) reads its tracker store settings here; the
directory CLI and Alembic read the database URL here; `settings.app.Settings` uses the same file
and defaults, so every process sees the same values.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV_FILE = ROOT / ".env"

# Defaults shared by the processes outside the API (and used by `settings.app.Settings`).
DEFAULT_DATABASE_URL = f"sqlite:///{ROOT / 'var' / 'directory.db'}"
DEFAULT_RETENTION_HOURS = 24
MESSAGE_TEXT_STORAGE_MODES = ("none", "redacted")
DEFAULT_MESSAGE_TEXT_STORAGE = "none"


def parse_dotenv(text: str) -> dict[str, str]:
    """KEY=VALUE lines of a .env file; blank lines and # comments skipped, quotes removed."""
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key.strip()] = value
    return values


def env_file() -> Path:
    """The `.env` file: `ENV_FILE` when set (a deployment's own), else the repository's."""
    override = os.environ.get("ENV_FILE")
    return Path(override) if override else ENV_FILE


@cache
def _read(path: Path) -> dict[str, str]:
    try:
        return parse_dotenv(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def dotenv_values() -> dict[str, str]:
    """The values of the `.env` file (read once per file; empty when there is none)."""
    return _read(env_file())


def env_value(
    name: str, default: str | None = None, environ: Mapping[str, str] | None = None
) -> str | None:
    """`name` from the environment, else from `.env`, else `default` (names are upper case)."""
    environ = os.environ if environ is None else environ
    value = environ.get(name)
    if value is None or value == "":
        value = dotenv_values().get(name)
    return value if value not in (None, "") else default


def database_url() -> str:
    """The directory's database URL (`DATABASE_URL`), else the SQLite file under `var/`."""
    return env_value("DATABASE_URL", DEFAULT_DATABASE_URL) or DEFAULT_DATABASE_URL


def message_text_storage() -> str:
    """`MESSAGE_TEXT_STORAGE`: `none` (no message text stored) or `redacted`."""
    mode = env_value("MESSAGE_TEXT_STORAGE", DEFAULT_MESSAGE_TEXT_STORAGE)
    if mode not in MESSAGE_TEXT_STORAGE_MODES:
        raise ValueError(f"MESSAGE_TEXT_STORAGE must be one of {MESSAGE_TEXT_STORAGE_MODES}")
    return str(mode)


def retention_hours() -> float:
    """`CONVERSATION_RETENTION_HOURS`: how long conversations are kept."""
    value = float(env_value("CONVERSATION_RETENTION_HOURS", str(DEFAULT_RETENTION_HOURS)) or 0)
    if not 0 <= value <= 24 * 90:
        raise ValueError("CONVERSATION_RETENTION_HOURS must be from 0 to 2160")
    return value
