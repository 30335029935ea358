"""Helpers of the candidate, gate and release tests: a migrated database per backend whose
writes are rolled back, people of the workshop's roles, and small real models trained with the
fast configuration (tests/workshop/fast_config.yml), cached for the whole run."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import uuid
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from services_directory.accounts import StaffUser
from settings.app import ROOT
from staff.policy import Role
from workshop.training import RASA, rasa_env, write_data
from workshop.training_items import Example

FAST_CONFIG = Path(__file__).resolve().parent / "fast_config.yml"
NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


def person(db: Session, role: Role, name: str | None = None) -> StaffUser:
    """An account of `role` (workshop names for young people, addresses for staff)."""
    label = name or uuid.uuid4().hex[:8]
    user = StaffUser(
        id=str(uuid.uuid4()),
        email=label if role in (Role.YOUTH_WRITER, Role.PEER_REVIEWER) else f"{label}@example.org",
        display_name=label.title(),
        role=role.value,
        active=True,
    )
    db.add(user)
    db.flush()
    return user


def dead_pid() -> int:
    """The id of a process that has ended (a worker killed mid-training)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def mislabelled_crisis_examples(count: int = 80) -> list[Example]:
    """Crisis messages of the project's safety set, deliberately labelled as low mood."""
    cases = yaml.safe_load((ROOT / "tests" / "safety" / "cases.yml").read_text(encoding="utf-8"))
    return [Example("low_mood", case["text"]) for case in cases["positives"][:count]]


def train_fast(folder: Path, examples: list[Example]) -> Path:
    """A real model of bot/data (+ `examples`) with the fast configuration, trained once per
    folder (the run's temporary folder keeps it for the other tests)."""
    model = folder / "model.tar.gz"
    if model.exists():
        return model
    folder.mkdir(parents=True, exist_ok=True)
    data = write_data(folder, examples)
    subprocess.run(
        ["nice", "-n", "19", str(RASA), "train", "--domain", str(ROOT / "bot" / "domain"),
         "--data", str(data), "--config", str(FAST_CONFIG), "--out", str(folder),
         "--fixed-model-name", "model", "--quiet"],
        cwd=ROOT, env=rasa_env(), check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return model
