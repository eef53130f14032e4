"""The bot's profile in Telegram: its command menu, description and short description.

Published at start-up from the message catalogue, and only where Telegram holds something
else, so a restart with the same texts makes no set calls (and an edited catalogue is
published by the next start).

Telegram scopes these by a two-letter language code ("zh", "en", or "" for everyone else),
so simplified and traditional Chinese readers share "zh": the description there carries both
scripts when they differ and fit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from telegram import Bot, BotCommand

from bot.conversation.commands import MENU_COMMANDS
from bot.kb.base import KnowledgeBase
from bot.kb.message_keys import MessageKey
from bot.text.language import Lang

# Telegram language_code → the languages shown to it, first the one the menu uses.
PROFILE_LANGUAGES: Mapping[str, Sequence[Lang]] = {
    "": ("zh-Hans", "en"),
    "zh": ("zh-Hans", "zh-Hant"),
    "en": ("en",),
}
DESCRIPTION_MAX = 512  # Telegram's limits
SHORT_DESCRIPTION_MAX = 120


def profile_text(kb: KnowledgeBase, key: MessageKey, langs: Sequence[Lang], limit: int, joiner: str) -> str:
    """The catalogue text in each of `langs` (each once), as many as fit in `limit` characters."""
    texts: list[str] = []
    for lang in langs:
        text = kb.messages.get(key, lang)
        if text not in texts and len(joiner.join([*texts, text])) <= limit:
            texts.append(text)
    return joiner.join(texts) or kb.messages.get(key, langs[0])[:limit]


async def publish_profile(bot: Bot, kb: KnowledgeBase) -> int:
    """Set the menu and descriptions Telegram lacks or holds differently; returns how many were set."""
    changed = 0
    for code, langs in PROFILE_LANGUAGES.items():
        language_code = code or None
        menu = [
            BotCommand(name, kb.messages.get(MessageKey(f"cmd_{name}"), langs[0])) for name in MENU_COMMANDS
        ]
        if list(await bot.get_my_commands(language_code=language_code)) != menu:
            await bot.set_my_commands(menu, language_code=language_code)
            changed += 1
        description = profile_text(kb, MessageKey.BOT_DESCRIPTION, langs, DESCRIPTION_MAX, "\n\n")
        if (await bot.get_my_description(language_code=language_code)).description != description:
            await bot.set_my_description(description, language_code=language_code)
            changed += 1
        short = profile_text(kb, MessageKey.BOT_SHORT_DESCRIPTION, langs, SHORT_DESCRIPTION_MAX, "\n")
        if (await bot.get_my_short_description(language_code=language_code)).short_description != short:
            await bot.set_my_short_description(short, language_code=language_code)
            changed += 1
    return changed
