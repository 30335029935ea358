"""The conversation core: the vocabulary and the decisions of the dialogue, shared by the API and
the custom actions, with no web or Rasa imports (stdlib and PyYAML only).

- `intents`: every intent and its tier (`intents.yml`), the risk sets;
- `answers`: typed answers read from a message (ages, places, yes / no / not sure, ...);
- `risk`: risk signals that add up over a conversation;
- `cards`: the crisis and safeguarding card for each kind of risk (`cards.yml`);
- `state`, `flow`: what the dialogue remembers and what it does next;
- `messages`, `responses`: the chat contract's messages, built from the domain's responses;
- `guard`: the rules every reply keeps, applied by the API last.
"""
