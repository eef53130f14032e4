"""The message catalogue: every fixed sentence the bot says, in all three languages."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass

from bot.language import Lang

# Keys the code uses; `check` fails when the catalogue lacks one.
REQUIRED_MESSAGE_KEYS = [
    "welcome",
    "help",
    "steps_header",
    "clarify",
    "clarify_choose_hint",
    "decline",
    "empty",
    "too_long",
    "non_text",
    "no_next",
    "no_previous",
    "no_context",
    "no_detail",
    "unknown_step",
    "lang_prompt",
    "lang_set",
    "flood",
    "stale_button",
    "privacy_warning",
    "error",
    "btn_prev",
    "btn_next",
    "btn_all_steps",
    "btn_more",
    "inline_steps_title",
    "not_admin",
    "reload_ok",
    "reload_failed",
    "unanswered_empty",
    "unanswered_header",
    "console_intro",
    "context_hint",
    "step_label",
    "step_label_all",
    "step_label_extra",
    "cmd_start",
    "cmd_help",
    "cmd_steps",
    "cmd_step",
    "cmd_lang",
    "step_usage",
]


def placeholders(template: str) -> frozenset[str]:
    """The {names} a template expects."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


@dataclass(frozen=True)
class Messages:
    """Look up a catalogue sentence by key and language, filling its placeholders."""

    texts: Mapping[str, Mapping[Lang, str]]

    def get(self, key: str, lang: Lang, **values: object) -> str:
        """The sentence `key` in `lang`; KeyError for a key the catalogue lacks."""
        template = self.texts[key][lang]
        return template.format(**values) if values else template
