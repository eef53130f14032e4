"""JournalBot.get_updates on its own, against the fake Bot API: what it hands out and confirms."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage.update_journal import JOURNAL_FILE, SQLiteUpdateJournal
from bot.telegram.runtime.app import journal_bot
from bot.telegram.runtime.intake import JournalBot, UpdateIntake
from fake_telegram import FakeBotApi
from tests.e2e.conftest import bot_settings


@pytest.fixture
async def polling_bot(api: FakeBotApi, data_dir: Path) -> AsyncIterator[JournalBot]:
    data_dir.mkdir(parents=True)
    intake = UpdateIntake(SQLiteUpdateJournal(data_dir / JOURNAL_FILE))
    async with journal_bot(bot_settings(api, data_dir), intake, None) as bot:
        yield bot
    intake.close()


async def test_a_batch_that_arrives_while_stopping_is_kept_for_the_next_start_and_confirmed(
    api: FakeBotApi, polling_bot: JournalBot
) -> None:
    asked = [api.inject_message("第四步", chat_id=chat, user_id=chat) for chat in (1, 2)]
    polling_bot.accept_while(lambda: False)  # the Updater is stopping
    assert await polling_bot.get_updates(timeout=0) == ()  # nothing for PTB to drop with a CRITICAL
    unfinished = polling_bot.intake.unfinished(polling_bot)
    assert [update.update_id for update in unfinished] == [update["update_id"] for update in asked]
    await polling_bot.get_updates(timeout=0)  # the Updater's last call confirms them
    assert api.pending_updates == []


async def test_an_update_seen_by_an_earlier_run_is_not_handed_out_again(
    api: FakeBotApi, data_dir: Path
) -> None:
    data_dir.mkdir(parents=True)
    settings = bot_settings(api, data_dir)
    first = api.inject_message("第四步", chat_id=3, user_id=3)
    intake = UpdateIntake(SQLiteUpdateJournal(data_dir / JOURNAL_FILE))
    async with journal_bot(settings, intake, None) as earlier:
        [update] = await earlier.get_updates(timeout=0)
        intake.finish(update.update_id)
    intake.close()
    api.inject_raw(first)  # Telegram sends it again: the earlier run never confirmed it
    second = api.inject_message("第五步", chat_id=3, user_id=3)
    intake = UpdateIntake(SQLiteUpdateJournal(data_dir / JOURNAL_FILE))
    async with journal_bot(settings, intake, None) as restarted:
        assert [u.update_id for u in await restarted.get_updates(timeout=0)] == [second["update_id"]]
    intake.close()


async def test_an_unreadable_update_at_the_end_of_a_batch_is_confirmed_too(
    api: FakeBotApi, polling_bot: JournalBot
) -> None:
    good = api.inject_message("第四步", chat_id=4, user_id=4)
    api.inject_poison("message-is-a-string", user_id=5)
    assert [u.update_id for u in await polling_bot.get_updates(timeout=0)] == [good["update_id"]]
    # PTB's Updater would ask from the last update it was given + 1: the poison would come back.
    assert await polling_bot.get_updates(offset=int(good["update_id"]) + 1, timeout=0) == ()
    assert api.pending_updates == []
