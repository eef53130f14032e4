"""Privacy mode: the group messages Telegram shows a bot (core.telegram.org/bots/features#privacy-mode)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import Bot

from fake_telegram import FakeBotApi
from fake_telegram.privacy import BotView, bot_receives
from fake_telegram.text import detect_entities
from tests.fake_telegram.conftest import GROUP, TOKEN, USER, fetch

OTHER_BOT = 7_000_001
JSON = dict[str, Any]


@pytest.fixture
async def private_api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN, username="SimHelpBot", privacy_mode=True) as fake:
        yield fake


@pytest.fixture
async def private_bot(private_api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=private_api.base_url) as ptb_bot:
        yield ptb_bot


def say(api: FakeBotApi, text: str, *, user_id: int = USER, **extra: Any) -> JSON:
    return api.inject_message(text, chat_id=GROUP, user_id=user_id, chat_type="supergroup", **extra)


async def texts(bot: Bot) -> list[str | None]:
    return [update.message.text if update.message else None for update in await fetch(bot)]


async def test_the_bot_says_whether_it_reads_all_group_messages(private_bot: Bot, bot: Bot) -> None:
    assert (await private_bot.get_me()).can_read_all_group_messages is False
    assert (await bot.get_me()).can_read_all_group_messages is True


async def test_with_privacy_mode_chatter_and_mentions_are_not_delivered(
    private_api: FakeBotApi, private_bot: Bot
) -> None:
    withheld = [say(private_api, text) for text in ("大家好", "@SimHelpBot 第四步是什么", "/help@OtherBot")]
    say(private_api, "/help@SimHelpBot")
    say(private_api, "/help@simhelpbot now")  # the username is not case-sensitive
    assert await texts(private_bot) == ["/help@SimHelpBot", "/help@simhelpbot now"]
    assert all("update_id" not in update for update in withheld)
    assert [m["text"] for m in private_api.withheld] == [
        "大家好",
        "@SimHelpBot 第四步是什么",
        "/help@OtherBot",
    ]


async def test_a_command_in_the_middle_of_a_message_is_not_a_command(
    private_api: FakeBotApi, private_bot: Bot
) -> None:
    say(private_api, "please /help@SimHelpBot")
    assert await texts(private_bot) == []


async def test_a_bare_command_reaches_the_bot_only_if_it_spoke_last(
    private_api: FakeBotApi, private_bot: Bot
) -> None:
    say(private_api, "/steps")
    assert await texts(private_bot) == []  # no bot has spoken in the group yet
    await private_bot.send_message(GROUP, "I can help")
    say(private_api, "/steps")
    assert await texts(private_bot) == ["/steps"]
    say(private_api, "hello", user_id=OTHER_BOT, from_bot=True)  # another bot speaks last
    say(private_api, "/steps")
    assert await texts(private_bot) == []
    await private_bot.send_message(GROUP, "me again")
    say(private_api, "/steps@SimHelpBot")
    say(private_api, "/steps")
    assert await texts(private_bot) == ["/steps@SimHelpBot", "/steps"]


async def test_replies_to_the_bot_reach_it_and_replies_to_people_do_not(
    private_api: FakeBotApi, private_bot: Bot
) -> None:
    private_api.ensure_chat(GROUP, chat_type="supergroup")
    answer = await private_bot.send_message(GROUP, "answer")
    person = say(private_api, "my own words")
    say(private_api, "下一步", reply_to_message_id=answer.message_id)
    say(private_api, "I agree", reply_to_message_id=person["message"]["message_id"])
    assert await texts(private_bot) == ["下一步"]


async def test_edits_are_judged_like_new_messages(private_api: FakeBotApi, private_bot: Bot) -> None:
    say(private_api, "hello")
    private_api.inject_message("still chatting", chat_id=GROUP, user_id=USER, edited=True)
    say(private_api, "/help@SimHelpBot")
    private_api.inject_message("/steps@SimHelpBot", chat_id=GROUP, user_id=USER, edited=True)
    updates = await fetch(private_bot)
    assert [(u.message or u.edited_message).text for u in updates] == [
        "/help@SimHelpBot",
        "/steps@SimHelpBot",
    ]  # type: ignore[union-attr]
    assert updates[1].edited_message is not None


async def test_private_chats_are_always_delivered_in_full(private_api: FakeBotApi, private_bot: Bot) -> None:
    for text in ("hello", "@SimHelpBot hi", "/steps", "第四步"):
        private_api.inject_message(text, user_id=USER)
    assert await texts(private_bot) == ["hello", "@SimHelpBot hi", "/steps", "第四步"]


async def test_an_admin_bot_sees_every_message_but_other_bots(
    private_api: FakeBotApi, private_bot: Bot
) -> None:
    private_api.set_admin(GROUP)
    say(private_api, "大家好")
    say(private_api, "/help@OtherBot")
    say(private_api, "/help@SimHelpBot", user_id=OTHER_BOT, from_bot=True)
    assert await texts(private_bot) == ["大家好", "/help@OtherBot"]
    private_api.set_admin(GROUP, False)
    say(private_api, "大家好")
    assert await texts(private_bot) == []


async def test_being_promoted_by_my_chat_member_makes_the_bot_an_admin(
    private_api: FakeBotApi, private_bot: Bot
) -> None:
    private_api.inject_my_chat_member(
        GROUP, old_status="left", new_status="member", from_user_id=USER, chat_type="supergroup"
    )
    say(private_api, "before")
    private_api.inject_my_chat_member(
        GROUP, old_status="member", new_status="administrator", from_user_id=USER, chat_type="supergroup"
    )
    say(private_api, "after")
    updates = await fetch(private_bot)
    kinds = [
        ("member" if u.my_chat_member else "message", u.message.text if u.message else None) for u in updates
    ]
    assert kinds == [("member", None), ("member", None), ("message", "after")]


async def test_with_privacy_mode_off_everything_but_other_bots_is_delivered(
    api: FakeBotApi, bot: Bot
) -> None:
    say(api, "大家好")
    say(api, "/help@OtherBot")
    say(api, "beep", user_id=OTHER_BOT, from_bot=True)
    anonymous_admin = {"sender_chat": {"id": GROUP, "type": "supergroup", "title": "Test group"}}
    say(api, "from the admins", user_id=1087968824, from_bot=True, extra=anonymous_admin)
    assert await texts(bot) == ["大家好", "/help@OtherBot", "from the admins"]


async def test_a_group_the_bot_left_sends_it_nothing(api: FakeBotApi, bot: Bot) -> None:
    say(api, "hello")
    api.inject_my_chat_member(GROUP, old_status="member", new_status="left", from_user_id=USER)
    say(api, "after it left")
    updates = await fetch(bot)
    assert [u.message.text if u.message else "my_chat_member" for u in updates] == ["hello", "my_chat_member"]


GROUP_VIEW = BotView(
    bot_id=123456789, username="SimHelpBot", privacy_mode=True, is_admin=False, last_bot_in_chat=None
)


def group_message(text: str) -> JSON:
    message: JSON = {
        "message_id": 5,
        "from": {"id": USER, "is_bot": False, "first_name": "Ann"},
        "chat": {"id": GROUP, "type": "supergroup", "title": "Test group"},
        "date": 0,
        "text": text,
    }
    if entities := detect_entities(text):
        message["entities"] = entities
    return message


# Texts that are, almost are, or are not commands for the bot.
TEXTS = st.one_of(
    st.text(),
    st.builds(
        str.__add__,
        st.sampled_from(
            [
                "/help@SimHelpBot",
                "/HELP@simhelpbot",
                "/help",
                "/x@OtherBot",
                "@SimHelpBot ",
                " /help@SimHelpBot",
            ]
        ),
        st.one_of(st.just(""), st.text(), st.sampled_from([" 第四步", "_x", "/y", "@x", "."])),
    ),
)
FOR_THE_BOT = re.compile(r"/[A-Za-z0-9_]{1,64}@SimHelpBot(?![A-Za-z0-9_/])", re.IGNORECASE)


@given(TEXTS)
def test_with_privacy_mode_only_commands_for_the_bot_get_through(text: str) -> None:
    assert bot_receives(group_message(text), GROUP_VIEW) == bool(FOR_THE_BOT.match(text))


@given(TEXTS, st.booleans())
def test_without_privacy_mode_or_as_admin_every_persons_message_gets_through(text: str, admin: bool) -> None:
    view = BotView(123456789, "SimHelpBot", privacy_mode=admin, is_admin=admin, last_bot_in_chat=None)
    assert bot_receives(group_message(text), view)
    assert not bot_receives(
        {**group_message(text), "from": {"id": OTHER_BOT, "is_bot": True, "first_name": "B"}}, view
    )
