"""Fixtures shared across the test packages: a curated directory database and the live stack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devkit.stack import Stack, build_curated_directory

# Rasa lives only in .venv-rasa: tests/bot/test_rasa_runtime.py runs that folder there.
collect_ignore = ["rasa_runtime"]


@pytest.fixture(scope="session")
def curated_directory_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A file database with the curated directory, shared by tests that only read it."""
    return build_curated_directory(tmp_path_factory.mktemp("directory") / "directory.db")


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, curated_directory_url: str) -> Iterator[Stack]:
    """Rasa server, action server and API as real processes on free ports."""
    live = Stack(workdir=tmp_path_factory.mktemp("stack"), database_url=curated_directory_url)
    try:
        live.start()
        yield live
    finally:
        live.stop_all()
