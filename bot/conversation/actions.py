"""Button actions: what a button does, encoded in Telegram's callback data (at most 64 bytes).

Two kinds are not pressed in place: "private" goes on in a private chat with the bot at
/start <payload> (for what must not happen in a group: /forget); its button carries the deep
link (render.private_chat_link), which Telegram opens, and a front end without links (the
console) carries out the action instead. "forget" confirms erasing everything kept about the
person who presses it.

Decoding is strict: data we never issued (stale after a knowledge-base edit, or forged)
decodes to None, and the adapter answers with a short notice instead of failing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.conversation.plan import STEP_KEYS, parse_reminder_kind, valid_partial
from bot.text.language import LANGUAGES, Lang

MAX_CALLBACK_BYTES = 64
ActionKind = Literal[
    "section",
    "detail",
    "steps",
    "lang",
    "phrases",
    # The personal plan (issue 17): show it, answer its questions ("" starts them again), tick a
    # step, show the ready-to-send request, ask for or cancel a reminder.
    "plan",
    "answer",
    "tick",
    "request",
    "remind",
    "unremind",
    # What is kept about a person (issue 20): confirm /forget; go on in a private chat.
    "forget",
    "private",
    # After /lang, a message plainly in another language: answer in that one instead (issue 16).
    "answer_in",
]
_CODES: dict[ActionKind, str] = {
    "section": "s",
    "detail": "d",
    "steps": "l",
    "lang": "g",
    "phrases": "p",
    "plan": "n",
    "answer": "a",
    "tick": "t",
    "request": "m",
    "remind": "r",
    "unremind": "x",
    "forget": "f",
    "private": "v",
    # After /lang, a message plainly in another language: answer in that one instead (and from
    # now on). The section is the one just answered, if any, so it is shown again in that language.
    "answer_in": "i",
}
_KINDS: dict[str, ActionKind] = {code: kind for kind, code in _CODES.items()}
# Telegram's rule for a /start deep-link payload: 1-64 of A-Z a-z 0-9 _ -
START_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class Action:
    """Show a section (or its sub-steps), list the steps, set the language, show the phrase card,
    or act on the personal plan, confirm /forget, go on in a private chat, or switch to the
    language a message was written in and show its answer again.

    `section_id` carries the section ("section", "detail", and "answer_in" when there was one),
    a plan action's payload (the answers so far, a step key, a reminder kind), or the /start
    payload ("private").
    """

    kind: ActionKind
    lang: Lang
    section_id: str = ""

    def encode(self) -> str:
        """The callback data for this action, e.g. "s:visit-store:en"."""
        data = f"{_CODES[self.kind]}:{self.section_id}:{self.lang}"
        if len(data.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
        return data


def decode_action(data: str | None) -> Action | None:
    """The action encoded in callback data, or None if it is not one we issue."""
    if not data or len(data.encode("utf-8", "replace")) > MAX_CALLBACK_BYTES:
        return None
    parts = data.split(":")
    if len(parts) != 3 or parts[0] not in _KINDS or parts[2] not in LANGUAGES:
        return None
    kind = _KINDS[parts[0]]
    section_id = parts[1]
    if not _payload_fits(kind, section_id):
        return None
    lang: Lang = next(lang for lang in LANGUAGES if lang == parts[2])
    return Action(kind, lang, section_id)


def _payload_fits(kind: ActionKind, payload: str) -> bool:
    """Whether `payload` is what an action of `kind` carries (anything else is stale or forged)."""
    match kind:
        case "section" | "detail":
            return bool(payload)
        case "answer":
            return valid_partial(payload)
        case "tick":
            return payload in STEP_KEYS
        case "remind" | "unremind":
            return parse_reminder_kind(payload) is not None
        case "private":
            return START_PAYLOAD.fullmatch(payload) is not None
        case "answer_in":  # the section just answered, or none
            return True
        case _:
            return not payload
