"""The bot's profile: menu and descriptions published once, in each language Telegram scopes,
in the background — a 429 or a 5xx there never holds up answers and never stops the bot."""

from __future__ import annotations

import asyncio
import io

import pytest

from bot.kb.base import KnowledgeBase
from bot.kb.message_keys import MessageKey
from bot.telegram import profile
from bot.telegram.runtime.app import AnyApplication, profile_publisher
from fake_telegram import FakeBotApi
from tests.e2e.conftest import StartBot, reply_to

SETTERS = ("setMyCommands", "setMyDescription", "setMyShortDescription")
ANN = 311


async def published(application: AnyApplication) -> int:
    """Wait for the background publication; how many texts it set."""
    task = profile_publisher(application)
    assert task is not None
    return await asyncio.wait_for(task, timeout=10)


async def test_descriptions_are_set_once_and_not_again_on_a_restart(
    api: FakeBotApi, start_bot: StartBot, kb: KnowledgeBase
) -> None:
    async with start_bot() as application:
        assert await published(application) == 9
    first = [call for call in api.calls if call.method in SETTERS]
    assert len(first) == 9  # three kinds × "", "zh", "en"
    assert api.my_description("en") == kb.messages.get(MessageKey.BOT_DESCRIPTION, "en")
    assert kb.messages.get(MessageKey.BOT_DESCRIPTION, "zh-Hans") in api.my_description("zh")
    assert kb.messages.get(MessageKey.BOT_DESCRIPTION, "zh-Hant") in api.my_description("zh")
    assert api.my_description("en", short=True) == kb.messages.get(MessageKey.BOT_SHORT_DESCRIPTION, "en")
    assert len(api.my_description("", short=True)) <= 120
    assert [c["command"] for c in api.my_commands(language_code="zh")][:2] == ["start", "ask"]
    mark = api.mark()
    async with start_bot() as application:
        assert await published(application) == 0
    assert [call.method for call in api.calls[mark:] if call.method in SETTERS] == []


@pytest.mark.parametrize("method", ["setMyCommands", "setMyDescription"])
async def test_a_429_of_an_hour_on_the_profile_does_not_hold_up_answers(
    api: FakeBotApi, start_bot: StartBot, log_stream: io.StringIO, method: str
) -> None:
    api.fail_next(method, status=429, retry_after=3600)
    async with asyncio.timeout(20):  # before: post_init waited the hour before polling began
        async with start_bot() as application:
            [answer] = await reply_to(api, "第四步", chat_id=ANN, user_id=ANN)
            assert answer["text"].startswith("第 4 步")
            task = profile_publisher(application)
            assert task is not None
            assert not task.done()
    lines = [line for line in log_stream.getvalue().splitlines() if "profile" in line]
    assert len(lines) == 1, lines
    assert "rate-limits the bot's profile: publishing it again in 3600 s" in lines[0]
    assert "Traceback" not in log_stream.getvalue()


@pytest.mark.parametrize("method", ["getMyCommands", "setMyDescription"])
async def test_a_server_error_on_the_profile_is_one_line_and_a_later_retry(
    api: FakeBotApi,
    start_bot: StartBot,
    log_stream: io.StringIO,
    monkeypatch: pytest.MonkeyPatch,
    kb: KnowledgeBase,
    method: str,
) -> None:
    monkeypatch.setattr(profile, "FIRST_RETRY_SECONDS", 0.2)
    api.fail_next(method, status=500)
    async with start_bot() as application:  # before: post_init raised, `run` exited 2
        await reply_to(api, "第四步", chat_id=ANN, user_id=ANN)
        assert await published(application) > 0
    assert api.my_description("en") == kb.messages.get(MessageKey.BOT_DESCRIPTION, "en")
    lines = [line for line in log_stream.getvalue().splitlines() if "profile" in line]
    assert len(lines) == 1, lines
    assert "could not be published (NetworkError): trying again" in lines[0]
    assert "Traceback" not in log_stream.getvalue()
