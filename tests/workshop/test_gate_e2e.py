"""The gate with real small models (tests/workshop/fast_config.yml): a candidate trained on
deliberately mislabelled crisis examples is blocked by the gate, and one trained on the same data
as the live model passes the checks it ran (without being complete: it cannot be released)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from settings.app import ROOT, Settings
from staff.policy import Role
from tests.services_directory.dbtest import migrated_engine, rolled_back_session
from tests.workshop.release_helpers import (
    FAST_CONFIG,
    NOW,
    mislabelled_crisis_examples,
    person,
    train_fast,
)
from workshop import candidates
from workshop.gate import GateContext, gate_passed, run_gate
from workshop.gate_checks import SafetySets, StoryTests, Validation, YouthVoice
from workshop.release_models import BLOCKED
from workshop.training_items import Example, TrainingItems
from workshop.worker import run_candidate

pytestmark = pytest.mark.e2e
SAFETY_SETS = [ROOT / "tests" / "safety" / "cases.yml"]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = migrated_engine("sqlite", tmp_path_factory.mktemp("wr-gate"))
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with rolled_back_session(engine) as (session, _factory):
        yield session


@pytest.fixture(scope="session")
def small_live_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The "live" model of these tests: the repository's data with the fast configuration."""
    return train_fast(tmp_path_factory.getbasetemp() / "workshop-models" / "live", [])


def test_mislabelled_crisis_examples_are_blocked_by_the_gate(
    db: Session, small_live_model: Path, tmp_path: Path
) -> None:
    manager = person(db, Role.RELEASE_MANAGER)
    examples = mislabelled_crisis_examples()
    items = TrainingItems([f"i{n}" for n in range(len(examples))], examples, ["Sky"])
    candidate = candidates.start_candidate(db, manager, "Mislabelled", str(FAST_CONFIG), NOW, items)
    db.commit()
    holder = f"{socket.gethostname()}:1"
    claimed = candidates.claim_next(db, holder, NOW, NOW)
    assert claimed is not None and claimed.id == candidate.id
    settings = Settings(
        environment="test", staff_secret_key="test-only", workshop_dir=tmp_path,
        workshop_poll_seconds=1,
    )  # fmt: skip
    run_candidate(
        db, claimed, settings, holder, checks=[Validation(), SafetySets()],
        live_model=small_live_model, safety_sets=SAFETY_SETS,
    )  # fmt: skip
    db.refresh(candidate)
    assert candidate.status == BLOCKED, candidate.gate_report
    report = candidate.gate_report
    assert report is not None and not gate_passed(report)
    results = {check["key"]: check for check in report["checks"]}
    # The validation sees it too: "kms" of the safety set is also a suicidal_thoughts example.
    assert not results["validation"]["passed"]
    assert any("multiple different intents" in line for line in results["validation"]["lines"])
    safety = results["safety"]
    assert not safety["passed"]
    # Crisis messages the screen leaves to the model are now read as low mood: fewer recognised
    # than live by what a young person meets, which blocks; the model's own reading is shown.
    assert any(
        line.startswith("NOT SAFER: cases, with the safety screen") for line in safety["lines"]
    )
    assert any(
        line.startswith("For information, worse: cases, the model alone")
        for line in safety["lines"]
    )
    assert candidate.model_path and Path(candidate.model_path).exists()
    assert "trained" in candidate.log_tail.lower()  # the log's tail was shown as it went


def test_the_same_data_passes_the_checks_but_is_not_the_whole_gate(
    small_live_model: Path, tmp_path: Path
) -> None:
    voice = [Example("low_mood", "been feeling proper flat all week")]
    context = GateContext(
        candidate_model=small_live_model, live_model=small_live_model,
        data_dir=ROOT / "bot" / "data", config=FAST_CONFIG, workdir=tmp_path,
        youth_voice=voice, safety_sets=SAFETY_SETS,
    )  # fmt: skip
    report = run_gate(context, [StoryTests(), SafetySets(), YouthVoice()])
    assert report["passed"], report
    assert not report["complete"] and not gate_passed(report)
