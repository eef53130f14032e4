"""The rate limiter: PTB's AIORateLimiter, except for the calls that publish the bot's profile.

AIORateLimiter answers a 429 by holding *every* request until retry_after has passed, then
trying again. Telegram limits setMyCommands / setMyDescription hard (retry_after 3600 is
common): one 429 there kept every answer waiting for an hour. Profile calls therefore bypass
the limiter; their 429 reaches bot.telegram.profile, which retries later in the background.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

# The Bot API methods of bot.telegram.profile.publish_profile, as PTB names its endpoints.
PROFILE_ENDPOINTS = frozenset(
    {
        "getMyCommands",
        "setMyCommands",
        "getMyDescription",
        "setMyDescription",
        "getMyShortDescription",
        "setMyShortDescription",
    }
)


class BotRateLimiter(AIORateLimiter):
    """AIORateLimiter for the conversation; profile calls go straight through (module docstring)."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """One request; profile endpoints unlimited and never retried here."""
        if endpoint in PROFILE_ENDPOINTS:
            return await callback(*args, **kwargs)
        return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
