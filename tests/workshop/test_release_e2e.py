"""Release and rollback against a real Rasa server running a small model: `PUT /model` swaps
the live model, the smoke check of crisis messages follows, a model that fails it is taken back
at once, and an earlier release comes back in one action."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from devkit.stack import free_port
from services_directory.accounts import StaffAuditEvent
from settings.app import ROOT
from staff.policy import Role
from tests.services_directory.dbtest import migrated_engine, rolled_back_session
from tests.workshop.release_helpers import FAST_CONFIG, NOW, person, train_fast
from workshop import releases
from workshop.release_models import (
    LIVE,
    PASSED,
    REPLACED,
    ROLLED_BACK,
    WorkshopCandidate,
)
from workshop.training import RASA, rasa_env

pytestmark = pytest.mark.e2e
TINY_DOMAIN = 'version: "3.1"\nintents: [greet, chat]\nresponses:\n  utter_hi:\n  - text: hi\n'
TINY_NLU = (
    'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hello\n    - hi there\n'
    "- intent: chat\n  examples: |\n    - i want to kill myself tonight\n    - cutting again\n"
)
NO_SCREEN = "recipe: default.v1\nlanguage: en\nassistant_id: tiny\npipeline:\n" + "".join(
    f"  - name: {name}\n"
    for name in ("WhitespaceTokenizer", "CountVectorsFeaturizer", "LogisticRegressionClassifier")
)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = migrated_engine("sqlite", tmp_path_factory.mktemp("wr-release"))
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with rolled_back_session(engine) as (session, _factory):
        yield session


@pytest.fixture(scope="module")
def small_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_fast(tmp_path_factory.getbasetemp() / "workshop-models" / "live", [])


@pytest.fixture(scope="module")
def unsafe_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model without the safety screen that reads crisis messages as chat: it must never
    stay live."""
    folder = tmp_path_factory.mktemp("unsafe")
    (folder / "domain.yml").write_text(TINY_DOMAIN)
    (folder / "nlu.yml").write_text(TINY_NLU)
    (folder / "config.yml").write_text(NO_SCREEN + "policies: []\n")
    subprocess.run(
        ["nice", "-n", "19", str(RASA), "train", "nlu", "--nlu", "nlu.yml", "--domain",
         "domain.yml", "--config", "config.yml", "--out", ".", "--fixed-model-name", "unsafe"],
        cwd=folder, env=rasa_env(), check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return folder / "unsafe.tar.gz"


@pytest.fixture(scope="module")
def live_rasa(small_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Rasa server with its HTTP API, on a free loopback port, running the small model."""
    folder = tmp_path_factory.mktemp("live-rasa")
    (folder / "endpoints.yml").write_text("")
    port = free_port()
    log = (folder / "rasa.log").open("wb")
    process = subprocess.Popen(
        [str(RASA), "run", "--enable-api", "--model", str(small_model), "--endpoints",
         str(folder / "endpoints.yml"), "--interface", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=rasa_env(), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            assert process.poll() is None, (folder / "rasa.log").read_text()[-2000:]
            try:
                if httpx.get(f"{url}/status", timeout=2).json().get("model_file"):
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _live_file(url: str) -> str:
    """The file name of the model the server runs (its /status gives no folder)."""
    return str(httpx.get(f"{url}/status", timeout=10).json()["model_file"])


def _signed_off(db: Session, model: Path, name: str) -> WorkshopCandidate:
    lead = person(db, Role.SAFETY_LEAD)
    candidate = WorkshopCandidate(
        id=str(uuid.uuid4()), name=name, status=PASSED, config_path=str(FAST_CONFIG),
        model_path=str(model), gate_report={"passed": True, "complete": True, "checks": []},
        gate_complete=True, training_items={"examples": [{"intent": "low_mood", "text": "meh"}]},
        writers=["Sky", "Rio"], withdrawn_writers=["Ash"], signed_off_by_id=lead.id,
        signed_off_at=NOW, created_at=NOW,
    )  # fmt: skip
    db.add(candidate)
    db.flush()
    return candidate


def test_promote_smoke_check_automatic_rollback_and_rollback(
    db: Session, live_rasa: str, small_model: Path, unsafe_model: Path, tmp_path: Path
) -> None:
    manager = person(db, Role.RELEASE_MANAGER)
    rasa = releases.LiveRasa(live_rasa, None)
    candidate_model = tmp_path / "candidate.tar.gz"
    candidate_model.write_bytes(small_model.read_bytes())

    good = releases.request_release(db, manager, _signed_off(db, candidate_model, "Good"), NOW)
    db.commit()
    releases.carry_out(db, good, rasa, tmp_path, NOW, repository_model=small_model)
    assert good.status == LIVE, good.error
    assert all(result["ok"] for result in good.smoke_report or [])
    assert _live_file(live_rasa) == candidate_model.name
    assert releases.live_link(tmp_path).resolve() == candidate_model.resolve()
    assert "Thank you to Sky and Rio" in good.notes
    assert "Examples by 1 member who withdrew their consent" in good.notes
    assert "Ash" not in good.notes  # withdrawn: counted, never named

    # A model that reads crisis messages as chat fails the smoke check: the one before is back.
    unsafe = releases.request_release(db, manager, _signed_off(db, unsafe_model, "Bad"), NOW)
    db.commit()
    releases.carry_out(db, unsafe, rasa, tmp_path, NOW, small_model)
    assert unsafe.status == ROLLED_BACK
    assert not all(result["ok"] for result in unsafe.smoke_report or [])
    assert _live_file(live_rasa) == candidate_model.name
    assert releases.live_release(db) == good

    # One action back to the bot before the first release (the baseline).
    baseline = next(r for r in releases.history(db) if r.kind == "baseline")
    assert baseline.status == REPLACED
    back = releases.request_rollback(db, manager, baseline, NOW)
    db.commit()
    releases.carry_out(db, back, rasa, tmp_path, NOW, small_model)
    assert back.status == LIVE and good.status == REPLACED
    assert _live_file(live_rasa) == Path(baseline.model_path).name
    actions = set(
        db.scalars(
            select(StaffAuditEvent.action).where(
                StaffAuditEvent.record_id.in_([good.id, unsafe.id, back.id])
            )
        )
    )
    assert {
        "workshop.release.request",
        "workshop.release.live",
        "workshop.release.auto_rollback",
        "workshop.release.rollback_request",
    } <= actions
