"""The bot's profile: menu and descriptions published once, in each language Telegram scopes."""

from __future__ import annotations

from bot.kb.base import KnowledgeBase
from bot.kb.message_keys import MessageKey
from fake_telegram import FakeBotApi
from tests.e2e.conftest import StartBot

SETTERS = ("setMyCommands", "setMyDescription", "setMyShortDescription")


async def test_descriptions_are_set_once_and_not_again_on_a_restart(
    api: FakeBotApi, start_bot: StartBot, kb: KnowledgeBase
) -> None:
    async with start_bot():
        pass
    first = [call for call in api.calls if call.method in SETTERS]
    assert len(first) == 9  # three kinds × "", "zh", "en"
    assert api.my_description("en") == kb.messages.get(MessageKey.BOT_DESCRIPTION, "en")
    assert kb.messages.get(MessageKey.BOT_DESCRIPTION, "zh-Hans") in api.my_description("zh")
    assert kb.messages.get(MessageKey.BOT_DESCRIPTION, "zh-Hant") in api.my_description("zh")
    assert api.my_description("en", short=True) == kb.messages.get(MessageKey.BOT_SHORT_DESCRIPTION, "en")
    assert len(api.my_description("", short=True)) <= 120
    assert [c["command"] for c in api.my_commands(language_code="zh")][:2] == ["start", "ask"]
    mark = api.mark()
    async with start_bot():
        pass
    assert [call.method for call in api.calls[mark:] if call.method in SETTERS] == []
