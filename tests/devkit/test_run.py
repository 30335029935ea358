"""`make run`'s supervisor: the Procfile is its list of processes, their output goes to log
files, and stopping ends every process (a process that ignores SIGINT is killed)."""

from __future__ import annotations

import time
from pathlib import Path

from devkit.run import PROCFILE, Supervisor, procfile, waiting_for


def test_the_procfile_lists_the_three_servers_and_the_scheduler() -> None:
    assert list(procfile(PROCFILE)) == ["rasa", "actions", "api", "scheduler", "workshop"]


def test_procfile_lines_are_name_and_command(tmp_path: Path) -> None:
    path = tmp_path / "Procfile"
    path.write_text("# comment\n\nweb: run --port ${PORT:-80}\nworker: work: hard\n")
    assert procfile(path) == {"web": "run --port ${PORT:-80}", "worker": "work: hard"}


def test_output_goes_to_the_logs_and_stop_ends_everything(tmp_path: Path) -> None:
    supervisor = Supervisor(
        {
            "polite": "echo started; sleep 60",
            "stubborn": "trap '' INT; echo stubborn; sleep 60",
        },
        tmp_path,
        stop_seconds=1,
    )
    supervisor.start()
    try:
        deadline = time.monotonic() + 10
        while "stubborn" not in (tmp_path / "stubborn.log").read_text() and (
            time.monotonic() < deadline
        ):
            time.sleep(0.05)
        assert supervisor.exited() is None
    finally:
        supervisor.stop()
    assert all(p.poll() is not None for p in supervisor.processes.values())
    assert (tmp_path / "polite.log").read_text().strip() == "started"


def test_a_process_that_stops_on_its_own_is_noticed(tmp_path: Path) -> None:
    supervisor = Supervisor({"quick": "echo bye; exit 3"}, tmp_path)
    supervisor.start()
    try:
        deadline = time.monotonic() + 10
        while supervisor.exited() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert supervisor.exited() == "quick"
        assert supervisor.tail("quick") == "bye"
    finally:
        supervisor.stop()


def test_waiting_for_names_the_parts_not_up_yet() -> None:
    assert waiting_for(None) == ["api"]
    status = {"status": "degraded", "components": {"rasa": "down", "actions": "ok"}}
    assert waiting_for(status) == ["rasa"]
