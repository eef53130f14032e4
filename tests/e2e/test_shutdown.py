"""Stopping the real process (`python -m bot run`) with SIGTERM / SIGINT in the middle of a burst.

What a graceful stop must guarantee, checked against the fake Bot API running in this process:

* every update the bot fetched before it stopped polling is answered exactly once: by the first
  run, or — if it was still waiting when the run stopped — from the journal by the next one;
* the polling offset is committed: those updates are no longer pending on the server;
* each chat's answers in the first run are its first questions, in order (no gaps);
* the state is flushed to BOT_DATA_DIR/bot-state.sqlite3 with each person's place;
* after a restart with the same BOT_DATA_DIR the bot answers exactly what the first run did not
  (no duplicate, no loss), and "下一步" continues from the place remembered before the stop.

The bot takes 100 updates a poll, so a burst injected at once arrives in one batch. Replies are
slowed down on the server (a delayed sendMessage) so the signal lands while most of that batch is
still queued inside the bot; a second part of the burst is injected in slices right after the
signal (racing with the bot's last polls: any outcome is fine as long as each update is answered
once) and a third part once the bot has made its final getUpdates (so only the restarted bot can
fetch it). The invariants checked do not depend on how the races went.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.conversation.service import PersonState
from bot.storage.state_store import STATE_FILE, SQLiteStateStore
from bot.telegram.people import person_key
from bot.telegram.runtime.persistence import StatePersistence
from fake_telegram import Call, FakeBotApi
from tests.e2e.conftest import TOKEN

JSON = dict[str, Any]
REPO_ROOT = Path(__file__).resolve().parents[2]
WAIT = 20.0  # the longest any single wait may take
REPLY_DELAY = 0.08  # seconds the fake holds each sendMessage while the first bot runs

# question -> (first line of its answer, the section the asker is left in)
ANSWERS: dict[str, tuple[str, str]] = {
    "第一步": ("第 1 步 · 确认注销原因", "reasons"),
    "第二步": ("第 2 步 · 备份卡上的资料", "backup"),
    "第三步": ("第 3 步 · 联系运营商客服", "contact-support"),
    "第四步": ("第 4 步 · 去营业厅办理", "visit-store"),
    "第五步": ("第 5 步 · 注销后的注意事项", "after-cancel"),
    "4.1": ("第 4.1 步 · 去营业厅要带什么", "store-documents"),
    "卡丢了还能注销吗": ("支线 · SIM 卡丢失或损坏", "lost-card"),
}
# After the restart, "下一步" from someone whose last question was the key gets this first line.
NEXT_AFTER: dict[str, str] = {
    "第四步": "第 4.1 步 · 去营业厅要带什么",
    "4.1": "第 4.2 步 · 填写注销申请表",
    "第一步": "第 2 步 · 备份卡上的资料",
    "第五步": "第 5.1 步 · 归还绑定的设备",
}

USERS = [620_001 + n for n in range(10)]
QUIET = USERS[:4]  # ask only before the signal: their place must survive the restart as is
BUSY = USERS[4:]  # keep asking while the bot shuts down
# Each user's two questions before the signal (the quiet ones' second question is a NEXT_AFTER key).
ASKED_FIRST: list[tuple[str, str]] = [
    ("卡丢了还能注销吗", "第四步"),
    ("第二步", "4.1"),
    ("第三步", "第一步"),
    ("4.1", "第五步"),
    ("第一步", "第三步"),
    ("第二步", "卡丢了还能注销吗"),
    ("第三步", "第五步"),
    ("第四步", "第一步"),
    ("第五步", "第二步"),
    ("4.1", "第三步"),
]
# Interleaved, one round after the other; at most 4 per user overall (the flood limit is 8 in 10 s).
PART_A: list[tuple[int, str]] = [
    (user_id, pair[round_]) for round_ in (0, 1) for user_id, pair in zip(USERS, ASKED_FIRST, strict=True)
]
# Injected in slices 0, 1 and 3 ms after the signal: depending on timing a slice is fetched and
# answered by the stopping bot, pulled by its last long poll and ignored ("Updater stopped
# unexpectedly. Pulled updates will be ignored"), returned to its final getUpdates and ignored, or
# never fetched. Each way it must be answered exactly once, by the first run or by the second.
PART_B: list[tuple[float, list[tuple[int, str]]]] = [
    (0.0, [(BUSY[0], "第四步"), (BUSY[1], "第五步")]),
    (0.001, [(BUSY[2], "第一步"), (BUSY[3], "4.1")]),
    (0.002, [(BUSY[4], "卡丢了还能注销吗"), (BUSY[5], "第二步")]),
]
PART_C: list[tuple[int, str]] = list(
    zip(BUSY, ["第二步", "4.1", "第四步", "第三步", "第一步", "卡丢了还能注销吗"], strict=True)
)


@dataclass(frozen=True)
class Question:
    user_id: int
    text: str
    update_id: int


def first_line(message: JSON) -> str:
    return str(message.get("text") or "").split("\n", 1)[0]


def is_final_poll(call: Call) -> bool:
    """The getUpdates PTB makes after it stopped polling, to confirm the offset (no long poll)."""
    return call.method == "getUpdates" and float(call.params.get("timeout") or 0) == 0


@dataclass
class BotProcess:
    """One `python -m bot run` child process talking to the fake Bot API."""

    process: asyncio.subprocess.Process
    stderr_path: Path
    api: FakeBotApi

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    async def until(
        self, condition: Callable[[], object], what: str, *, timeout: float = WAIT, or_exit: bool = False
    ) -> bool:
        """Wait for `condition` on the fake; True once it holds.

        If the bot exits first: False with `or_exit`, else fail at once with the bot's log.
        """
        waiter = asyncio.ensure_future(self.api.wait_until(condition, timeout=timeout, what=what))
        exited = asyncio.ensure_future(self.process.wait())
        try:
            done, _ = await asyncio.wait({waiter, exited}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            exited.cancel()
        if waiter in done:
            waiter.result()  # raises the fake's AssertionError on a timeout
            return True
        waiter.cancel()
        with contextlib.suppress(asyncio.CancelledError, AssertionError):
            await waiter
        if or_exit:
            return False
        raise AssertionError(
            f"the bot exited ({self.process.returncode}) while waiting for {what}\n{self.stderr()}"
        )

    async def exited(self) -> None:
        """Wait for a clean exit: status 0, no traceback and no CRITICAL line in the log."""
        try:
            code = await asyncio.wait_for(self.process.wait(), timeout=WAIT)
        except TimeoutError:
            raise AssertionError(f"the bot did not exit within {WAIT}s\n{self.stderr()}") from None
        log = self.stderr()
        assert code == 0, f"exit status {code}\n{log}"
        assert "Traceback" not in log, log
        assert " CRITICAL " not in log, log


@contextlib.asynccontextmanager
async def bot_process(api: FakeBotApi, data_dir: Path, log_dir: Path, name: str) -> AsyncIterator[BotProcess]:
    """Start `python -m bot run`, wait until it long-polls; kill it on the way out if still alive."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(log_dir)),
        "PYTHONIOENCODING": "utf-8",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.root_url,
        "BOT_DATA_DIR": str(data_dir),
        "LOG_LEVEL": "INFO",
    }
    stderr_path = log_dir / f"{name}.stderr"
    with (log_dir / f"{name}.stdout").open("wb") as stdout, stderr_path.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=env,
            cwd=REPO_ROOT,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
        )
    bot = BotProcess(process, stderr_path, api)
    try:
        # The stop signals are handled from before the bootstrap, so once it polls they are safe.
        await bot.until(lambda: api.pending_polls > 0, "the bot to start polling")
        yield bot
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def ask(api: FakeBotApi, questions: list[tuple[int, str]]) -> list[Question]:
    return [
        Question(user_id, text, api.inject_message(text, chat_id=user_id, user_id=user_id)["update_id"])
        for user_id, text in questions
    ]


