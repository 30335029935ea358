"""`make db`: migrate the directory database, and load the curated data if it has no services."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services_directory.curated import load_curated  # noqa: E402
from services_directory.db import make_engine, make_session_factory, migrate  # noqa: E402
from services_directory.locality_edit import seed_localities  # noqa: E402
from services_directory.models import Service  # noqa: E402
from settings.app import get_settings  # noqa: E402


def main() -> None:
    """Migrate to the newest schema; load the curated directory into an empty database."""
    url = get_settings().database_url
    started = time.perf_counter()
    print("==> Migrating the directory database", flush=True)
    migrate(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session, session.begin():
            services = session.scalar(select(func.count()).select_from(Service))
            if services:
                print(f"==> Directory has {services} services: leaving them as they are")
            else:
                print("==> Loading the curated directory into the empty database", flush=True)
                report = load_curated(session)
                print(f"    {report.summary()}")
            # The sample borough's localities (or LOCALITIES_FILE's) until admins change them.
            seeded = seed_localities(session)
            if seeded:
                print(f"==> {seeded} localities from the localities file")
    finally:
        engine.dispose()
    print(f"==> Directory ready in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
