"""Someone else at risk: whether the message is about them, and whether they are in danger now.

A friend who "keeps saying she wants to die" gets the helper's guidance; a friend who has posted
a goodbye and is not answering gets the helper's crisis card, first. Strong signs count on their
own (a goodbye post, an overdose, a weapon, and the screen's imminent warning signs read from the
other person's side: ``safety_screen.subject.their_signs``); softer ones and timing ("tonight",
"not answering") count together.
"""

from __future__ import annotations

import re

from dialogue.cards import HELPER
from dialogue.state import FOLLOWUP_TURNS, Conversation, Turn
from safety_screen import NONE
from safety_screen.subject import imminent, their_signs

SOMEONE_ELSE = "worried_about_someone"

# Someone else in danger now: a goodbye post, an overdose, a threat, a weapon. Strong signs
# count on their own; timing words ("tonight", "not answering") only with a risk signal.
_OTHER_IN_DANGER = re.compile(
    r"\b(?:(?:posted|sent|wrote|left|put up|messaged|texted|said)(?: me| us| everyone| the gc)?"
    r" (?:a |her |his |their )?"
    r"(?:goodbye|good ?bye?|farewell)(?: (?:post|message|note|letter|text|to (?:everyone|us all)))?"
    r"|bye post|last message|suicide note|note saying|"
    r"took (?:a load of |loads of |all (?:her|his|their|the) )?(?:pills|tablets|something)|"
    r"swallowed|overdosed?|\bod\b|wont wake|won't wake|not waking|unconscious|passed out|"
    r"not breathing|cant breathe|bleeding|blood everywhere|has a knife|got a knife|has a gun|"
    r"with a knife|on the bridge|on the roof|on the tracks|going to jump|gonna jump|"
    r"going to kill (?:herself|himself|themselves)|gonna kill (?:herself|himself|themselves)|"
    r"hanging|hanged|rope|(?:going to|gonna|gona|gunna) end it|end (?:her|his|their) (?:own )?life|"
    r"thank(?:s| you| u) (?:for|4) everything|"
    r"(?:gn|goodnight|good night|goodbye|bye) (?:forever|4ever|4 ever|for good)|"
    r"final post|last post|nice knowing (?:you|u|yall|you all|everyone|every1)|"
    r"sorry for everything|open it later|wont be here (?:tomorrow|much longer|anymore))\b"
)
_OTHER_SOON = re.compile(
    r"\b(?:tonight|right now|rn|today|not answering|isnt answering|wont answer|not replying|"
    r"(?:not|aint|isnt|wont) (?:replyin|answerin|ansering|answering|pickin up|pick up|picking up)|"
    r"turned (?:her|his|their) (?:location|phone) off|"
    r"wont reply|cant reach|cant get hold|about to|jump|bridge|kill (?:herself|himself)|"
    r"phones? (?:is |s )?(?:off|dead)|location(?:s| is)? off|(?:not|wont|aint|isnt) picking up|"
    r"not responding|left (?:the|every|all the|our) (?:gc|gcs|group|group chats?|chats?)|"
    r"deleted (?:everything|all (?:her|his|their) (?:posts|socials|accounts))|gone missing|"
    r"cant find (?:her|him|them)|(?:gone|went|gone really|been) (?:quiet|silent|offline)|"
    r"tomorrow|tmrw|tmr|this weekend|tonite|2nite|after school|by (?:monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|the weekend|tomorrow)|"
    r"blocked (?:everyone|us all|all of us)|no one (?:has|s) (?:seen|heard from)|"
    r"(?:no ?one|nobody|we|i) (?:can|could)(?:nt)? find|not opening|hasnt (?:opened|read|seen)|"
    r"left (?:me |us )?on (?:read|delivered)|(?:not|isnt|hasnt been) online)\b"
)
# Softer signs that, with timing or not being reachable, mean danger now: a note, a goodbye,
# thanks for everything, things given away ("left a note on her bed and no one can find her").
_OTHER_SOFT_SIGN = re.compile(
    r"\b(?:note|letter|goodbye|good ?bye|bye|farewell|sorry|"
    r"thank\w* (?:\w+ )?(?:for|4) everything|(?:not|wasnt|isnt) (?:my|your|ur|our) fault|"
    r"(?:wont|will not|dont) need (?:it|them|this|these|any of it)|"
    r"(?:gave|given|giving) away|(?:gave|given|giving) (?:me|us|everyone) (?:all|everything)|"
    r"(?:gave|given|giving) (?:me|us) (?:her|his|their) (?:\w+ )?(?:necklace|ring|bracelet|"
    r"chain|hoodie|jacket|jewellery|stuff|things|clothes|games|console|teddy|plushie)|"
    r"(?:im|shes|hes|theyre) done|"
    r"done with (?:everything|life|it all)|cant do (?:this|it) anymore|"
    r"loves? (?:you|u|us|yall|everyone) all|last time)\b"
)
# An ordinary goodbye: moving away, a pet, a story, a funeral.
_ORDINARY_GOODBYE = re.compile(
    r"\b(?:moving|moved|move (?:to|away)|leaving (?:for|to|school)|going (?:to|on) (?:uni|holiday)|"
    r"emigrat\w*|the vet|(?:her|his|their) (?:dog|cat|pet|hamster|rabbit)|character|the show|"
    r"film|movie|book|episode|series|funeral|passed away|died|tribute|dog|cat|pet|discord|server|"
    r"rage ?quit|the game)\b"
)


def is_helper(turn: Turn, whose: str, convo: Conversation) -> bool:
    """The risk in the message is someone else's: only someone else is named ("my brother took
    pills"), or the words frame it so and the model or the conversation so far agrees."""
    if whose == "other":
        return True
    if whose != "other_framed":
        return False
    model_intent = (turn.screen or {}).get("model_intent")
    return (
        model_intent == SOMEONE_ELSE
        or turn.ranks(SOMEONE_ELSE, 3, 0.05)
        or (convo.followup_kind in {HELPER, SOMEONE_ELSE} and convo.followup_age() is not None)
    )


def other_in_danger(turn: Turn, convo: Conversation) -> bool:
    """Someone else is in danger now (not only worrying): the helper's crisis card. Right after
    a helper's card, any risk signal still means danger now."""
    level = (turn.screen or {}).get("level")
    text = turn.text.lower().replace("\u2019", "").replace("'", "")
    if level == "crisis":
        return True
    theirs = their_signs(turn.text)  # "he says its the last time well talk"
    signal = level == "possible" or theirs.level != NONE or any(s >= 0.3 for s in turn.signals[-1:])
    age = convo.followup_age()
    if signal and convo.followup_kind == HELPER and age is not None and age <= FOLLOWUP_TURNS:
        return True  # right after the helper's card any risk signal still means danger now
    if _ORDINARY_GOODBYE.search(text):
        return False
    if _OTHER_IN_DANGER.search(text) or imminent(theirs):
        return True
    soft = {m.group(0) for m in _OTHER_SOFT_SIGN.finditer(text)}
    if len(soft) >= 2:  # "thanked me for everything and said its not my fault"
        return True
    return (signal or bool(soft)) and bool(_OTHER_SOON.search(text))
