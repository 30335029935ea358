"""Staged import benchmark: a feed of 10,000 services (the directory benchmark's generator, with
HTML descriptions, non-breaking spaces in e-mails and a few invalid services mixed in) staged and
then published, on SQLite and, when a server answers, PostgreSQL; then staged and published again
(everything unchanged). Prints progress and the figures; the target is at most 60 s for staging
and publishing together.

    .venv/bin/python bench/import_bench.py [--services 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.directory_bench import generate  # noqa: E402
from bench.scratch_postgres import scratch_postgres  # noqa: E402
from services_directory.db import make_engine, make_session_factory, migrate  # noqa: E402
from services_directory.io.staging import publish_batch, stage_file  # noqa: E402

TARGET_SECONDS = 60.0
NBSP = "\u00a0"


class Progress:
    """Prints a step's progress at most every two seconds."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < 2:
            return
        self.last = now
        print(f"    {self.label}: {stage} {done}/{total}", flush=True)


def messy(document: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The generated feed made messy the way councils' feeds are."""
    for n, item in enumerate(document[1:]):
        item["description"] = f"<p>{item['description']}</p><ul><li>Free&nbsp;&amp; open</li></ul>"
        if n % 10 == 0:
            item["email"] = item["email"] + NBSP
        if n % 500 == 0:
            item.pop("organization")  # invalid: no organisation
    return document


def run(label: str, url: str, path: Path) -> None:
    engine = make_engine(url)
    migrate(engine)
    sessions = make_session_factory(engine)
    for round_ in ("first import", "same feed again"):
        now = dt.datetime.now(dt.UTC)
        started = time.perf_counter()
        with sessions() as session, session.begin():
            batch = stage_file(
                session,
                path,
                feed_name="bench",
                staged_by="bench",
                now=now,
                progress=Progress(f"{label} stage"),
            )
            counts = dict(batch.counts or {})
        staged = time.perf_counter() - started
        started = time.perf_counter()
        with sessions() as session, session.begin():
            report = publish_batch(
                session,
                batch.id,
                published_by="bench",
                now=now,
                progress=Progress(f"{label} publish"),
            )
        published = time.perf_counter() - started
        total = staged + published
        verdict = "within" if total <= TARGET_SECONDS else "OVER"
        print(
            f"  {label} ({round_}): {counts['services']} services, {counts['created']} new, "
            f"{counts['unchanged']} unchanged, {counts['invalid_services']} invalid, "
            f"{counts['cleaned']} fields cleaned; staged {staged:5.1f} s, published "
            f"{published:5.1f} s, total {total:5.1f} s ({verdict} {TARGET_SECONDS:.0f} s); "
            f"{report.published['created']} rows written",
            flush=True,
        )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=10_000)
    args = parser.parse_args()
    print(f"Staged import ({args.services} services, ORUK 3.0 JSON)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "feed.json"
        path.write_text(json.dumps(messy(generate(args.services))), encoding="utf-8")
        print(f"  generated {path.stat().st_size / 1e6:.1f} MB")
        run("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", path)
        with scratch_postgres("import_bench") as url:
            if url is not None:
                run("PostgreSQL", url, path)


if __name__ == "__main__":
    main()
