"""The fake Bot API and PTB's own ``telegram.Bot`` talking to it over HTTP on 127.0.0.1.

Every answer the fake gives goes through PTB's request layer and ``de_json``, so these tests
also prove PTB accepts what the fake sends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot, Update

from fake_telegram import FakeBotApi

TOKEN = "123456789:AAE2eTestTokenForTheFakeBotApiServer"
USER = 4242
GROUP = -100_555


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN, username="SimHelpBot") as fake:
        yield fake


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=api.base_url) as ptb_bot:
        yield ptb_bot


async def fetch(bot: Bot) -> tuple[Update, ...]:
    """Everything pending, confirmed at once (the next fetch starts after it)."""
    updates = await bot.get_updates(timeout=0)
    if updates:
        await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    return updates
