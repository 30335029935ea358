"""The crosswalk and the bot-ready page at scale: a synthetic council feed (ORUK v1) of 10,000
services tagged with 200 service-list terms and no needs, imported; then the crosswalk's page,
applying 50 mappings to every service (and again: nothing to do), and the bot-ready page for a
council admin (page 1, a deep page, only not ready) and for an organisation. Figures, not
pass/fail; SQLite, and PostgreSQL when reachable (`BENCH_POSTGRES_URL`)."""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch_postgres import scratch_postgres  # noqa: E402
from services_directory.crosswalk import apply_crosswalk  # noqa: E402
from services_directory.crosswalk_mapping import TermKey, set_mapping  # noqa: E402
from services_directory.crosswalk_terms import feed_terms, offered_needs  # noqa: E402
from services_directory.curated import load_curated  # noqa: E402
from services_directory.db import make_engine, make_session_factory, migrate  # noqa: E402
from services_directory.io import import_document  # noqa: E402
from services_directory.models import Organization  # noqa: E402
from staff.bot_ready import BotReadyFilters, bot_ready_page  # noqa: E402
from staff.policy import Actor, Role  # noqa: E402

VOCABULARY = "esdServiceTypes"
WORDS = ["advice", "support", "group", "club", "drop-in", "service", "team", "hub", "line"]
TOPICS = [
    "youth",
    "food bank",
    "bereavement",
    "sexual health",
    "housing advice",
    "drug and alcohol",
    "befriending",
    "counselling",
    "library",
    "parenting",
]


def feed(count: int, seed: int = 5) -> dict[str, Any]:
    """An ORUK v1 page of `count` services of 20 organisations and 200 terms, without needs."""
    rng = random.Random(seed)
    terms = [(str(n), f"{rng.choice(TOPICS).title()} {rng.choice(WORDS)} {n}") for n in range(200)]
    services = []
    for n in range(count):
        topic = rng.choice(TOPICS)
        code, name = rng.choice(terms)
        services.append(
            {
                "id": f"bench-{n}",
                "name": f"{topic.title()} {rng.choice(WORDS)} {n}",
                "description": f"A {topic} {rng.choice(WORDS)} for young people aged 11 to 19. "
                "Come along, no referral needed.",
                "status": "active",
                "email": f"s{n}@example.org" if n % 3 else "",
                "organization": {"id": f"bench-org-{n % 20}", "name": f"Organisation {n % 20}"},
                "eligibilitys": [{"id": f"e-{n}", "eligibility": "Young people aged 11 to 19"}],
                "service_areas": [
                    {
                        "id": f"sa-{n}",
                        "service_area": rng.choice(["Northgate", "Riverside", "Borough-wide"]),
                    }
                ],
                "service_taxonomys": [
                    {
                        "id": f"st-{n}",
                        "taxonomy": {"id": code, "name": name, "vocabulary": VOCABULARY},
                    }
                ],
            }
        )
    return {"totalElements": count, "totalPages": 1, "content": services}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _timed(label: str, call: Callable[[], Any], runs: int) -> Any:
    timings, result = [], None
    for _ in range(runs + 1):
        started = time.perf_counter()
        result = call()
        timings.append((time.perf_counter() - started) * 1000)
    after = timings[1:]
    print(
        f"    {label:<44} p50 {_percentile(after, 0.5):7.1f} ms   p95 "
        f"{_percentile(after, 0.95):7.1f} ms   (n={runs}; first {timings[0]:.1f} ms)"
    )
    return result


def run(label: str, url: str, document: dict[str, Any], runs: int) -> None:
    engine = make_engine(url)
    migrate(engine)
    sessions = make_session_factory(engine)
    started = time.perf_counter()
    with sessions() as session, session.begin():
        load_curated(session)
        import_document(session, document, source="bench feed")
    took = time.perf_counter() - started
    print(f"  {label}: curated data + {len(document['content'])} services imported  {took:6.1f} s")
    with sessions() as session:
        terms = _timed("crosswalk page's terms (200)", lambda: feed_terms(session), runs=5)
        needs = sorted(offered_needs(session))
    rng = random.Random(3)
    with sessions() as session, session.begin():
        for term in terms[:50]:
            set_mapping(session, term.key, term.name, rng.sample(needs, 2), set_by="bench")
        started = time.perf_counter()
        report = apply_crosswalk(session)
        took = time.perf_counter() - started
        print(f"    apply 50 mappings to every service: {report.summary()}   {took:6.2f} s")
        started = time.perf_counter()
        again = apply_crosswalk(session)
        print(f"    apply again: {again.summary()}   {time.perf_counter() - started:6.2f} s")
        set_mapping(
            session,
            TermKey(terms[0].key.vocabulary, terms[0].key.code),
            terms[0].name,
            [],
            set_by="bench",
        )
        started = time.perf_counter()
        report = apply_crosswalk(session)
        print(
            f"    one mapping emptied: {report.summary()}   {time.perf_counter() - started:6.2f} s"
        )
    admin = Actor("bench-admin", Role.COUNCIL_ADMIN, None)
    with sessions() as session:
        org = session.scalar(select(Organization.id).where(Organization.name == "Organisation 7"))
    manager = Actor("bench-manager", Role.ORGANISATION_MANAGER, org)
    for name, actor, filters in (
        ("bot-ready page 1, council admin", admin, BotReadyFilters()),
        ("bot-ready page 200, council admin", admin, BotReadyFilters(page=200)),
        ("bot-ready only not ready, council admin", admin, BotReadyFilters(not_ready_only=True)),
        ("bot-ready page 1, one organisation", manager, BotReadyFilters()),
    ):
        with sessions() as session:
            page = _timed(name, lambda a=actor, f=filters: bot_ready_page(session, a, f), runs)
        print(f"      ({page.total} services listed)")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    document = feed(args.services)
    print(f"Crosswalk and bot-ready page ({args.services} imported services)")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{Path(tmp) / 'crosswalk.db'}", document, args.runs)
    with scratch_postgres("crosswalk_bench") as url:
        if url is not None:
            run("PostgreSQL", url, document, args.runs)


if __name__ == "__main__":
    main()
