"""axe on every page of an area (/staff/ or /workshop/): follow every link from its home page in
a signed-in browser, run axe on each page reached, and know which page routes were reached, so a
test can fail when a page is reached by nobody."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from fastapi.routing import APIRoute
from playwright.sync_api import Page

from api.main import create_app
from devkit.browser import axe_violations

# Links never followed: they end the session, or download a file.
NOT_FOLLOWED = re.compile(r"/sign-out|\.csv$|/export")
# At most this many pages of one route (the pages of one kind share their template).
PER_ROUTE = 3


def page_routes(prefix: str, not_browsed: re.Pattern[str]) -> list[APIRoute]:
    """Every GET route under `prefix` (routers included into routers are walked too), less
    those `not_browsed` matches."""

    def walk(routes: list[Any]) -> Iterator[Any]:
        for route in routes:
            inner = getattr(route, "original_router", None)
            yield from walk(inner.routes) if inner is not None else (route,)

    return [
        route
        for route in walk(create_app().routes)
        if isinstance(route, APIRoute)
        and route.path.startswith(prefix)
        and "GET" in (route.methods or set())
        and not not_browsed.match(route.path)
    ]


def route_of(routes: list[APIRoute], path: str) -> str | None:
    """The route template `path` belongs to, if any."""
    for route in routes:
        if route.path_regex.match(path):
            return route.path
    return None


def crawl(
    page: Page, base: str, start: str, routes: list[APIRoute]
) -> tuple[dict[str, list[str]], set[str]]:
    """From `start`, follow every link into `routes`; axe on each HTML page that answers 200.
    Returns the serious or critical violations by path, and the routes reached."""
    found: dict[str, list[str]] = {}
    seen: set[str] = set()
    per_route: dict[str, int] = {}
    queue = deque([start])
    host = urlsplit(base).netloc
    while queue:
        path = queue.popleft()
        route = route_of(routes, urlsplit(path).path)
        if path in seen or route is None or per_route.get(route, 0) >= PER_ROUTE:
            continue
        seen.add(path)
        response = page.goto(f"{base}{path}")
        assert response is not None
        if response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue  # a link this person may not follow, or a download
        per_route[route] = per_route.get(route, 0) + 1
        serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
        found[path] = [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in serious]
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            parts = urlsplit(href)
            if parts.netloc != host or NOT_FOLLOWED.search(parts.path):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if link not in seen:
                queue.append(link)
    reached = {r for p in found if (r := route_of(routes, urlsplit(p).path))}
    return found, reached
