"""Run conversation scenarios through /api/chat and print what held and what broke.

    .venv/bin/python scripts/run_conversations.py tests/conversations/*.yml
    .venv/bin/python scripts/run_conversations.py --api http://127.0.0.1:8000 FILE ...

Without --api it starts the real processes (Rasa server, action server, API) on free ports with a
fresh curated directory, as the tests do. Prints one line per broken conversation and the totals.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devkit.conversations import (  # noqa: E402
    load_scenarios,
    needs_by_service,
    run_scenario,
    summarise,
)
from devkit.stack import Stack, build_curated_directory  # noqa: E402
from dialogue.intents import topic_payloads  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--api", help="an API already running (needs --database)")
    parser.add_argument("--database", help="the directory database URL of that API")
    parser.add_argument("--quiet", action="store_true", help="totals only")
    args = parser.parse_args()
    scenarios = load_scenarios(args.files)
    with tempfile.TemporaryDirectory() as tmp:
        stack = None
        if args.api:
            api_url, database_url = args.api, args.database
        else:
            database_url = build_curated_directory(Path(tmp) / "directory.db")
            stack = Stack(workdir=Path(tmp), database_url=database_url)
            stack.start()
            api_url = stack.api_url
        try:
            needs = needs_by_service(database_url)
            payloads = topic_payloads()
            with httpx.Client(timeout=30) as client:
                results = [
                    run_scenario(client, api_url, s, lambda i: needs.get(i, set()), payloads)
                    for s in scenarios
                ]
        finally:
            if stack:
                stack.stop_all()
    for result in results:
        if result.failures and not args.quiet:
            print(f"\n✗ {result.scenario.source}: {result.scenario.name}")
            for failure in result.failures:
                print(f"    {failure}")
    print(json.dumps(summarise(results), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
