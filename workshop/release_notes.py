"""Release notes in plain words: "you said, we did", crediting the writers by their workshop
names, and saying how many members' examples left after a withdrawal of consent (without
naming them)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from services_directory.accounts import StaffUser
from workshop.release_models import WorkshopCandidate
from workshop.training_items import examples_from_snapshot


def _names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def notes_for(candidate: WorkshopCandidate, signer: StaffUser | None, now: dt.datetime) -> str:
    """The notes of a release of `candidate`."""
    examples = examples_from_snapshot(candidate.training_items or {})
    topics = Counter(e.intent.replace("_", " ") for e in examples)
    lines = [f"{candidate.name}, {now:%d %B %Y}", "", "You said, we did."]
    if examples:
        lines.append(
            f"You wrote {len(examples)} examples of how young people really talk, and the bot "
            "has learnt from them."
        )
        shown = ", ".join(f"{topic} ({count})" for topic, count in topics.most_common(8))
        lines.append(f"It now knows more ways of saying: {shown}.")
    else:
        lines.append("This version has no new examples from the youth council.")
    if candidate.writers:
        lines.append(f"Thank you to {_names(list(candidate.writers))}.")
    if candidate.withdrawn_writers:
        # Counted, never named: someone who withdrew did not agree to be named again.
        count = len(candidate.withdrawn_writers)
        who = "1 member" if count == 1 else f"{count} members"
        lines.append(f"Examples by {who} who withdrew their consent are no longer in the bot.")
    lines.append(
        "Before going live it was checked: it recognises crisis messages at least as well as "
        "the bot before it, with no more false alarms"
        + (f", and {signer.display_name} (safety lead) signed it off." if signer else ".")
    )
    return "\n".join(lines)
