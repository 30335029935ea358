"""The workshop's forms for writing and reviewing examples (WTForms, with the staff forms' CSRF
bound to the session: api/routes/staff/forms.py)."""

from __future__ import annotations

from typing import Any

from wtforms import FieldList, Form, FormField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from api.routes.staff.forms import StaffForm
from workshop.alerts import NOTE_MAX
from workshop.corpus import bot_responses
from workshop.item_models import APPROVE, REJECT
from workshop.prompts import Prompt
from workshop.review import REASON_MAX
from workshop.wording import SUGGESTION_MAX

TEXT_MAX = 1000
TURNS = 4
NO_REPLY = ("", "No reply picked")
# What a later turn of a conversation does, in plain words (the first turn is the situation).
TURN_KINDS = [
    ("inform", "Answering the bot's question"),
    ("affirm", "Saying yes"),
    ("deny", "Saying no"),
    ("thank_you", "Saying thanks"),
    ("goodbye", "Saying bye"),
]


class MessageForm(StaffForm):
    text = TextAreaField(
        "Your message",
        [
            InputRequired("Write your message first"),
            Length(max=TEXT_MAX, message=f"Keep it to {TEXT_MAX} characters or fewer"),
        ],
    )


class TurnForm(Form):
    """One turn of a conversation (part of ConversationForm, whose CSRF token covers it)."""

    user = TextAreaField(
        "What you say",
        [Optional(), Length(max=TEXT_MAX, message=f"Keep it to {TEXT_MAX} characters or fewer")],
    )
    # Checked in ConversationForm.validate_turns, for the turns written only.
    does = SelectField("What this does", choices=[], validate_choice=False)
    bot = SelectField("The bot's reply", choices=[], validate_choice=False)


class ConversationForm(StaffForm):
    turns = FieldList(FormField(TurnForm), min_entries=TURNS, max_entries=TURNS)

    def validate_turns(self, field: Any) -> None:
        """The first turn must be written; a written turn's choices must be ones offered."""
        first = field.entries[0].form.user.data if field.entries else ""
        if not (first or "").strip():
            raise ValidationError("Write the first thing you say to the bot")
        for entry in field.entries:
            turn = entry.form
            if not (turn.user.data or "").strip():
                continue
            for select in (turn.does, turn.bot):
                if select.data not in {value for value, _ in select.choices}:
                    raise ValidationError("Pick one of the choices offered")


def reply_choices() -> list[tuple[str, str]]:
    """The domain's replies with words, as the writer reads them."""
    shortened = {
        name: text if len(text) <= 90 else text[:88].rstrip() + "…"
        for name, text in bot_responses().items()
    }
    return [NO_REPLY] + sorted(((n, t) for n, t in shortened.items()), key=lambda c: c[1].lower())


def offer_turn_choices(form: ConversationForm, prompt: Prompt) -> None:
    """The choices of every turn: what it does (the situation first) and the bot's replies."""
    kinds = [(prompt.intent, f"Telling the bot about it: {prompt.title.lower()}"), *TURN_KINDS]
    replies = reply_choices()
    for entry in form.turns.entries:
        entry.form.does.choices = kinds
        entry.form.bot.choices = replies


class ReviewForm(StaffForm):
    decision = RadioField(
        "Should the bot learn from this example?",
        [InputRequired("Choose yes or no")],
        choices=[
            (APPROVE, "Yes, it sounds like a young person and fits the situation"),
            (REJECT, "No"),
        ],
    )
    reason = TextAreaField(
        "Why? (optional)",
        [Length(max=REASON_MAX, message=f"Keep it to {REASON_MAX} characters or fewer")],
    )


class HandleAlertForm(StaffForm):
    note = TextAreaField(
        "What did you do?",
        [
            InputRequired("Say what you did to follow it up"),
            Length(max=NOTE_MAX, message=f"Keep it to {NOTE_MAX} characters or fewer"),
        ],
    )


class WordingForm(StaffForm):
    response = SelectField(
        "Which of the bot's replies?",
        [InputRequired("Choose one of the bot's replies")],
        choices=[],
    )
    suggestion = TextAreaField(
        "How would you say it?",
        [
            InputRequired("Write how you would say it"),
            Length(max=SUGGESTION_MAX, message=f"Keep it to {SUGGESTION_MAX} characters or fewer"),
        ],
    )
