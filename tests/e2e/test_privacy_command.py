"""/privacy: in the published command menu in each language, one phone screen in each, with the
retention the operator set."""

from __future__ import annotations

import asyncio

import pytest

from bot.conversation.render import html_to_plain
from bot.kb.base import KnowledgeBase
from bot.kb.message_keys import MessageKey
from bot.telegram.profile import PROFILE_LANGUAGES
from bot.telegram.runtime.app import profile_publisher
from bot.text.language import Lang
from fake_telegram import FakeBotApi
from tests.e2e.conftest import StartBot, buttons, reply_to

# One phone screen: about 600 Chinese or 900 English characters.
SCREEN_CHARS: dict[Lang, int] = {"zh-Hans": 600, "zh-Hant": 600, "en": 900}
APP_LANGUAGES: dict[Lang, str] = {"zh-Hans": "zh-hans", "zh-Hant": "zh-hant", "en": "en"}


async def test_privacy_and_forget_are_in_the_published_menu_in_each_language(
    api: FakeBotApi, start_bot: StartBot, kb: KnowledgeBase
) -> None:
    async with start_bot() as application:
        publishing = profile_publisher(application)  # in the background, once polling has started
        assert publishing is not None
        await asyncio.wait_for(publishing, timeout=10)
    for code, langs in PROFILE_LANGUAGES.items():
        menu = {entry["command"]: entry["description"] for entry in api.my_commands(language_code=code)}
        assert menu["privacy"] == kb.messages.get(MessageKey.COMMAND_PRIVACY, langs[0])
        assert menu["forget"] == kb.messages.get(MessageKey.COMMAND_FORGET, langs[0])


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en"])
async def test_privacy_fits_one_screen_and_states_the_retention(
    api: FakeBotApi, start_bot: StartBot, kb: KnowledgeBase, lang: Lang
) -> None:
    async with start_bot(BOT_UNANSWERED_KEEP_DAYS="45"):
        app_language = APP_LANGUAGES[lang]
        [reply] = await reply_to(api, "/privacy", chat_id=4242, user_id=4242, language_code=app_language)
    text = html_to_plain(reply["text"])
    assert text == kb.messages.get(MessageKey.PRIVACY, lang, days=45).replace("\n- ", "\n• ")
    assert " 45 " in text
    assert len(text) <= SCREEN_CHARS[lang]
    assert "/forget" in text
    assert buttons(reply) == []


async def test_privacy_in_a_group_is_answered_there(api: FakeBotApi, bot: object, kb: KnowledgeBase) -> None:
    [reply] = await reply_to(
        api, "/privacy@SimHelpBot", chat_id=-100777, user_id=4243, chat_type="supergroup", language_code="en"
    )
    assert html_to_plain(reply["text"]).startswith(kb.messages.get(MessageKey.PRIVACY, "en", days=90)[:20])
