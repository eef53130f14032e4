"""The journal and the per-chat lines, in process: unreadable updates, replays, fairness, buttons."""

from __future__ import annotations

import io
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest

from bot.storage.update_journal import JOURNAL_FILE, JournalEntry, SQLiteUpdateJournal
from bot.telegram.people import BUTTON_PRESSES_PER_WINDOW
from bot.telegram.runtime.app import AnyApplication, build_application, running_application
from bot.telegram.runtime.stored_update import redacted_update
from bot.understanding.answer import Responder
from fake_telegram import FakeBotApi
from tests.e2e.conftest import BOT_USERNAME, buttons, reply_to

Start = Callable[..., AbstractAsyncContextManager[AnyApplication]]
GROUP = -100_777


@pytest.fixture
def start(api: FakeBotApi, data_dir: Path, responder: Responder) -> Start:
    """Like conftest's start_bot, with a short stop (what is queued then stays in the journal)."""
    from tests.e2e.conftest import bot_settings

    def started(**extra: str) -> AbstractAsyncContextManager[AnyApplication]:
        settings = bot_settings(api, data_dir, **extra)
        return running_application(build_application(settings, responder, stop_within=0.5), poll_timeout=1)

    return started


@pytest.fixture
async def bot(start: Start) -> AsyncIterator[AnyApplication]:
    async with start() as application:
        yield application


def first_lines(api: FakeBotApi, chat_id: int, since: int = 0) -> list[str]:
    return [text.split("\n", 1)[0] for text in api.sent_texts(chat_id, since=since)]


async def test_unreadable_updates_in_a_batch_are_skipped_and_logged_once_without_their_text(
    api: FakeBotApi, start: Start, log_stream: io.StringIO
) -> None:
    # One batch: good and unreadable updates interleaved, an unreadable one last of all.
    askers = [801, 802, 803]
    api.inject_message("第四步", chat_id=askers[0], user_id=askers[0])
    api.inject_poison("message-without-date", user_id=810)
    api.inject_message("第五步", chat_id=askers[1], user_id=askers[1])
    api.inject_poison("message-is-a-string", user_id=811)
    api.inject_message("第一步", chat_id=askers[2], user_id=askers[2])
    last = api.inject_poison("entity-without-type", user_id=812)
    async with start():
        for asker in askers:
            await api.wait_for_sent(asker)
        polls = len(api.calls_of("getUpdates"))
        await api.wait_until(lambda: api.pending_updates == [], what="the unreadable last update confirmed")
        mark = api.mark()
        await reply_to(api, "第二步", chat_id=804, user_id=804)  # still polling and answering
        await api.wait_for_calls("getUpdates", count=2, since=mark, timeout=5)
    assert [first_lines(api, asker) for asker in askers] == [
        ["第 4 步 · 去营业厅办理"],
        ["第 5 步 · 注销后的注意事项"],
        ["第 1 步 · 确认注销原因"],
    ]
    assert len(api.calls_of("getUpdates")) < polls + 10  # long polls, not a loop hammering getUpdates
    log = log_stream.getvalue()
    for poison_id in range(int(last["update_id"]) - 4, int(last["update_id"]) + 1, 2):
        assert log.count(f"update {poison_id} could not be read") == 1, log
    assert "hello" not in log  # the unreadable updates' text
    assert "第四步" not in log
    assert len(log.encode()) < 100_000


async def test_an_update_left_unfinished_is_answered_first_at_start_and_its_redelivery_ignored(
    api: FakeBotApi, data_dir: Path, start: Start
) -> None:
    # The last run journalled (and confirmed) this one but stopped before answering it; Telegram
    # did not get the confirmation and sends it again.
    left = api.inject_message("第四步 0691234567", chat_id=820, user_id=820)
    data_dir.mkdir(parents=True)
    journal = SQLiteUpdateJournal(data_dir / JOURNAL_FILE)
    journal.record([JournalEntry(int(left["update_id"]), json.dumps(redacted_update(left)))])
    journal.close()
    async with start():
        await api.wait_for_sent(820)
        await reply_to(api, "第五步", chat_id=820, user_id=820)
        await api.wait_until(lambda: api.pending_updates == [], what="the redelivery confirmed")
    assert first_lines(api, 820) == ["第 4 步 · 去营业厅办理", "第 5 步 · 注销后的注意事项"]
    assert SQLiteUpdateJournal(data_dir / JOURNAL_FILE).unfinished() == []


async def test_a_private_question_is_not_held_up_by_a_busy_group(
    api: FakeBotApi, bot: AnyApplication
) -> None:
    # Thirty people ask in one group: Telegram allows about 20 posts a minute there, so the
    # rate limiter holds the group's replies back; someone asking privately must not wait.
    mark = api.mark()
    for n in range(30):
        api.inject_message(f"@{BOT_USERNAME} 第四步", chat_id=GROUP, user_id=830 + n, chat_type="supergroup")
    await api.wait_for_sent(GROUP, count=20, since=mark, timeout=10)
    asked = time.monotonic()
    [answer] = await reply_to(api, "第五步", chat_id=870, user_id=870)
    assert time.monotonic() - asked < 2.0
    assert answer["text"].startswith("第 5 步")
    assert len(api.sent(GROUP, since=mark)) < 30  # the group really was held back meanwhile


async def test_a_flood_of_button_presses_is_answered_without_editing_each_time(
    api: FakeBotApi, bot: AnyApplication
) -> None:
    [steps] = await reply_to(api, "/steps", chat_id=880, user_id=880)
    press = buttons(steps)[0]["callback_data"]
    mark = api.mark()
    queries = [api.inject_callback_query(press, message=steps, user_id=880) for _ in range(200)]
    await api.wait_for_calls("answerCallbackQuery", count=200, since=mark, timeout=15)
    [other] = await reply_to(api, "第五步", chat_id=881, user_id=881)
    assert other["text"].startswith("第 5 步")
    answered = [call for call in api.calls_of("answerCallbackQuery", since=mark) if call.ok]
    assert sorted(str(call.params["callback_query_id"]) for call in answered) == sorted(
        str(query["callback_query"]["id"]) for query in queries
    )
    edits = api.calls_of("editMessageText", since=mark)
    assert len(edits) <= BUTTON_PRESSES_PER_WINDOW
    notices = [call for call in answered if call.params.get("text")]
    assert len(notices) >= 1  # told once that they are too fast (plus any stale-button notices)
