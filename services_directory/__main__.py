"""Command line of the services directory.

    python -m services_directory migrate [--database-url URL]
    python -m services_directory load-curated [--database-url URL] [--data-dir DIR]
    python -m services_directory import FILE_OR_FOLDER [--skip-invalid] [--feed NAME]
    python -m services_directory stage FILE_OR_FOLDER [--feed NAME]   (then publish/discard BATCH)
    python -m services_directory export DIR --format json|csv [--database-url URL]
    python -m services_directory search [--need N] [--text T] [--age A] ... (prints JSON)

The database URL defaults to DATABASE_URL (the environment, then .env), else the SQLite file
var/directory.db of the repository.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from services_directory import import_cli
from services_directory.db import default_database_url, make_engine, make_session_factory, migrate
from services_directory.errors import DirectoryError, InvalidRecord

MAX_ERRORS_SHOWN = 50


class Progress:
    """Prints progress of long steps to stderr (at most every half second)."""

    def __init__(self) -> None:
        self.last = 0.0
        self.started = time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if total < 1000 or (done < total and now - self.last < 0.5):
            return
        self.last = now
        percent = 100 * done // total if total else 100
        print(f"  {stage}: {done}/{total} ({percent}%)", file=sys.stderr, flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m services_directory",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=help_text)
        cmd.add_argument(
            "--database-url",
            default=None,
            help="database URL (default: DATABASE_URL from the environment or .env, else "
            "the repository's var/directory.db)",
        )
        return cmd

    m = add("migrate", "upgrade the database schema (Alembic) to the latest revision")
    m.add_argument("--revision", default="head")
    c = add("load-curated", "load the curated services and need taxonomy (idempotent)")
    c.add_argument("--data-dir", default=None, help="folder of the curated YAML files")
    i = add("import", "import HSDS 3.0 / ORUK 3.0 JSON, a CSV data package folder or ORUK v1 JSON")
    i.add_argument("file", type=Path)
    import_cli.add_import_options(i)
    import_cli.add_commands(add)
    e = add("export", "export the directory as HSDS 3.0 JSON or the CSV data package")
    e.add_argument("dir", type=Path)
    e.add_argument("--format", choices=("json", "csv"), default="json")
    s = add("search", "search the directory and print the results as JSON")
    s.add_argument("--need")
    s.add_argument("--text")
    s.add_argument("--age", type=int)
    s.add_argument("--locality")
    s.add_argument("--postcode")
    s.add_argument("--contact-mode", action="append", dest="contact_modes")
    s.add_argument("--open-now", action="store_true")
    s.add_argument("--language")
    s.add_argument("--free-only", action="store_true")
    s.add_argument("--limit", type=int, default=3)
    s.add_argument("--offset", type=int, default=0)
    s.add_argument(
        "--now",
        type=dt.datetime.fromisoformat,
        default=None,
        help="ISO date-time to search at (Europe/London when naive)",
    )
    return parser


def _print_invalid(exc: InvalidRecord) -> None:
    print(
        f"rejected: {exc.source or 'input'} has {len(exc.errors)} error(s); nothing was written",
        file=sys.stderr,
    )
    for error in exc.errors[:MAX_ERRORS_SHOWN]:
        print(f"  {error}", file=sys.stderr)
    if len(exc.errors) > MAX_ERRORS_SHOWN:
        print(f"  ... and {len(exc.errors) - MAX_ERRORS_SHOWN} more", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    args = _parser().parse_args(argv)
    url = args.database_url or default_database_url()
    if args.command == "migrate":
        migrate(url, args.revision)
        print(f"database at {args.revision}: {make_engine(url).url.render_as_string()}")
        return 0
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    try:
        with sessions() as session:
            if args.command == "load-curated":
                from services_directory.curated import load_curated

                with session.begin():
                    report = load_curated(session, args.data_dir, progress=Progress())
                print(report.summary())
                for warning in report.warnings:
                    print(f"  warning: {warning}", file=sys.stderr)
            elif args.command == "import" and (args.skip_invalid or args.feed):
                return import_cli.run_import(args, session, Progress())
            elif args.command in import_cli.COMMANDS:
                return import_cli.run(args, session, Progress())
            elif args.command == "import":
                from services_directory.io import import_file

                started = time.monotonic()
                with session.begin():
                    result = import_file(session, args.file, progress=Progress())
                print(f"{result.summary()} in {time.monotonic() - started:.1f}s")
                for line in result.not_mapped:
                    print(f"  {line}")
                for line in result.cleaned[:MAX_ERRORS_SHOWN]:
                    print(f"  cleaned: {line}")
                for warning in result.warnings[:MAX_ERRORS_SHOWN]:
                    print(f"  warning: {warning}", file=sys.stderr)
                if len(result.warnings) > MAX_ERRORS_SHOWN:
                    print(
                        f"  ... and {len(result.warnings) - MAX_ERRORS_SHOWN} more warnings",
                        file=sys.stderr,
                    )
            elif args.command == "export":
                from services_directory.io import export_csv, export_json

                exporter = export_json if args.format == "json" else export_csv
                written = exporter(session, args.dir)
                print(f"wrote {len(written)} file(s) to {args.dir}")
            elif args.command == "search":
                from services_directory.search import search

                results = search(
                    session,
                    need=args.need,
                    text=args.text,
                    age=args.age,
                    locality=args.locality,
                    postcode=args.postcode,
                    contact_modes=args.contact_modes,
                    open_now=args.open_now,
                    language=args.language,
                    free_only=args.free_only,
                    limit=args.limit,
                    offset=args.offset,
                    now=args.now,
                )
                print(
                    json.dumps(
                        [r.to_message_dict() | {"score": r.score} for r in results],
                        indent=2,
                        ensure_ascii=False,
                    )
                )
    except InvalidRecord as exc:
        _print_invalid(exc)
        return 1
    except DirectoryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
