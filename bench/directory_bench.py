"""Directory benchmark: a synthetic directory of 10,000 services, imported as HSDS 3.0 JSON, then
need + age + locality + free-text searches. Prints import time and search latency (p50/p95) for
SQLite and, when a server answers, PostgreSQL. Figures, not pass/fail.

    .venv/bin/python bench/directory_bench.py [--services 10000] [--queries 300]

PostgreSQL: BENCH_POSTGRES_URL (an admin URL; default postgresql+psycopg://postgres@127.0.0.1:5432/
postgres). A throw-away database `directory_bench` is created there and dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from bench.scratch_postgres import scratch_postgres  # noqa: E402
from bench.staff_bench import staff_changes  # noqa: E402
from services_directory.db import make_engine, make_session_factory, migrate  # noqa: E402
from services_directory.io import import_file  # noqa: E402
from services_directory.search import get_index, search  # noqa: E402
from staff.directory import NOT_READY, ServiceFilters, visible_services  # noqa: E402
from staff.policy import Actor, Role  # noqa: E402

NAMESPACE = uuid.UUID("5b0c7a2e-3f57-4f0e-9b0e-6f3c2a1d0b11")
NEEDS = {
    "feeling_lonely": ["lonely", "loneliness", "friends", "isolated", "befriending"],
    "bullying": ["bullying", "bullied", "cyberbullying", "rumours", "school"],
    "low_mood": ["depression", "low mood", "sad", "wellbeing", "counselling"],
    "anxiety_stress": ["anxiety", "stress", "panic", "exams", "worry"],
    "sleep_problems": ["sleep", "insomnia", "nightmares", "tired"],
    "eating_body_image": ["eating", "body image", "food", "disorder"],
    "family_problems": ["family", "parents", "arguments", "divorce", "carers"],
    "money_worries": ["money", "debt", "food bank", "benefits", "bursary"],
    "housing_problems": ["housing", "homeless", "tenancy", "overcrowding"],
    "grief_loss": ["bereavement", "grief", "loss", "death"],
    "drugs_alcohol": ["drugs", "alcohol", "vaping", "cannabis", "addiction"],
    "identity_lgbtq": ["lgbt", "gender", "sexuality", "coming out"],
    "suicidal_thoughts": ["suicide", "crisis", "helpline"],
    "abuse_disclosure": ["abuse", "safeguarding", "exploitation", "neglect"],
}
TIERS = {"suicidal_thoughts": "crisis", "abuse_disclosure": "safeguarding"}
# fmt: off
FILLER = [
    "support", "young", "people", "advice", "service", "group", "sessions", "trained", "staff",
    "local", "free", "confidential", "drop-in", "workshops", "activities", "mentoring", "online",
    "chat", "listening", "guidance", "referral", "team", "community", "centre", "weekly",
    "evening", "appointments", "families", "schools",
]
# fmt: on
DISTRICTS = ["E1 6AN", "E1W 2RG", "E2 7DG", "E9 5LN", "E14 3BA", "E3 4QR", "M1 1AE", "B1 1AA"]
QUERIES = [
    "lonley",
    "bullyed at school",
    "anxiaty exams",
    "councelling",
    "cant sleep",
    "no money for food",
    "kicked out homeless",
    "my nan died",
    "vaping",
    "coming out gay",
    "stressed",
    "parents arguing",
]
LOCALITIES = ["northgate", "riverside", "millfield", "eastwick"]


def sid(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(map(str, parts))))


def generate(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """A synthetic HSDS 3.0 document: the need taxonomy, then `count` services."""
    rng = random.Random(seed)
    taxonomy_id = sid("taxonomy")
    tier_terms = {t: sid("tier", t) for t in ("crisis", "safeguarding", "need")}
    terms = [
        {
            "id": tier_terms[t],
            "code": f"tier-{t}",
            "name": t.title(),
            "description": t,
            "taxonomy": "Bench needs",
        }
        for t in tier_terms
    ]
    for code in NEEDS:
        terms.append(
            {
                "id": sid("term", code),
                "code": code,
                "name": code.replace("_", " "),
                "description": code,
                "parent_id": tier_terms[TIERS.get(code, "need")],
                "taxonomy": "Bench needs",
            }
        )
    document: list[dict[str, Any]] = [
        {
            "id": taxonomy_id,
            "name": "Bench needs",
            "description": "Synthetic",
            "taxonomy_terms": terms,
        }
    ]
    for n in range(count):
        needs = rng.sample(sorted(NEEDS), rng.randint(1, 3))
        words = [w for need in needs for w in rng.sample(NEEDS[need], min(2, len(NEEDS[need])))]
        description = " ".join(rng.sample(FILLER, 12) + words) + "."
        low = rng.choice([None, 11, 13, 16])
        high = rng.choice([None, 18, 19, 25])
        service: dict[str, Any] = {
            "id": sid("service", n),
            "name": f"{words[0].title()} Service {n}",
            "status": "active",
            "description": description,
            "email": f"service{n}@example.org",
            "url": f"https://example.org/services/{n}",
            "organization": {
                "id": sid("org", n % 500),
                "name": f"Organisation {n % 500}",
                "description": "A synthetic organisation.",
            },
            "attributes": [
                {
                    "id": sid("attr", n, need),
                    "link_type": "need",
                    "link_entity": "service",
                    "value": str(rank + 1),
                    "taxonomy_term": {
                        "id": sid("term", need),
                        "name": need.replace("_", " "),
                        "description": need,
                    },
                }
                for rank, need in enumerate(needs)
            ],
            "phones": [
                {"id": sid("phone", n), "number": f"020 7946 {n % 1000:04d}", "type": "voice"}
            ],
            "schedules": [
                {
                    "id": sid("schedule", n),
                    "freq": "WEEKLY",
                    "byday": rng.choice(["MO,TU,WE,TH,FR", "SA,SU", "MO,WE,FR"]),
                    "opens_at": rng.choice(["09:00", "10:00", "16:00"]),
                    "closes_at": rng.choice(["17:00", "20:00", "22:00"]),
                }
            ],
            "languages": [{"id": sid("language", n), "name": "English", "code": "en"}],
        }
        if low is not None:
            service["minimum_age"] = low
        if high is not None:
            service["maximum_age"] = high
        if rng.random() < 0.7:  # local: an address in the borough (or elsewhere)
            service["service_at_locations"] = [
                {
                    "id": sid("sal", n),
                    "location": {
                        "id": sid("location", n),
                        "location_type": "physical",
                        "name": f"Centre {n}",
                        "addresses": [
                            {
                                "id": sid("address", n),
                                "address_1": f"{n} High St",
                                "city": "London",
                                "state_province": "London",
                                "postal_code": rng.choice(DISTRICTS),
                                "country": "GB",
                                "address_type": "physical",
                            }
                        ],
                    },
                }
            ]
        document.append(service)
    return document


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(label: str, url: str, path: Path, queries: int) -> None:
    engine = make_engine(url)
    migrate(engine)
    sessions = make_session_factory(engine)
    started = time.perf_counter()
    with sessions() as session, session.begin():
        report = import_file(session, path)
    imported = time.perf_counter() - started
    print(
        f"  {label}: import of {report.records['service']} services "
        f"({sum(report.records.values())} records)   {imported:7.1f} s"
    )
    rng = random.Random(11)
    with sessions() as session:
        started = time.perf_counter()
        index = get_index(session)
        print(
            f"  {label}: search index build ({len(index.entries)} services)    "
            f"{time.perf_counter() - started:7.2f} s"
        )
        timings: list[float] = []
        found = 0
        for _ in range(queries):
            kwargs = dict(
                need=rng.choice(sorted(NEEDS)),
                age=rng.randint(11, 25),
                locality=rng.choice(LOCALITIES),
                text=rng.choice(QUERIES),
                limit=5,
            )
            started = time.perf_counter()
            results = search(session, **kwargs)
            timings.append((time.perf_counter() - started) * 1000)
            found += bool(results)
    print(
        f"  {label}: need + age + locality + text search   p50 {percentile(timings, 0.5):6.1f} ms"
        f"   p95 {percentile(timings, 0.95):6.1f} ms   (n={queries}, mean "
        f"{statistics.fmean(timings):.1f} ms, {found} with results)"
    )
    staff_list(label, sessions)
    staff_changes(label, sessions)
    engine.dispose()


def staff_list(label: str, sessions: Any, runs: int = 20) -> None:
    """The back office's list of services for a council admin (every service): a page by name,
    a deep page, a name search, and the readiness filter (which checks every service). The first
    call of each is shown apart (the first in a process loads the readability data; the first
    readiness filter measures every text), then p50, p95 and max of `runs` calls after it."""
    admin = Actor("bench-admin", Role.COUNCIL_ADMIN, None)
    cases = {
        "page 1": ServiceFilters(),
        "page 200": ServiceFilters(page=200),
        "name search": ServiceFilters(search="service 12"),
        "readiness": ServiceFilters(readiness=NOT_READY),
    }
    for name, filters in cases.items():
        timings = []
        for _ in range(runs + 1):
            with sessions() as session:
                started = time.perf_counter()
                page = visible_services(session, admin, filters)
                timings.append((time.perf_counter() - started) * 1000)
        first, after = timings[0], timings[1:]
        print(
            f"  {label}: staff list of services, {name:<12}  p50 "
            f"{percentile(after, 0.5):6.1f} ms   p95 {percentile(after, 0.95):6.1f} ms   "
            f"max {max(after):6.1f} ms   (n={runs}; first call {first:6.1f} ms; "
            f"{page.total} matching)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    print(f"Directory ({args.services} synthetic services)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "services.json"
        path.write_text(json.dumps(generate(args.services)), encoding="utf-8")
        print(f"  generated {path.stat().st_size / 1e6:.1f} MB of HSDS 3.0 JSON")
        run("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", path, args.queries)
        with scratch_postgres("directory_bench") as url:
            if url is not None:
                run("PostgreSQL", url, path, args.queries)


if __name__ == "__main__":
    main()
