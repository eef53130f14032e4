"""The bot's profile in Telegram: its command menu, description and short description.

Published at start-up from the message catalogue, and only where Telegram holds something
else, so a restart with the same texts makes no set calls (and an edited catalogue is
published by the next start).

Publishing runs in the background once polling has started (keep_profile_published): Telegram
rate-limits these calls hard (a 429 with retry_after 3600 is common) and a 5xx there is no
reason not to answer people. A failure is one log line and a later try, never a delay or an exit.

Telegram scopes these by a two-letter language code ("zh", "en", or "" for everyone else),
so simplified and traditional Chinese readers share "zh": the description there carries both
scripts when they differ and fit.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence

from telegram import Bot, BotCommand
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TelegramError

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
# After a failure other than a 429: the first wait before trying again, doubling up to the last.
FIRST_RETRY_SECONDS = 30.0
LONGEST_RETRY_SECONDS = 3600.0
logger = logging.getLogger("bot.profile")


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


async def keep_profile_published(
    bot: Bot,
    kb: KnowledgeBase,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    first_retry: float | None = None,
) -> int:
    """publish_profile until it succeeds; returns how many texts were set (-1: given up).

    A 429 waits what Telegram asks; a 5xx or network failure waits FIRST_RETRY_SECONDS,
    doubling; each failure is one log line. A 400/403 (Telegram refuses the texts) will not
    get better by trying again: one line, and the profile is left as it is.
    """
    wait = FIRST_RETRY_SECONDS if first_retry is None else first_retry
    while True:
        try:
            return await publish_profile(bot, kb)
        except RetryAfter as exc:
            seconds = retry_after_seconds(exc)
            logger.warning("Telegram rate-limits the bot's profile: publishing it again in %d s", seconds)
            await sleep(float(seconds))
        except InvalidToken:  # polling hits it too, and ends the process with the one line that says so
            return -1
        except (BadRequest, Forbidden) as exc:
            logger.warning("Telegram refused the bot's profile (%s): left as it is", type(exc).__name__)
            return -1
        except TelegramError as exc:
            logger.warning(
                "the bot's profile could not be published (%s): trying again in %d s",
                type(exc).__name__,
                wait,
            )
            await sleep(wait)
            wait = min(wait * 2, LONGEST_RETRY_SECONDS)


def retry_after_seconds(error: RetryAfter) -> float:
    """How long Telegram asks to wait, in seconds, without PTB's int-or-timedelta warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)
