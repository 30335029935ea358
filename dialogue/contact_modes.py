"""Ways to get in touch, as the young person says them and as the directory lists them: one home
for the preference ids (slot, entity and button values), the words that mean each, and the
directory's contact modes each one searches for."""

from __future__ import annotations

# Preference id -> the directory's contact modes (services_directory.search.CONTACT_MODES).
DIRECTORY_MODES: dict[str, tuple[str, ...]] = {
    "text": ("text",),
    "call": ("call",),
    "online_chat": ("webchat",),
    "in_person": ("drop_in", "in_person_appointment"),
    "email": ("email",),
    # "I hate calling": anything but a call.
    "not_call": ("text", "webchat", "email"),
}
PREFERENCES = tuple(DIRECTORY_MODES)

# The words that mean each preference in a typed message (regex alternatives).
WORDS = {
    "text": r"te?xt(?:ing|s)?|txt|sms|message|messaging|msg",
    "call": r"call(?:ing)?|ring(?:ing)?|phone(?:\s+call)?|speak on the phone|talk on the phone",
    "online_chat": r"(?:web|live|online)\s*chat|chat(?:ting)? online|chat|dm",
    "in_person": r"in person|face to face|f2f|irl|in real life|meet (?:someone|up)|see someone|"
    r"go (?:in|somewhere)|drop in|walk in",
    "email": r"e-?mail(?:ing)?",
}

# Talking to someone now: the ways that reach a person straight away.
LIVE_MODES = ("call", "text", "webchat")


def directory_modes(preference: str | None) -> list[str] | None:
    """The directory's modes for a preference, or None (no preference: any way is fine)."""
    modes = DIRECTORY_MODES.get(preference or "")
    return list(modes) if modes else None
