"""Button actions: what a button does, encoded in Telegram's callback data (at most 64 bytes).

Decoding is strict: data we never issued (stale after a knowledge-base edit, or forged)
decodes to None, and the adapter answers with a short notice instead of failing.
"""

from __future__ import annotations

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
}
_KINDS: dict[str, ActionKind] = {code: kind for kind, code in _CODES.items()}


@dataclass(frozen=True)
class Action:
    """Show a section (or its sub-steps), list the steps, set the language, show the phrase card,
    or act on the personal plan. `section_id` carries the section, or a plan action's payload
    (the answers so far, a step key, a reminder kind)."""

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
        case _:
            return not payload
