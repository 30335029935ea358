"""The command line of staged imports (`python -m services_directory ...`):

    import FILE --skip-invalid [--feed NAME]   import the valid records, list the invalid ones
    import FILE --feed NAME                    all or nothing, and withdraw what left the feed
    stage FILE [--feed NAME]                   stage a file and print its report
    publish BATCH                              publish a staged batch's valid records
    discard BATCH                              discard a staged batch
    batches                                    list the latest batches

Reports go to stdout; invalid records, by record and field, to stderr."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from services_directory.io.batches import discard_batch, recent_batches
from services_directory.io.staging import import_valid, publish_batch, stage_file
from services_directory.io.staging_report import StagingReport
from services_directory.models import utcnow

COMMANDS = ("stage", "publish", "discard", "batches")
SHOWN = 50
STAGED_BY = "command line"
Progress = Callable[[str, int, int], None]


def add_commands(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """Add the staged import commands to the parser (`add` makes one subcommand)."""
    stage = add("stage", "stage a file for import and print its report (nothing is published)")
    stage.add_argument("file", type=Path)
    stage.add_argument("--feed", default=None, help="the feed's name (default: the file's name)")
    publish = add("publish", "publish the valid records of a staged batch in one transaction")
    publish.add_argument("batch")
    discard = add("discard", "discard a staged batch")
    discard.add_argument("batch")
    add("batches", "list the latest staged batches")


def add_import_options(parser: argparse.ArgumentParser) -> None:
    """`--skip-invalid` and `--feed` of the import command."""
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the valid records in one transaction and list the invalid ones",
    )
    parser.add_argument(
        "--feed",
        default=None,
        help="the feed this file is: its services that are no longer listed are withdrawn",
    )


def _print_invalid(report: StagingReport) -> None:
    lines = StagingReport(invalid=report.invalid).lines(SHOWN)[1:]
    for line in lines:
        print(line, file=sys.stderr)


def run_import(args: argparse.Namespace, session: Session, progress: Progress) -> int:
    """`import FILE --skip-invalid` / `--feed NAME`; returns the exit status."""
    started = time.monotonic()
    with session.begin():
        staged, written = import_valid(
            session,
            args.file,
            feed_name=args.feed,
            refuse_invalid=not args.skip_invalid,
            progress=progress,
        )
    counts = staged.counts()
    if written is None:
        print(
            f"rejected: {args.file} has {counts['invalid_records']} invalid record(s); nothing "
            "was written (--skip-invalid imports the valid ones)",
            file=sys.stderr,
        )
        _print_invalid(staged)
        return 1
    valid = sum(sum(t.values()) for t in staged.tables.values())
    print(
        f"{args.file} ({staged.format}): {valid} valid records imported ({written.summary()}); "
        f"{counts['invalid_records']} invalid left out; {counts['withdrawn']} services withdrawn "
        f"in {time.monotonic() - started:.1f}s"
    )
    rest = StagingReport(
        withdrawn=staged.withdrawn, needs_person=staged.needs_person, cleaned=staged.cleaned
    )
    for line in rest.lines(SHOWN)[1:]:
        print(line)
    for line in staged.not_mapped:
        print(f"  {line}")
    if staged.invalid:
        _print_invalid(staged)
    # Something was imported: valid records, and a valid service when the file lists services.
    imported = valid and (
        counts["services"] == 0 or counts["services"] > counts["invalid_services"]
    )
    return 0 if imported else 1


def run(args: argparse.Namespace, session: Session, progress: Progress) -> int:
    """One of COMMANDS; returns the exit status."""
    if args.command == "stage":
        with session.begin():
            batch = stage_file(
                session,
                args.file,
                feed_name=args.feed or args.file.name,
                staged_by=STAGED_BY,
                now=utcnow(),
                progress=progress,
            )
        report = StagingReport.from_dict(batch.report)
        print(f"batch {batch.id}: {batch.status}")
        if report.problem:
            print(f"  {report.problem}", file=sys.stderr)
            return 1
        for line in report.lines(SHOWN):
            print(line)
        print(f"publish with: python -m services_directory publish {batch.id}")
        return 0
    if args.command == "publish":
        with session.begin():
            report = publish_batch(
                session, args.batch, published_by=STAGED_BY, now=utcnow(), progress=progress
            )
        figures = report.published
        print(
            f"batch {args.batch}: published: {figures['services_created']} services created, "
            f"{figures['services_updated']} updated, {figures['services_withdrawn']} withdrawn; "
            f"{report.counts()['invalid_records']} invalid record(s) left out"
        )
        return 0
    if args.command == "discard":
        with session.begin():
            discard_batch(session, args.batch, utcnow())
        print(f"batch {args.batch}: discarded")
        return 0
    for batch in recent_batches(session):
        counts = batch.counts or {}
        print(
            f"{batch.id}  {batch.staged_at:%Y-%m-%d %H:%M}  {batch.status:<10}  "
            f"{batch.source_name}  {counts.get('services', 0)} services, "
            f"{counts.get('invalid_services', 0)} invalid"
        )
    return 0
