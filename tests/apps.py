"""The API in-process with Rasa and the action server genuinely unreachable (nothing listens)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from api.main import create_app
from devkit.stack import free_port
from settings.app import Settings


def client_without_rasa(database_url: str, **overrides: Any) -> TestClient:
    """A test client of the API whose Rasa and action server ports have nothing behind them."""
    dead = free_port()
    settings = Settings(
        environment="test",
        staff_secret_key="test-only-staff-key",
        database_url=database_url,
        rasa_url=f"http://127.0.0.1:{dead}",
        action_server_url=f"http://127.0.0.1:{dead}/webhook",
        **overrides,
    )
    return TestClient(create_app(settings))
