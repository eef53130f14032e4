"""Scripted faults: error answers, slow / lost / garbled answers, a revoked token, no network,
and updates PTB cannot parse."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
from typing import get_args

import httpx
import pytest
from telegram import Bot, Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import HTTPXRequest

from fake_telegram import FakeBotApi, PoisonKind
from tests.fake_telegram.conftest import TOKEN, USER


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_429_carries_retry_after_and_happens_once(api: FakeBotApi, bot: Bot) -> None:
    api.ensure_chat(USER)
    api.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "x")
    retry_after = caught.value.retry_after
    assert (retry_after.total_seconds() if isinstance(retry_after, dtm.timedelta) else retry_after) == 7
    assert (api.calls[-1].fault, api.calls[-1].error) == ("error 429", "Too Many Requests: retry after 7")
    assert (await bot.send_message(USER, "x")).text == "x"
    assert api.sent_texts(USER) == ["x"]


async def test_server_errors_are_network_errors_and_have_no_effect(api: FakeBotApi, bot: Bot) -> None:
    api.ensure_chat(USER)
    api.fail_next("sendMessage", status=500, times=2)
    api.fail_next("*", status=502)
    for _ in range(2):
        with pytest.raises(NetworkError) as caught:
            await bot.send_message(USER, "x")
        assert not isinstance(caught.value, BadRequest)
    with pytest.raises(NetworkError, match=r"(?i)Bad Gateway"):
        await bot.get_me()
    api.fail_next("sendMessage", status=400, description="Bad Request: custom")
    with pytest.raises(BadRequest, match=r"(?i)custom"):
        await bot.send_message(USER, "x")
    assert api.sent() == []
    assert len(api.failed_calls()) == 4


async def test_dropped_garbled_and_slow_answers(api: FakeBotApi, bot: Bot) -> None:
    api.ensure_chat(USER)
    api.drop_next("sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "dropped")
    api.drop_next("sendMessage", processed=True)  # delivered, but the answer is lost
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "lost answer")
    api.malformed_next("getMe")
    with pytest.raises(TelegramError, match=r"(?i)Invalid server response"):
        await bot.get_me()
    api.delay_next("sendMessage", 0.3)
    started = time.monotonic()
    assert (await bot.send_message(USER, "slow")).text == "slow"
    assert time.monotonic() - started >= 0.3
    assert api.sent_texts(USER) == ["lost answer", "slow"]
    assert [call.fault for call in api.calls[-4:-1]] == ["drop", "drop", "malformed"]


async def test_a_delayed_call_takes_effect_after_the_client_gave_up(api: FakeBotApi) -> None:
    api.ensure_chat(USER)
    api.delay_next("sendMessage", 0.3)
    async with Bot(TOKEN, base_url=api.base_url, request=HTTPXRequest(read_timeout=0.1)) as impatient:
        with pytest.raises(TimedOut):
            await impatient.send_message(USER, "slow")
        assert api.sent() == []
        [message] = await api.wait_for_sent(USER, 1, timeout=2)
    assert message["text"] == "slow"


async def test_an_unreachable_server_refuses_connections_then_comes_back_at_the_same_address() -> None:
    async with FakeBotApi(token=TOKEN, reachable=False) as api:
        bot = Bot(TOKEN, base_url=api.base_url)
        with pytest.raises(NetworkError):
            await bot.initialize()
        assert api.calls == []  # nothing got through
        await api.set_reachable(True)
        async with bot:
            assert (await bot.get_me()).username == "SimHelpBot"


async def test_going_offline_cuts_an_open_long_poll(api: FakeBotApi, bot: Bot) -> None:
    poll = asyncio.ensure_future(bot.get_updates(timeout=5))
    await api.wait_until(lambda: api.pending_polls == 1)
    await api.set_reachable(False)
    with pytest.raises(NetworkError):
        await poll
    with pytest.raises(NetworkError):
        await bot.get_me()
    await api.set_reachable(True)
    assert (await bot.get_me()).username == "SimHelpBot"


@pytest.mark.parametrize("kind", get_args(PoisonKind))
async def test_a_poison_update_reaches_the_wire_but_ptb_cannot_parse_it(
    api: FakeBotApi, kind: PoisonKind
) -> None:
    before = api.inject_message("before", user_id=USER)
    poison = api.inject_poison(kind, user_id=USER)
    after = api.inject_message("after", user_id=USER)
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{api.base_url}{TOKEN}/getUpdates", data={"timeout": "0"})
    batch = answer.json()["result"]
    assert [update["update_id"] for update in batch] == [u["update_id"] for u in (before, poison, after)]
    assert Update.de_json(batch[0], None).message is not None
    with pytest.raises((KeyError, TypeError, AttributeError)):
        Update.de_json(batch[1], None)


async def test_a_stall_after_some_calls_hangs_without_effect_until_the_client_gives_up(
    api: FakeBotApi, bot: Bot
) -> None:
    api.ensure_chat(USER)
    api.stall_next("sendMessage", times=5, after=2)
    assert [(await bot.send_message(USER, text)).text for text in ("a", "b")] == ["a", "b"]
    hanging = asyncio.ensure_future(bot.send_message(USER, "c"))
    await api.wait_until(lambda: api.stalled == 1)
    await asyncio.sleep(0.2)
    assert not hanging.done()
    hanging.cancel()  # the client gives up: the connection closes
    with pytest.raises(asyncio.CancelledError):
        await hanging
    await api.wait_until(lambda: api.stalled == 0)
    [stalled] = [call for call in api.calls_of("sendMessage") if call.fault == "stall"]
    assert stalled.abandoned
    assert api.failed_calls() == []
    assert api.sent_texts(USER) == ["a", "b"]  # "c" never took effect
