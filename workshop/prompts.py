"""Writing prompts, one for each situation a young person could write for (workshop/data/
prompts.yml): what it means in plain words, a scenario to imagine, and who must review it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

PROMPTS_FILE = Path(__file__).with_name("data") / "prompts.yml"
# Examples for these tiers need a staff moderator's review; peers review the "need" tier.
RISK_TIERS = frozenset({"crisis", "safeguarding"})
TIERS = ("crisis", "safeguarding", "need")


@dataclass(frozen=True)
class Prompt:
    """One situation to write for."""

    intent: str
    tier: str
    title: str
    meaning: str
    scenario: str
    expects_risk_content: bool = False

    @property
    def needs_moderator(self) -> bool:
        """Whether its examples are reviewed by a staff moderator (crisis and safeguarding)."""
        return self.tier in RISK_TIERS

    @property
    def expects_risk(self) -> bool:
        """Whether its examples talk about risk by nature (crisis, safeguarding, someone else's
        risk), so that risk words alone never read as the writer's own disclosure."""
        return self.needs_moderator or self.expects_risk_content


@cache
def prompts() -> dict[str, Prompt]:
    """Every prompt by intent name, in the file's order (crisis and safeguarding first)."""
    data = yaml.safe_load(PROMPTS_FILE.read_text(encoding="utf-8"))
    found: dict[str, Prompt] = {}
    for intent, entry in (data.get("prompts") or {}).items():
        if entry["tier"] not in TIERS:
            raise ValueError(f"{PROMPTS_FILE.name}: {intent} has an unknown tier {entry['tier']}")
        found[str(intent)] = Prompt(
            intent=str(intent),
            tier=str(entry["tier"]),
            title=str(entry["title"]).strip(),
            meaning=str(entry["meaning"]).strip(),
            scenario=str(entry["scenario"]).strip(),
            expects_risk_content=bool(entry.get("expects_risk", False)),
        )
    return found


def prompt_for(intent: str) -> Prompt | None:
    """The prompt of `intent`, or None when it is not one a young person writes for."""
    return prompts().get(intent)
