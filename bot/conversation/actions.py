"""Button actions: what a button does, encoded in Telegram's callback data (at most 64 bytes).

Decoding is strict: data we never issued (stale after a knowledge-base edit, or forged)
decodes to None, and the adapter answers with a short notice instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.text.language import LANGUAGES, Lang

MAX_CALLBACK_BYTES = 64
ActionKind = Literal["section", "detail", "steps", "lang", "phrases", "answer_in"]
_CODES: dict[ActionKind, str] = {
    "section": "s",
    "detail": "d",
    "steps": "l",
    "lang": "g",
    "phrases": "p",
    # After /lang, a message plainly in another language: answer in that one instead (and from
    # now on). The section is the one just answered, if any, so it is shown again in that language.
    "answer_in": "a",
}
_KINDS: dict[str, ActionKind] = {code: kind for kind, code in _CODES.items()}


@dataclass(frozen=True)
class Action:
    """Show a section (or its sub-steps), list the steps, set the language, show the phrase card,
    or switch to the language a message was written in and show its answer again."""

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
    needs_section = kind in ("section", "detail")
    if needs_section != bool(section_id) and kind != "answer_in":
        return None
    lang: Lang = next(lang for lang in LANGUAGES if lang == parts[2])
    return Action(kind, lang, section_id)
