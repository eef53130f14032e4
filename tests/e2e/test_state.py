"""The bot's state on disk: JSON in SQLite, saved in spite of failures, forgotten after 30 days,
and never a reason not to start.

The first tests start the real process on files an earlier run (or a crash) left behind; the
others run the real Application in this process against the fake Bot API, with a short save
interval and, where 30 days must pass, a clock the test moves.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import pickle
import sqlite3
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest

from bot.conversation.service import PersonState
from bot.storage.state_store import STATE_FILE, SQLiteStateStore, StateBatch, StoredEntry
from bot.storage.unanswered import DATABASE_FILE, UnansweredLog
from bot.telegram.people import LANGUAGE_KEY, person_key
from bot.telegram.runtime.app import AnyApplication, build_application, running_application
from bot.telegram.runtime.persistence import FORGET_AFTER_SECONDS, LEGACY_PICKLE_FILE
from bot.understanding.answer import Responder
from fake_telegram import FakeBotApi
from tests.e2e.conftest import bot_settings, reply_to
from tests.e2e.real_process import bot_environment, running_bot

ANN, BEN, SENTINEL = 3101, 3102, 3999
DAY = 86400.0


def saved(data_dir: Path, table: str = "chat_data") -> dict[int, dict[str, object]]:
    """The rows of the state file, read with plain sqlite3 and json: no bot code involved."""
    with sqlite3.connect(data_dir / STATE_FILE) as db:
        rows = db.execute(f"SELECT id, data FROM {table}").fetchall()
    return {row_id: json.loads(text) for row_id, text in rows}


def warnings_in(log: str) -> list[str]:
    return [line for line in log.splitlines() if " WARNING " in line]


def moved_aside(data_dir: Path, name: str, reason: str) -> list[Path]:
    return [
        path
        for path in data_dir.glob(f"{name}.{reason}-*")
        if not path.name.endswith(("-wal", "-shm", "-journal"))
    ]


def earlier_state(path: Path, people: int = 3000) -> None:
    """A state file as a long-running bot leaves it: thousands of rows over many pages."""
    store = SQLiteStateStore(path)
    now = time.time()
    entry = StoredEntry(json.dumps({"lang": "en", "padding": "x" * 200}), now)
    store.save_batch(StateBatch(upserts={"user": dict.fromkeys(range(1, people + 1), entry)}))
    store.close()


# ---- the real process, on what an earlier run left behind


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
async def test_a_damaged_state_file_is_moved_aside_with_one_warning_and_the_bot_answers(
    api: FakeBotApi, tmp_path: Path, damage: str
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    state = data_dir / STATE_FILE
    earlier_state(state)
    whole = state.read_bytes()
    damaged = whole[: len(whole) // 2] if damage == "truncated" else os.urandom(len(whole))
    state.write_bytes(damaged)

    async with running_bot(api, bot_environment(api.root_url, data_dir), tmp_path) as bot:
        [reply] = await reply_to(api, "第四步", chat_id=ANN, user_id=ANN)
        assert reply["text"].startswith("第 4 步")
        assert await bot.stop() == 0

    log = bot.stderr()
    assert "Traceback" not in log
    [warning] = warnings_in(log)
    assert "moved to bot-state.sqlite3.damaged-" in warning
    [kept] = moved_aside(data_dir, STATE_FILE, "damaged")
    assert kept.read_bytes() == damaged  # kept as it was, for whoever wants to look
    assert ANN in saved(data_dir)  # the fresh state file works


async def test_a_damaged_unanswered_log_is_moved_aside_with_one_warning_and_the_bot_answers(
    api: FakeBotApi, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    log_file = data_dir / DATABASE_FILE
    log_file.write_bytes(b"SQLite format 3\x00" + os.urandom(8000))

    async with running_bot(api, bot_environment(api.root_url, data_dir), tmp_path) as bot:
        [reply] = await reply_to(api, "tell me a joke", chat_id=ANN, user_id=ANN, language_code="en")
        assert reply["text"]
        assert await bot.stop() == 0

    log = bot.stderr()
    assert "Traceback" not in log
    [warning] = warnings_in(log)
    assert "unanswered-questions log" in warning
    assert "moved to unanswered.sqlite3.damaged-" in warning
    assert len(moved_aside(data_dir, DATABASE_FILE, "damaged")) == 1
    fresh = UnansweredLog(log_file)
    assert [group.text for group in fresh.most_frequent(0)] == ["tell me a joke"]
    fresh.close()


class _Trap:
    """Unpickling this creates a directory: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Callable[[str], None], tuple[str]]:
        return (os.mkdir, (str(self.marker),))


