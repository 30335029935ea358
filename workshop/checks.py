"""The checks on submit, for a single message or every young person's turn of a conversation:

- a real disclosure (workshop.disclosure): kept, never trained on, a moderator alerted;
- personal details (workshop.personal): blocked with a hint, nothing kept;
- overlap with a held-out test set, exact, normalised or near (workshop.corpus): refused,
  without ever saying which test sentence, nothing kept;
- near-duplicates of the training data: flagged, and the example kept;
- what the live bot makes of it (workshop.reading): after everything else passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workshop import corpus
from workshop.disclosure import read_as_disclosure
from workshop.personal import PersonalDetail, personal_details
from workshop.reading import GETS_IT, GETS_IT_WRONG, UNREACHABLE, ModelReading, reading_of

# Never more specific than this: which test sentence it was stays unknown.
TOO_CLOSE = (
    "This is too close to one of our test sentences, so the bot can't learn from it. Please "
    "write it your own way."
)


@dataclass(frozen=True)
class Turn:
    """One young person's words and what they are meant as (the intent)."""

    text: str
    intent: str


@dataclass(frozen=True)
class NearDuplicate:
    """A turn that is (nearly) an example the bot is already trained on."""

    turn: int
    example: str
    intent: str | None
    score: float


@dataclass
class CheckReport:
    """Everything the checks found, by turn (0 for a single message)."""

    disclosure_risk: str | None = None
    disclosure: bool = False
    personal: dict[int, list[PersonalDetail]] = field(default_factory=dict)
    too_close: list[int] = field(default_factory=list)
    near_duplicates: list[NearDuplicate] = field(default_factory=list)
    readings: dict[int, ModelReading] = field(default_factory=dict)

    @property
    def refused(self) -> bool:
        """Whether nothing may be kept (a disclosure is always kept, for the moderator)."""
        return not self.disclosure and bool(self.personal or self.too_close)

    @property
    def reading(self) -> str:
        """The bot's reading of the whole submission: gets it, gets it wrong, or unreachable."""
        outcomes = {r.outcome for r in self.readings.values()}
        if not outcomes or UNREACHABLE in outcomes:
            return UNREACHABLE
        return GETS_IT_WRONG if GETS_IT_WRONG in outcomes else GETS_IT


@dataclass(frozen=True)
class BotAddress:
    """Where the live bot answers /model/parse, and how long to wait for it."""

    url: str
    timeout: float
    token: str | None = None


def too_close_to_a_test(text: str) -> bool:
    """Whether `text` overlaps a held-out test sentence (exactly, once normalised, or nearly).
    The very same words already in the training data leak nothing new, and pass."""
    norm = corpus.normalise(text)
    if not norm or norm in corpus.training().exact:
        return False
    return corpus.held_out().closest(norm) is not None


def near_duplicate(turn: int, text: str) -> NearDuplicate | None:
    """The training example `text` nearly repeats, if any."""
    data = corpus.training()
    found = data.closest(corpus.normalise(text))
    if found is None:
        return None
    index, score = found
    return NearDuplicate(turn, data.texts[index], data.intents[index], round(score, 1))


def check(turns: list[Turn], *, for_risk_prompt: bool, bot: BotAddress | None) -> CheckReport:
    """Run every check on `turns`; the bot is asked only when the submission will be kept as
    an example (not refused, not a disclosure), and not at all when `bot` is None."""
    report = CheckReport()
    for index, turn in enumerate(turns):
        disclosure = read_as_disclosure(turn.text, for_risk_prompt=for_risk_prompt)
        if disclosure.disclosure and not report.disclosure:
            report.disclosure, report.disclosure_risk = True, disclosure.risk
        details = personal_details(turn.text)
        if details:
            report.personal[index] = details
        if too_close_to_a_test(turn.text):
            report.too_close.append(index)
        duplicate = near_duplicate(index, turn.text)
        if duplicate is not None:
            report.near_duplicates.append(duplicate)
    if report.refused or report.disclosure or bot is None:
        return report
    for index, turn in enumerate(turns):
        reading = reading_of(turn.text, turn.intent, bot.url, timeout=bot.timeout, token=bot.token)
        report.readings[index] = reading
        if reading.outcome == UNREACHABLE:
            break  # one wait is enough to know
    return report
