"""The message catalogue: every fixed sentence the bot says, in all three languages.

A sentence may hold placeholders such as `{step}`, filled by the code that says it. Which
ones each key may use is declared once, in MESSAGE_PLACEHOLDERS; `check` fills every text
with stand-in values, so a typo (`{stpe}`), an empty `{}` or a lone `{` is an author's error
at `check` time instead of a crash while the bot talks to someone.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass

from bot.kb.message_keys import MessageKey
from bot.text.language import Lang

# Keys the code uses; `check` fails when the catalogue lacks one.
REQUIRED_MESSAGE_KEYS = [key.value for key in MessageKey]

# The placeholders each key may use: exactly what the code passes to Messages.get.
# A key not listed here takes none (write {{ and }} for a literal brace).
MESSAGE_PLACEHOLDERS: Mapping[str, frozenset[str]] = {
    "unknown_step": frozenset({"step"}),
    "reload_ok": frozenset({"sections"}),
    "reload_failed": frozenset({"errors"}),
    "unanswered_header": frozenset({"days"}),
    "step_label": frozenset({"step"}),
    # The personal plan (issue 17): when a reminder is due, as "2026-12-09 14:00".
    "reminder_set": frozenset({"date"}),
    "reminder_line_verify": frozenset({"date"}),
    "reminder_line_ported": frozenset({"date"}),
    "privacy": frozenset({"days"}),  # how long unanswered questions are kept (issue 20)
}

# Where a longer text would break something: Telegram refuses the call, or a bold heading
# (<b>…</b>, one line) grows towards the 4,096-character cut that would split its tag.
MESSAGE_MAX_CHARS: Mapping[str, int] = {
    "stale_button": 200,  # answerCallbackQuery text: Telegram's limit
    "cmd_start": 256,  # BotCommand descriptions (the command menu): Telegram's limit
    "cmd_help": 256,
    "cmd_steps": 256,
    "cmd_step": 256,
    "cmd_lang": 256,
    "cmd_ask": 256,
    "cmd_phrases": 256,
    "cmd_plan": 256,  # issue 17
    "cmd_reminders": 256,
    "cmd_privacy": 256,  # issue 20
    "cmd_forget": 256,
    "btn_forget": 40,  # button labels (BUTTON_LABEL_MAX)
    "btn_open_private": 40,
    "steps_header": 80,  # headings, like a section title (MAX_TITLE_CHARS)
    "step_label": 40,  # before a title in every heading: 第 4 步 · …
    "step_label_all": 40,
    "step_label_extra": 40,
}


def placeholders(template: str) -> frozenset[str]:
    """The {names} a well-formed template expects (see template_problems)."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def template_problems(template: str, allowed: frozenset[str]) -> list[str]:
    """Why `template` cannot be filled with the values `allowed` (empty when it can)."""
    literal_braces = "write {{ and }} for a literal brace"
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError as exc:  # a lone { or }
        return [f"malformed placeholder ({exc}); {literal_braces}"]
    problems: list[str] = []
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        if not name:
            problems.append(f"empty placeholder {{}}; {literal_braces}")
        elif spec or conversion or not name.isidentifier():
            written = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            problems.append(f"placeholder {{{written}}} must be a plain name like {{step}}")
        elif name not in allowed:
            usable = ", ".join(f"{{{known}}}" for known in sorted(allowed)) or f"none ({literal_braces})"
            problems.append(f"unknown placeholder {{{name}}}; this message can use {usable}")
    if not problems:
        try:  # what Messages.get will do, with stand-in values
            template.format_map(dict.fromkeys(allowed, "0"))
        except (KeyError, IndexError, ValueError, AttributeError) as exc:
            problems.append(f"cannot be filled in ({exc!r})")
    return problems


@dataclass(frozen=True)
class Messages:
    """Look up a catalogue sentence by key and language, filling its placeholders."""

    texts: Mapping[str, Mapping[Lang, str]]

    def get(self, key: MessageKey, lang: Lang, **values: object) -> str:
        """The sentence `key` in `lang`; KeyError for a key the catalogue lacks.

        Never raises for a catalogue that passed the check: its templates hold only the
        placeholders MESSAGE_PLACEHOLDERS declares, and one the caller leaves out is shown
        as written (`{step}`) rather than failing the reply.
        """
        return self.texts[key][lang].format_map(_ShownIfMissing(values))


class _ShownIfMissing(dict[str, object]):
    def __missing__(self, name: str) -> str:
        return f"{{{name}}}"
