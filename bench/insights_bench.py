"""The insights page (/staff/insights) over a year of a borough's counters: 52 weeks x every need
x five age bands x every locality (and online, outside the borough, not said), where no local
service fitted, and feedback on 300 services. The page is fetched over HTTP from the app under
uvicorn, signed in as a read-only account, on SQLite and (when reachable) PostgreSQL. Target: p95
at most 300 ms. Figures, not pass/fail.

    python bench/insights_bench.py [--requests 60]

PostgreSQL: BENCH_POSTGRES_URL (an admin URL; default postgresql+psycopg://postgres@127.0.0.1:5432/
postgres). A throw-away database `insights_bench` is created there and dropped afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import func, insert, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch_postgres import scratch_postgres  # noqa: E402
from devkit.stack import free_port  # noqa: E402
from services_directory.accounts import StaffUser  # noqa: E402
from services_directory.curated import load_curated  # noqa: E402
from services_directory.db import make_engine, make_session_factory, migrate  # noqa: E402
from services_directory.feedback import REASONS  # noqa: E402
from services_directory.insights import (  # noqa: E402
    AGE_BANDS,
    HELPED_NO,
    HELPED_YES,
    NO_LOCAL_FIT,
    OFFERED,
    ONLINE,
    OUTSIDE,
    REPORT_PREFIX,
    UNKNOWN,
    InsightCounter,
    week_start,
)
from services_directory.localities import load_localities  # noqa: E402
from services_directory.models import Organization, Service  # noqa: E402
from services_directory.search import needs  # noqa: E402
from staff.passwords import hash_password  # noqa: E402

PASSWORD = "bench password, not a secret"  # noqa: S105 - a throw-away account
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SERVICES = 300
TARGET_MS = 300


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def seed(url: str, rng: random.Random) -> int:
    """The curated directory, 300 more services, a read-only account, and a year of counters;
    returns how many counter rows there are."""
    migrate(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    try:
        with sessions() as session, session.begin():
            load_curated(session)
            organisation = Organization(id=str(uuid.uuid4()), name="Bench youth services")
            session.add(organisation)
            session.flush()
            ids = [str(uuid.uuid4()) for _ in range(SERVICES)]
            session.execute(
                insert(Service),
                [
                    {"id": sid, "organization_id": organisation.id, "name": f"Bench {i:03d}"}
                    | {"status": "active", "description": "A synthetic service."}
                    for i, sid in enumerate(ids)
                ],
            )
            session.add(
                StaffUser(
                    id=str(uuid.uuid4()),
                    email="reader@bench.example",
                    display_name="Bench reader",
                    role="read_only",
                    password_hash=hash_password(PASSWORD),
                    active=True,
                )
            )
            need_codes = sorted(code for code, tier in needs(session).items() if tier == "need")
            borough = list(load_localities(session=session))
            rows = list(_counters(rng, need_codes, borough, ids))
            for start in range(0, len(rows), 5000):
                session.execute(insert(InsightCounter), rows[start : start + 5000])
        # A year of use has had the statistics gathered (PostgreSQL's autovacuum; SQLite's
        # ANALYZE), which a bulk load straight before measuring has not.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            verb = "ANALYZE" if engine.dialect.name == "sqlite" else "VACUUM ANALYZE"
            connection.execute(text(f"{verb} x_insight_counter"))
        with sessions() as session:
            return int(session.scalar(select(func.count()).select_from(InsightCounter)) or 0)
    finally:
        engine.dispose()


def _counters(
    rng: random.Random, need_codes: list[str], borough: list[str], service_ids: list[str]
) -> Iterator[dict]:
    this_week = week_start()
    places = [*borough, ONLINE, OUTSIDE, UNKNOWN]
    for weeks_ago in range(52):
        week = this_week - dt.timedelta(weeks=weeks_ago)
        for need in need_codes:
            for band in AGE_BANDS:
                for place in places:
                    offered = int(rng.expovariate(1 / 6))
                    if offered:
                        yield _row(week, OFFERED, offered, need, band, place)
                    gap = int(rng.expovariate(1 / 2)) if place in borough else 0
                    if gap:
                        yield _row(week, NO_LOCAL_FIT, gap, need, band, place)
        for sid in service_ids:
            for metric, mean in ((HELPED_YES, 3), (HELPED_NO, 1)):
                count = int(rng.expovariate(1 / mean))
                if count:
                    yield _row(week, metric, count, service_id=sid)
            if rng.random() < 0.1:
                yield _row(week, REPORT_PREFIX + rng.choice(REASONS), 1, service_id=sid)


def _row(week, metric, count, need="", band="", place="", service_id="") -> dict:
    return {
        "week_start": week,
        "metric": metric,
        "need": need,
        "age_band": band,
        "locality": place,
        "service_id": service_id,
        "count": count,
    }


@contextmanager
def serving(url: str, folder: Path) -> Iterator[str]:
    """The API under uvicorn, as its own process, on `url`'s database (development settings:
    the staff cookies then work over http://127.0.0.1)."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ENVIRONMENT": "development",
        "DATABASE_URL": url,
        "MAIL_OUTBOX_DIR": str(folder / "outbox"),
        "LOG_LEVEL": "WARNING",
    }
    command = [str(ROOT / ".venv" / "bin" / "uvicorn"), "--factory", "api.main:create_app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    with (folder / "api.log").open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/staff/sign-in", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the API did not start: " + (folder / "api.log").read_text())
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def fetch(base: str, requests: int) -> tuple[float, list[float], int, float, int]:
    """Sign in as the read-only account, then time the page `requests` times and the CSV
    export once: (first ms, the timings, page bytes, export ms, export bytes)."""
    with httpx.Client(base_url=base, timeout=60, follow_redirects=False) as client:
        page = client.get("/staff/sign-in")
        token = CSRF.search(page.text)
        assert token, "the sign-in page has no CSRF token"
        signed = client.post(
            "/staff/sign-in",
            data={
                "csrf_token": token.group(1),
                "email": "reader@bench.example",
                "password": PASSWORD,
            },
        )
        assert signed.status_code == 303, signed.text[:300]
        started = time.perf_counter()
        reply = client.get("/staff/insights")
        first_ms = (time.perf_counter() - started) * 1000
        assert reply.status_code == 200, reply.text[:300]
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            reply = client.get("/staff/insights")
            timings.append((time.perf_counter() - started) * 1000)
            reply.raise_for_status()
        started = time.perf_counter()
        export = client.post(
            "/staff/insights/export", data={"csrf_token": CSRF.findall(reply.text)[-1]}
        )
        export_ms = (time.perf_counter() - started) * 1000
        export.raise_for_status()
    return first_ms, timings, len(reply.content), export_ms, len(export.content)


def measure(label: str, url: str, requests: int) -> None:
    """Seed a year of counters at `url`, serve the app on it, and print the page's figures."""
    started = time.perf_counter()
    rows = seed(url, random.Random(2026))
    seconds = time.perf_counter() - started
    print(f"  {label}: {rows:,} counter rows (a year) seeded in {seconds:.0f} s")
    with tempfile.TemporaryDirectory() as tmp, serving(url, Path(tmp)) as base:
        first_ms, timings, size, export_ms, export_size = fetch(base, requests)
    p95 = percentile(timings, 0.95)
    verdict = "within" if p95 <= TARGET_MS else "OVER"
    print(
        f"  {label}: /staff/insights (52 weeks)  p50 {percentile(timings, 0.5):6.1f} ms   "
        f"p95 {p95:6.1f} ms   max {max(timings):6.1f} ms   mean {statistics.fmean(timings):6.1f} ms"
        f"   (n={requests}; first {first_ms:.0f} ms; {size / 1024:.0f} KB)"
        f"   {verdict} the {TARGET_MS} ms target"
    )
    print(f"  {label}: CSV export of the same year  {export_ms:6.1f} ms   ({export_size:,} bytes)")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  {label}: load average meanwhile {load} on {os.cpu_count()} CPUs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    print("Insights page (a year of aggregate counters)")
    with tempfile.TemporaryDirectory() as tmp:
        measure("SQLite", f"sqlite:///{Path(tmp) / 'insights.db'}", args.requests)
    with scratch_postgres("insights_bench") as url:
        if url is not None:
            measure("PostgreSQL", url, args.requests)


if __name__ == "__main__":
    main()
