"""The plain words shown next to services (data/reasons.yml), loaded once, on first use."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def words() -> dict[str, Any]:
    """The contents of data/reasons.yml."""
    text = resources.files("services_directory").joinpath("data/reasons.yml").read_text("utf-8")
    return yaml.safe_load(text)


def reason(key: str, **values: Any) -> str:
    """A reason by key ("open_now", "ages_between", ...), placeholders filled in."""
    return str(words()["reasons"][key]).format(**values)


def mode_reason(mode: str) -> str:
    """The reason for a way of getting in touch ("you can text")."""
    return str(words()["reasons"]["contact_mode"].get(mode, ""))


def languages() -> dict[str, dict[str, str]]:
    """Language ids of the chatbot with their display names and ISO 639 codes."""
    return dict(words()["languages"])


def synonyms() -> dict[str, list[str]]:
    """Words young people type -> words the directory's texts use."""
    return {k: list(v) for k, v in (words().get("synonyms") or {}).items()}


def ages_text(low: float | None, high: float | None) -> str:
    """ "Ages 11-18", "Up to age 18", "Ages 16 and over" or "Any age"."""
    ages = words()["ages"]
    if low is None and high is None:
        return str(ages["any"])
    if low is None:
        return str(ages["up_to"]).format(high=_n(high))
    if high is None:
        return str(ages["from"]).format(low=_n(low))
    return str(ages["between"]).format(low=_n(low), high=_n(high))


def ages_reason(low: float | None, high: float | None) -> str | None:
    """ "for ages 11-18" (None when the service is for any age)."""
    if low is None and high is None:
        return None
    if low is None:
        return reason("ages_up_to", high=_n(high))
    if high is None:
        return reason("ages_from", low=_n(low))
    return reason("ages_between", low=_n(low), high=_n(high))


def default_label(mode: str, value: str, body: str | None = None) -> str:
    """A label for a contact mode that has none in the data."""
    labels = words()["labels"]
    if mode == "text" and body:
        return str(labels["text_with_body"]).format(value=value, body=body)
    return str(labels.get(mode, "{value}")).format(value=value)


def _n(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)
