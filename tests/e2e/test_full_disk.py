"""A full disk under BOT_DATA_DIR: the bot starts anyway and answers, but confirms nothing to
Telegram that it could not journal — so a kill -9 then loses nothing: Telegram still holds every
update (for 24 hours) and the next start answers them.

The real process, in a private mount namespace with a full tmpfs at its data directory
(tests/e2e/real_process.py): ENOSPC is the kernel's answer, not a simulation.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fake_telegram import FakeBotApi
from tests.e2e.real_process import bot_environment, in_small_filesystem, running_bot

pytestmark = pytest.mark.slow  # `python -m bot run` as a process, killed and started again: 3 s

PEOPLE = range(7001, 7011)


async def test_on_a_full_disk_the_bot_answers_but_confirms_nothing_and_a_kill_loses_nothing(
    api: FakeBotApi, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    full = in_small_filesystem(data_dir, "size=256k", fill=True)
    env = bot_environment(api.root_url, data_dir)
    async with running_bot(api, env, tmp_path, prefix=full) as bot:  # before: exit 2, "the disk is full"
        asked = [api.inject_message("第四步", chat_id=person, user_id=person) for person in PEOPLE]
        for person in PEOPLE:
            await api.wait_for_sent(person, count=1, timeout=15)
        assert "starting anyway" in bot.stderr()
        bot.process.kill()  # kill -9
        await bot.process.wait()
    # Telegram was never told these were kept: it still holds every one of them.
    assert {u["update_id"] for u in api.pending_updates} >= {u["update_id"] for u in asked}
    mark = api.mark()
    async with running_bot(api, bot_environment(api.root_url, tmp_path / "roomy"), tmp_path):
        for person in PEOPLE:
            await api.wait_for_sent(person, count=1, since=mark, timeout=15)
        await api.wait_until(lambda: api.pending_updates == [], timeout=15, what="all confirmed")
