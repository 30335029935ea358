"""Browser fixtures: one chromium per test module, a fresh guarded context per page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from devkit.browser import AXE, CHROMIUM, Guard, launch, open_page

PageFactory = Callable[..., tuple[Page, Guard]]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One chromium for the whole module: the machine is small and shared."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install chromium (make test does)")
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[PageFactory]:
    """Opens pages in fresh contexts (own sessionStorage); closes them after the test."""
    contexts: list[BrowserContext] = []

    def make(width: int = 375, height: int = 740, **options: Any) -> tuple[Page, Guard]:
        context, page, guard = open_page(browser, width, height, **options)
        contexts.append(context)
        return page, guard

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def axe_script() -> str:
    """axe-core from npm (a devDependency), injected into test pages only."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci --no-audit --no-fund` at the repo root")
    return str(AXE)
