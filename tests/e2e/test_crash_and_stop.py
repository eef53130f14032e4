"""The real process (`python -m bot run`) killed, or stopped with a full queue: nothing is lost,
nothing is answered twice.

* kill -9 after 10 of 60 answers: the 50 others were fetched (and confirmed to Telegram) but not
  answered; the journal hands them out again at the next start.
* SIGTERM while 40 replies to one group wait on Telegram's 20-a-minute limit: the process exits
  well inside the 10 s Docker and systemd give it, and the next start answers the rest.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.storage.update_journal import JOURNAL_FILE
from fake_telegram import FakeBotApi
from tests.e2e.conftest import BOT_USERNAME
from tests.e2e.real_process import bot_environment, running_bot

pytestmark = pytest.mark.slow
GROUP = -100_555
WAIT = 30.0


def finished_in_journal(data_dir: Path) -> int:
    """Updates the bot has marked done, read from its journal by another process (as it runs)."""
    path = data_dir / JOURNAL_FILE
    if not path.exists():
        return 0
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return int(db.execute("SELECT count(*) FROM updates WHERE done_at IS NOT NULL").fetchone()[0])


async def eventually(condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    """Poll a condition on another process's files (there is nothing to wait on)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.05)


def replies_per_chat(api: FakeBotApi, chats: list[int]) -> dict[int, int]:
    return {chat: len(api.sent(chat)) for chat in chats}


async def test_kill_9_after_10_of_60_answers_then_a_restart_answers_the_other_50_once(
    api: FakeBotApi, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    env = bot_environment(api.root_url, data_dir)
    people = [900_001 + n for n in range(60)]
    api.stall_next("sendMessage", times=10_000, after=10)  # after 10 answers Telegram stops answering
    for person in people:
        api.inject_message("第四步", chat_id=person, user_id=person)
    async with running_bot(api, env, tmp_path) as first:
        await api.wait_until(lambda: len(api.sent()) >= 10, timeout=WAIT, what="the first 10 answers")
        # Kill only once each answer that went out is marked done: a kill between Telegram
        # taking a reply and the journal noting it would send that one again (at-least-once).
        await eventually(lambda: finished_in_journal(data_dir) >= 10, "10 updates finished in the journal")
        first.process.kill()
        await first.process.wait()
    assert len(api.sent()) == 10
    assert api.pending_updates == []  # Telegram had been told all 60 were received
    api.clear_faults()
    async with running_bot(api, env, tmp_path) as second:
        await api.wait_until(
            lambda: all(api.sent(person) for person in people), timeout=WAIT, what="an answer for everyone"
        )
        await eventually(lambda: finished_in_journal(data_dir) >= 60, "all 60 finished in the journal")
        assert await second.stop() == 0
    assert set(replies_per_chat(api, people).values()) == {1}
    assert all(text.startswith("<b>第 4 步") or text.startswith("第 4 步") for text in api.sent_texts())


async def test_sigterm_with_40_group_replies_queued_exits_within_10_s_and_the_rest_come_after_a_restart(
    api: FakeBotApi, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    env = bot_environment(api.root_url, data_dir)
    askers = [910_001 + n for n in range(40)]
    async with running_bot(api, env, tmp_path) as first:
        for asker in askers:
            api.inject_message(
                f"@{BOT_USERNAME} 第四步", chat_id=GROUP, user_id=asker, chat_type="supergroup"
            )
        # Telegram allows a group about 20 posts a minute: the rate limiter sends 20, then holds.
        await api.wait_for_sent(GROUP, count=20, timeout=WAIT)
        signalled = time.monotonic()
        first.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(first.process.wait(), timeout=WAIT)
        took = time.monotonic() - signalled
        log = first.stderr()
    assert code == 0, log
    assert took < 9.5, f"SIGTERM took {took:.1f}s\n{log}"
    assert "CRITICAL" not in log, log
    assert "Traceback" not in log, log
    answered_first = len(api.sent(GROUP))
    assert answered_first < 40  # the rest waited: this stop really had a queue to leave behind
    async with running_bot(api, env, tmp_path) as second:
        await api.wait_for_sent(GROUP, count=40, timeout=WAIT)
        await eventually(lambda: finished_in_journal(data_dir) >= 40, "all 40 finished in the journal")
        assert await second.stop() == 0
    replied_to = [message["reply_to_message"]["from"]["id"] for message in api.sent(GROUP)]
    assert sorted(replied_to) == askers  # each asker answered exactly once, across both runs
    print(f"\nSIGTERM with {40 - answered_first} replies queued: exited in {took:.2f}s")
