"""The message catalogue: every fixed sentence the bot says, in all three languages."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass

from bot.language import Lang
from bot.message_keys import MessageKey

# Keys the code uses; `check` fails when the catalogue lacks one.
REQUIRED_MESSAGE_KEYS = [key.value for key in MessageKey]


def placeholders(template: str) -> frozenset[str]:
    """The {names} a template expects."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


@dataclass(frozen=True)
class Messages:
    """Look up a catalogue sentence by key and language, filling its placeholders."""

    texts: Mapping[str, Mapping[Lang, str]]

    def get(self, key: MessageKey, lang: Lang, **values: object) -> str:
        """The sentence `key` in `lang`; KeyError for a key the catalogue lacks."""
        template = self.texts[key][lang]
        return template.format(**values) if values else template