def headers(api: FakeBotApi, user_id: int, *, since: int = 0, until: int | None = None) -> list[str]:
    """First lines of the messages sent to `user_id` between two marks."""
    messages = api.sent(user_id, since=since)
    if until is not None:
        messages = messages[: len(messages) - len(api.sent(user_id, since=until))]
    return [first_line(message) for message in messages]


@pytest.mark.slow  # a bot process stopped by a signal: 2 s
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_a_stop_signal_during_a_burst_loses_nothing_and_answers_nothing_twice(
    api: FakeBotApi, tmp_path: Path, stop_signal: signal.Signals
) -> None:
    data_dir = tmp_path / "data"
    state_file = data_dir / STATE_FILE

    def answered() -> int:
        return len(api.calls_of("sendMessage"))

    # ---- first run: a burst, and the signal while most of it is still queued in the bot
    async with bot_process(api, data_dir, tmp_path, "first") as first:
        start = api.mark()
        api.delay_next("sendMessage", REPLY_DELAY, times=1000)
        part_a = ask(api, PART_A)
        await first.until(lambda: answered() >= 3, "the first replies")
        signalled_at = api.mark()
        first.process.send_signal(stop_signal)
        part_b: list[Question] = []
        for pause, batch in PART_B:  # races with the bot's last polls
            await asyncio.sleep(pause)
            part_b += ask(api, batch)

        def final_poll() -> int | None:
            return next(
                (n for n, call in enumerate(api.calls) if n >= signalled_at and is_final_poll(call)), None
            )

        await first.until(final_poll, "the final getUpdates", or_exit=True)
        part_c = ask(api, PART_C)  # polling has stopped: only the next run can fetch these
        await first.exited()
    first_run_end = api.mark()
    final_poll_at = final_poll()
    api.clear_faults()
    questions = [*part_a, *part_b, *part_c]
    pending = {update["update_id"] for update in api.pending_updates}

    # Part A was fetched before the signal, part C only after the final getUpdates.
    assert not pending & {q.update_id for q in part_a}, "updates fetched before the signal are still pending"
    assert {q.update_id for q in part_c} <= pending, (
        "updates injected after the final getUpdates were confirmed"
    )
    # Each chat's first-run answers are its first questions, once each, in order.
    committed: list[Question] = []
    for user_id in USERS:
        own = [q for q in questions if q.user_id == user_id]
        replies = headers(api, user_id, since=start, until=first_run_end)
        assert replies == [ANSWERS[q.text][0] for q in own[: len(replies)]], (
            f"chat {user_id}: the first run's replies are not its first questions in order"
        )
        committed += own[: len(replies)]
    # The offset was confirmed by a last getUpdates, and answers went on after it: the updates
    # queued inside the bot were handled, not dropped.
    assert final_poll_at is not None, "no getUpdates confirmed the offset after the signal"
    assert any(call.method == "sendMessage" for call in api.calls[final_poll_at + 1 : first_run_end])

    assert api.failed_calls() == []

    # The state was flushed on the way out (update_interval is 10 s; this run was shorter).
    assert state_file.exists(), "persistence was not flushed on the way out"
    saved = StatePersistence(SQLiteStateStore(state_file), update_interval=10)
    chat_data = await saved.get_chat_data()
    saved.close()
    for user_id in {q.user_id for q in committed}:
        last = [q for q in committed if q.user_id == user_id][-1]
        stored = chat_data.get(user_id, {}).get(person_key(user_id))
        assert stored is not None, f"no state for {user_id} in {state_file}"
        person = PersonState.from_json(stored)
        assert person.section_id == ANSWERS[last.text][1], f"chat {user_id}: stale state on disk"

    # ---- second run, same BOT_DATA_DIR: only what was still pending gets answered
    async with bot_process(api, data_dir, tmp_path, "second") as second:

        def all_answered() -> bool:
            return all(
                len(api.sent(user_id, since=start)) >= sum(q.user_id == user_id for q in questions)
                for user_id in USERS
            )

        await second.until(all_answered, "a reply to every question")
        resumed_at = api.mark()
        ask(api, [(user_id, "下一步") for user_id in QUIET])
        await second.until(
            lambda: all(api.sent(user_id, since=resumed_at) for user_id in QUIET), "the replies to 下一步"
        )
        second.process.send_signal(stop_signal)
        await second.exited()

    assert api.pending_updates == []
    assert api.failed_calls() == []
    for user_id in USERS:
        own = [q.text for q in questions if q.user_id == user_id]
        expected = [ANSWERS[text][0] for text in own]
        if user_id in QUIET:
            expected.append(NEXT_AFTER[own[-1]])  # continues from the place remembered on disk
        assert headers(api, user_id, since=start) == expected, (
            f"chat {user_id}: across both runs, not exactly one reply per question"
        )
