"""Faults on the wire: every question is answered exactly once, and the bot keeps running."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.telegram.runtime.app import AnyApplication
from fake_telegram import FakeBotApi
from tests.e2e.conftest import StartBot, buttons, reply_to

EVE = 501


@pytest.fixture
async def quick_bot(start_bot: StartBot) -> AsyncIterator[AnyApplication]:
    """The bot with a 1-second HTTP timeout, so "slower than the timeout" is quick to script."""
    async with start_bot(BOT_HTTP_TIMEOUT="1") as application:
        yield application


def delivered(api: FakeBotApi, chat_id: int, since: int) -> list[str]:
    """Texts the bot really delivered to `chat_id` (successful sendMessage calls)."""
    return [
        c.params["text"]
        for c in api.calls_of("sendMessage", since=since)
        if c.ok and int(c.params["chat_id"]) == chat_id
    ]


async def ask_through_fault(api: FakeBotApi, question: str, follow_up: str = "第五步") -> int:
    """Ask once under a scripted fault, then ask again to prove the bot is still running."""
    mark = api.mark()
    api.inject_message(question, chat_id=EVE, user_id=EVE)
    await api.wait_until(lambda: len(delivered(api, EVE, mark)) >= 1, timeout=10, what="the first answer")
    await reply_to(api, follow_up, chat_id=EVE, user_id=EVE, timeout=10)
    return mark


async def test_flood_control_429_is_respected_then_answered_once(api: FakeBotApi, quick_bot: object) -> None:
    api.fail_next("sendMessage", status=429, retry_after=1)
    mark = await ask_through_fault(api, "第四步")
    refused, accepted = api.calls_of("sendMessage", since=mark)[:2]
    assert refused.status == 429
    assert accepted.at - refused.at >= 1.0  # waited retry_after
    texts = delivered(api, EVE, mark)
    assert len(texts) == 2
    assert texts[0].startswith("<b>第 4 步")


@pytest.mark.parametrize("status", [500, 502])
async def test_server_errors_are_retried_and_answered_once(
    api: FakeBotApi, quick_bot: object, status: int
) -> None:
    api.fail_next("sendMessage", status=status)
    mark = await ask_through_fault(api, "第四步")
    texts = delivered(api, EVE, mark)
    assert len(texts) == 2
    assert texts[0].startswith("<b>第 4 步")


@pytest.mark.parametrize(
    ("fault", "processed"),
    [("drop", True), ("drop", False), ("malformed", True)],
    ids=["cut-after-delivery", "cut-before-delivery", "200-unreadable"],
)
async def test_a_send_that_may_have_reached_telegram_is_not_sent_again(
    api: FakeBotApi, quick_bot: object, fault: str, processed: bool
) -> None:
    # The request was written: Telegram may have acted on it or not — the bot cannot tell, and
    # sending again answered twice whenever it had (before: retried as if safe).
    if fault == "drop":
        api.drop_next("sendMessage", processed=processed)
    else:
        api.malformed_next("sendMessage", processed=processed)
    mark = api.mark()
    api.inject_message("第四步", chat_id=EVE, user_id=EVE)
    await api.wait_for_calls("sendMessage", since=mark)
    await reply_to(api, "第五步", chat_id=EVE, user_id=EVE, timeout=10)
    assert len(api.calls_of("sendMessage", since=mark)) == 2  # one attempt each: no retry, no apology
    shown = [m["text"] for m in api.sent(EVE, since=mark)]  # what the person sees in the chat
    assert len([t for t in shown if t.startswith("第 4 步")]) == (1 if processed else 0)


async def test_a_response_slower_than_the_timeout_is_not_sent_twice(
    api: FakeBotApi, quick_bot: object
) -> None:
    api.delay_next("sendMessage", 1.5)
    mark = await ask_through_fault(api, "第四步")
    texts = delivered(api, EVE, mark)
    assert len(texts) == 2  # the slow one did arrive; it was not repeated
    assert texts[0].startswith("<b>第 4 步")


@pytest.mark.slow  # waits out PTB's polling backoff: 1-2.5 s each
@pytest.mark.parametrize("fault", ["fail", "malformed", "drop"])
async def test_polling_survives_get_updates_failures(api: FakeBotApi, quick_bot: object, fault: str) -> None:
    if fault == "fail":
        api.fail_next("getUpdates", status=502, times=2)
    elif fault == "malformed":
        api.malformed_next("getUpdates")
    else:
        api.drop_next("getUpdates")
    mark = api.mark()
    api.inject_message("第四步", chat_id=EVE, user_id=EVE)
    await api.wait_until(
        lambda: len(delivered(api, EVE, mark)) >= 1, timeout=15, what="an answer after polling recovered"
    )
    await reply_to(api, "第五步", chat_id=EVE, user_id=EVE, timeout=10)
    assert len(delivered(api, EVE, mark)) == 2


async def test_message_is_not_modified_on_an_edit_is_harmless(api: FakeBotApi, quick_bot: object) -> None:
    [answer] = await reply_to(api, "/steps", chat_id=EVE, user_id=EVE)
    first = buttons(answer)[0]
    api.fail_next("editMessageText", status=400, description="Bad Request: message is not modified")
    mark = api.mark()
    api.inject_callback_query(first["callback_data"], message=answer, user_id=EVE)
    await api.wait_for_calls("answerCallbackQuery", since=mark)
    await reply_to(api, "第五步", chat_id=EVE, user_id=EVE)