async def test_a_leftover_pickle_is_moved_aside_unread_with_one_warning(
    api: FakeBotApi, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    # The trap works: loading one runs code.
    pickle.loads(pickle.dumps(_Trap(tmp_path / "proof")))
    assert (tmp_path / "proof").is_dir()
    marker = tmp_path / "code-ran"
    (data_dir / LEGACY_PICKLE_FILE).write_bytes(pickle.dumps({"user_data": {ANN: _Trap(marker)}}))

    async with running_bot(api, bot_environment(api.root_url, data_dir), tmp_path) as bot:
        [reply] = await reply_to(api, "第四步", chat_id=ANN, user_id=ANN)
        assert reply["text"].startswith("第 4 步")
        assert await bot.stop() == 0

    assert not marker.exists(), "the old pickle was loaded: it ran code from the data directory"
    log = bot.stderr()
    [warning] = warnings_in(log)
    assert "bot-state.pickle is from an earlier version and is not read" in warning
    assert not (data_dir / LEGACY_PICKLE_FILE).exists()
    assert len(moved_aside(data_dir, LEGACY_PICKLE_FILE, "unused")) == 1
    assert ANN in saved(data_dir)


# ---- the real Application in this process


class MovableClock:
    """Now, or later: tests move it forward to let 30 days pass."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


StartApp = Callable[..., AbstractAsyncContextManager[AnyApplication]]


@pytest.fixture
def start_app(api: FakeBotApi, data_dir: Path, responder: Responder) -> StartApp:
    """Like conftest's start_bot, with the save interval and clock under the test's control."""

    def start(
        *, save_interval: float = 3600.0, clock: Callable[[], float] = time.time
    ) -> AbstractAsyncContextManager[AnyApplication]:
        application = build_application(
            bot_settings(api, data_dir), responder, save_interval=save_interval, clock=clock
        )
        return running_application(application, poll_timeout=1)

    return start


async def handled(api: FakeBotApi) -> None:
    """Wait until every update injected so far is fully handled (the data marked for saving).

    A reply is sent before its handler returns; updates are handled one at a time, so once a
    later message is answered, the one before it is done.
    """
    await reply_to(api, "/help", chat_id=SENTINEL, user_id=SENTINEL)


async def eventually(condition: Callable[[], object], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def test_the_state_on_disk_is_json_per_user_and_per_chat(
    api: FakeBotApi, start_app: StartApp, data_dir: Path
) -> None:
    async with start_app() as app:
        await reply_to(api, "第四步", chat_id=ANN, user_id=ANN)
        app.user_data[ANN]["lang"] = "en"  # what /lang stores
    users, chats = saved(data_dir, "user_data"), saved(data_dir, "chat_data")
    assert users[ANN] == {"lang": "en"}
    assert set(chats) == {ANN}
    assert PersonState.from_json(chats[ANN][person_key(ANN)]).section_id is not None


@pytest.mark.slow  # waits for the next save: 2.7 s
async def test_a_failing_save_is_logged_retried_and_the_state_saved_later(
    api: FakeBotApi, start_app: StartApp, data_dir: Path, log_stream: io.StringIO
) -> None:
    question = "第四步"
    async with start_app(save_interval=0.2) as app:
        await reply_to(api, "/help", chat_id=BEN, user_id=BEN)
        await eventually(lambda: BEN in saved(data_dir), "the first save")
        # Another process takes the write lock (a backup, an operator's sqlite3 shell): saves fail.
        blocker = sqlite3.connect(data_dir / STATE_FILE, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            [reply] = await reply_to(api, question, chat_id=ANN, user_id=ANN)
            assert reply["text"].startswith("第 4 步")  # answering goes on
            await eventually(lambda: "state not saved" in log_stream.getvalue(), "a failed save", 15)
            assert ANN not in saved(data_dir)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        # PTB's save loop survived the failure: the next save writes what was kept.
        await eventually(lambda: ANN in saved(data_dir), "the retried save", 15)
        assert app.running
    log = log_stream.getvalue()
    [failure, *_] = [line for line in log.splitlines() if "state not saved" in line]
    assert "database is locked" in failure
    assert question not in log
    assert str(ANN) not in failure


async def test_a_value_that_is_not_json_is_skipped_and_reported_by_type_only(
    api: FakeBotApi, start_app: StartApp, data_dir: Path, log_stream: io.StringIO
) -> None:
    async with start_app() as app:
        await reply_to(api, "第四步", chat_id=ANN, user_id=ANN)
        await handled(api)
        app.chat_data[ANN]["secret-set"] = {"+355 69 123 4567"}
        app.user_data[ANN]["lang"] = "en"
        app.mark_data_for_update_persistence(chat_ids=ANN, user_ids=ANN)
        await app.update_persistence()
        await app.update_persistence()  # reported once, not at every save
    chat = saved(data_dir)[ANN]
    assert "secret-set" not in chat
    assert person_key(ANN) in chat  # the rest of the chat's data was saved
    assert saved(data_dir, "user_data")[ANN] == {"lang": "en"}
    log = log_stream.getvalue()
    reports = [line for line in log.splitlines() if "not JSON-compatible" in line]
    assert len(reports) == 1
    assert "a set in chat_data" in reports[0]
    assert "355" not in log


async def test_people_unseen_for_30_days_are_forgotten_in_memory_and_on_disk(
    api: FakeBotApi, start_app: StartApp, data_dir: Path
) -> None:
    clock = MovableClock()
    async with start_app(clock=clock) as app:
        await reply_to(api, "第四步", chat_id=ANN, user_id=ANN)
        await handled(api)
        clock.advance(20 * DAY)
        await reply_to(api, "第五步", chat_id=BEN, user_id=BEN)
        await handled(api)
        app.user_data[BEN]["lang"] = "zh-Hans"  # what /lang stores: a user row worth keeping
        app.mark_data_for_update_persistence(user_ids=BEN)
        await app.update_persistence()
        assert {ANN, BEN} <= set(app.chat_data) & set(saved(data_dir))

        clock.advance(11 * DAY)  # Ann: 31 days of silence; Ben: 11
        await app.update_persistence()
        assert ANN not in app.user_data
        assert ANN not in app.chat_data
        assert BEN in app.chat_data
        assert ANN not in saved(data_dir)
        assert ANN not in saved(data_dir, "user_data")
        assert BEN in saved(data_dir)
        assert BEN in saved(data_dir, "user_data")

        # Ann comes back: she starts afresh, and is remembered again from now on.
        [reply] = await reply_to(api, "下一步", chat_id=ANN, user_id=ANN)
        assert not reply["text"].startswith("第 4.1 步")
        await handled(api)
        await app.update_persistence()
        assert ANN in saved(data_dir)


async def test_users_with_nothing_to_keep_are_dropped_in_memory_and_on_disk(
    api: FakeBotApi, start_app: StartApp, data_dir: Path
) -> None:
    async with start_app() as app:
        await reply_to(api, "第四步", chat_id=ANN, user_id=ANN)
        await reply_to(api, "第五步", chat_id=BEN, user_id=BEN)
        await handled(api)
        app.user_data[BEN]["lang"] = "en"
        app.mark_data_for_update_persistence(user_ids=BEN)
        await app.update_persistence()
        assert ANN not in app.user_data  # nothing chosen: nothing kept
        assert app.user_data[BEN] == {"lang": "en"}
        await app.update_persistence()
        assert ANN not in saved(data_dir, "user_data")
        assert ANN in saved(data_dir)  # her place in the guide is in the chat's data
        # She writes again: PTB gives her a new dict, and her choice is kept from then on.
        await reply_to(api, "/lang en", chat_id=ANN, user_id=ANN)
        await handled(api)
        await app.update_persistence()
        assert app.user_data[ANN] == {LANGUAGE_KEY: "en"}
    assert saved(data_dir, "user_data")[ANN] == {LANGUAGE_KEY: "en"}
    assert saved(data_dir, "user_data")[BEN] == {"lang": "en"}


async def test_people_last_seen_more_than_30_days_ago_are_not_loaded_at_start(
    api: FakeBotApi, start_app: StartApp, data_dir: Path
) -> None:
    data_dir.mkdir(parents=True)
    now = time.time()
    store = SQLiteStateStore(data_dir / STATE_FILE)
    store.save_batch(
        StateBatch(
            upserts={
                "user": {
                    ANN: StoredEntry('{"lang":"en"}', now - FORGET_AFTER_SECONDS - DAY),
                    BEN: StoredEntry('{"lang":"en"}', now - DAY),
                }
            }
        )
    )
    store.close()
    async with start_app() as app:
        assert ANN not in app.user_data
        assert app.user_data[BEN] == {"lang": "en"}
        assert set(saved(data_dir, "user_data")) == {BEN}
        [reply] = await reply_to(api, "/help", chat_id=BEN, user_id=BEN, language_code="zh-hans")
        assert "用自己的话" not in reply["text"]  # Ben's saved choice (English) wins over his client's
