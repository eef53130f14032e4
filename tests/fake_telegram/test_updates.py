"""Getting updates to the bot: getUpdates with Telegram's rules (offsets, long polls, allowed_updates)."""

from __future__ import annotations

import asyncio
import socket

import pytest
from telegram import Bot, ChatMemberAdministrator, ChatMemberMember
from telegram.error import Conflict

from fake_telegram import FakeBotApi
from tests.fake_telegram.conftest import GROUP, TOKEN, USER


async def test_updates_come_in_order_until_an_offset_confirms_them(api: FakeBotApi, bot: Bot) -> None:
    injected = [api.inject_message(text, user_id=USER) for text in ("/start", "one", "two")]
    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [u["update_id"] for u in injected]
    assert [u.message.text for u in updates if u.message] == ["/start", "one", "two"]
    again = await bot.get_updates(limit=2)  # not confirmed: the same again, limit honoured
    assert [u.update_id for u in again] == [u.update_id for u in updates[:2]]
    rest = await bot.get_updates(offset=updates[1].update_id + 1)
    assert [u.update_id for u in rest] == [updates[2].update_id]
    assert await bot.get_updates(offset=-1) == rest  # a negative offset: the last ones
    assert await bot.get_updates(offset=updates[2].update_id + 1) == ()
    assert api.pending_updates == []
    await api.wait_delivered(injected[2])


async def test_a_long_poll_answers_as_soon_as_an_update_arrives(api: FakeBotApi, bot: Bot) -> None:
    async def inject_later() -> None:
        await api.wait_until(lambda: api.pending_polls == 1)
        api.inject_message("late", user_id=USER)

    task = asyncio.create_task(inject_later())
    # A minute's long poll: answered when the update arrives (the guard only stops a hang).
    updates = await asyncio.wait_for(bot.get_updates(timeout=60, read_timeout=90), timeout=30)
    await task
    assert [u.message.text for u in updates if u.message] == ["late"]


async def test_allowed_updates_drop_other_types_and_a_webhook_blocks_polling(
    api: FakeBotApi, bot: Bot
) -> None:
    api.inject_inline_query("x", user_id=USER)
    kept = api.inject_message("kept", user_id=USER)
    assert [u.update_id for u in await bot.get_updates(allowed_updates=["message"])] == [kept["update_id"]]
    api.inject_inline_query("y", user_id=USER)
    # allowed_updates sticks until a getUpdates changes it
    assert await bot.get_updates(offset=kept["update_id"] + 1, timeout=0) == ()

    assert await bot.set_webhook("https://example.com/hook")
    with pytest.raises(Conflict, match=r"(?i)webhook is active"):
        await bot.get_updates()
    api.inject_message("dropped", user_id=USER)
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert api.pending_updates == []


async def test_a_second_poller_ends_the_first_with_409(api: FakeBotApi, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=3))
    await api.wait_until(lambda: api.pending_polls == 1, timeout=1)
    async with Bot(TOKEN, base_url=api.base_url) as other:
        assert await other.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates request"):
        await first


async def test_my_chat_member_is_delivered_by_default_and_only_if_allowed(api: FakeBotApi, bot: Bot) -> None:
    added = api.inject_my_chat_member(
        GROUP, old_status="left", new_status="member", from_user_id=USER, chat_title="SIM help"
    )
    [update] = await bot.get_updates(offset=0)
    change = update.my_chat_member
    assert change is not None
    assert update.update_id == added["update_id"]
    assert (change.chat.id, change.chat.title, change.from_user.id) == (GROUP, "SIM help", USER)
    assert (change.old_chat_member.status, change.new_chat_member.status) == ("left", "member")
    assert isinstance(change.new_chat_member, ChatMemberMember)
    assert change.new_chat_member.user.id == bot.id
    await bot.get_updates(offset=update.update_id + 1, allowed_updates=["message"])

    api.inject_my_chat_member(GROUP, old_status="member", new_status="administrator", from_user_id=USER)
    assert await bot.get_updates(timeout=0) == ()  # not in allowed_updates: dropped
    api.inject_my_chat_member(GROUP, old_status="administrator", new_status="member", from_user_id=USER)
    [promoted_back] = await bot.get_updates(allowed_updates=["my_chat_member"])
    assert promoted_back.my_chat_member is not None
    assert isinstance(promoted_back.my_chat_member.old_chat_member, ChatMemberAdministrator)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_waiting_times_out_with_the_calls_seen(api: FakeBotApi, bot: Bot) -> None:
    await bot.get_me()
    with pytest.raises(AssertionError, match=r"(?s)1 call\(s\) of answerCallbackQuery.*getMe \[ok\]"):
        await api.wait_for_calls("answerCallbackQuery", 1, timeout=0.1)
