"""Running for real: floods, Telegram errors, logs without secrets, memory across restarts."""

from __future__ import annotations

import io
import time
from dataclasses import replace
from pathlib import Path

import pytest

from bot.conversation.service import PersonState
from bot.kb.base import KnowledgeBase
from bot.kb.message_keys import MessageKey
from bot.storage.state_store import STATE_FILE
from bot.telegram.people import person_key
from bot.telegram.runtime.app import AnyApplication
from fake_telegram import FakeBotApi
from tests.e2e.conftest import TOKEN, StartBot, assert_silent, reply_to

DAN = 401


async def test_a_burst_is_dropped_after_one_notice(api: FakeBotApi, bot: object, kb: KnowledgeBase) -> None:
    mark = api.mark()
    for number in range(12):
        api.inject_message(f"第{number % 5 + 1}步", chat_id=DAN, user_id=DAN)
    await api.wait_for_sent(DAN, count=9, since=mark)
    await assert_silent(api, DAN, api.mark())
    texts = api.sent_texts(DAN, since=mark)
    assert len(texts) == 9
    assert texts[8] == kb.messages.get("flood", "zh-Hans")


@pytest.mark.slow  # waits out the retries' backoff: 3.5 s
async def test_the_bot_keeps_running_through_server_errors(api: FakeBotApi, bot: object) -> None:
    api.fail_next(
        "sendMessage", status=500, description="Internal Server Error", times=4
    )  # every retry fails
    api.inject_message("第四步", chat_id=DAN, user_id=DAN)
    await api.wait_until(
        lambda: len([c for c in api.calls_of("sendMessage") if c.status == 500]) == 4, timeout=10
    )
    [reply] = await reply_to(api, "第五步", chat_id=DAN, user_id=DAN)
    assert reply["text"].startswith("第 5 步")


async def test_context_survives_a_restart(api: FakeBotApi, start_bot: StartBot, data_dir: Path) -> None:
    async with start_bot():
        [first] = await reply_to(api, "第四步", chat_id=DAN, user_id=DAN)
        assert first["text"].startswith("第 4 步")
    assert (data_dir / STATE_FILE).exists()
    async with start_bot():
        [follow] = await reply_to(api, "下一步", chat_id=DAN, user_id=DAN)
        assert follow["text"].startswith("第 4.1 步")


async def test_context_expires_after_thirty_minutes(
    api: FakeBotApi, bot: AnyApplication, kb: KnowledgeBase
) -> None:
    await reply_to(api, "第四步", chat_id=DAN, user_id=DAN)
    person = PersonState.from_json(bot.chat_data[DAN][person_key(DAN)])
    bot.chat_data[DAN][person_key(DAN)] = replace(person, updated_at=time.time() - 31 * 60).to_json()
    [reply] = await reply_to(api, "下一步", chat_id=DAN, user_id=DAN)
    assert reply["text"].startswith(kb.messages.get(MessageKey.NO_CONTEXT, "zh-Hans"))


async def test_no_message_text_is_written_to_disk(
    api: FakeBotApi, start_bot: StartBot, data_dir: Path
) -> None:
    questions = [
        "我的阿尔巴尼亚卡丢了要怎么注销呢",
        "what should I take with me to the shop",
        "讲个笑话吧朋友",
    ]
    async with start_bot(BOT_LOG_UNANSWERED="0"):
        for question in questions:
            await reply_to(api, question, chat_id=DAN, user_id=DAN)
    stored = b"".join(path.read_bytes() for path in data_dir.rglob("*") if path.is_file())
    assert stored  # the state file exists
    for question in questions:
        assert question.encode() not in stored
        assert question.encode("utf-16-le") not in stored


async def test_debug_logs_never_show_the_token_or_what_users_wrote(
    api: FakeBotApi, start_bot: StartBot, log_stream: io.StringIO
) -> None:
    questions = ["卡丢了还能注销吗", "my passport number is E12345678, help", "tell me a joke please"]
    async with start_bot(LOG_LEVEL="DEBUG"):
        for question in questions:
            await reply_to(api, question, chat_id=DAN, user_id=DAN)
        api.fail_next("sendMessage", status=502, description="Bad Gateway")
        await reply_to(api, "第四步", chat_id=DAN, user_id=DAN)  # answered after one retry
    logs = log_stream.getvalue()
    assert logs  # the scenario did log
    assert TOKEN not in logs
    assert TOKEN.split(":")[1] not in logs
    for question in [*questions, "第四步"]:
        assert question not in logs
    assert "E12345678" not in logs
