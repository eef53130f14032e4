"""What a supervisor (systemd, Docker) sees of `python -m bot run`: a bot that can no longer work
exits by itself, code 2, one line; a second bot on the same data directory is refused."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.exit_codes import ExitCode
from fake_telegram import FakeBotApi
from tests.e2e.conftest import TOKEN
from tests.e2e.real_process import WAIT, bot_environment, run_to_exit, running_bot

pytestmark = pytest.mark.slow  # `python -m bot run` as a process, four times: 15 s


async def test_a_token_revoked_while_running_exits_2_with_one_line(api: FakeBotApi, tmp_path: Path) -> None:
    env = bot_environment(api.root_url, tmp_path / "data", LOG_LEVEL="WARNING")
    async with running_bot(api, env, tmp_path) as bot:
        api.reject_token()  # before: polling stopped, the process stayed alive and silent
        code = await asyncio.wait_for(bot.process.wait(), timeout=WAIT)
        stderr = bot.stderr()
    assert code == ExitCode.USAGE, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: Telegram no longer accepts the bot token (401 Unauthorized")
    assert TOKEN.split(":")[1] not in stderr


async def test_a_second_run_on_the_same_data_dir_exits_2_naming_it(api: FakeBotApi, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = bot_environment(api.root_url, data_dir)
    async with running_bot(api, env, tmp_path):
        calls_before = len(api.calls)
        second = await run_to_exit(env)  # before: it ran too, and answered 20 of 100 questions twice
        assert len(api.calls_of("getMe")) == 1  # the second never reached Telegram
        assert all(
            call.method
            in {
                "getUpdates",
                "getMyCommands",
                "getMyDescription",
                "getMyShortDescription",
                "setMyCommands",
                "setMyDescription",
                "setMyShortDescription",
                "deleteWebhook",
            }
            for call in api.calls[calls_before:]
        )
    assert second.code == ExitCode.USAGE
    lines = second.stderr.splitlines()
    assert len(lines) == 1, second.stderr
    assert f"BOT_DATA_DIR {data_dir} is in use by another running bot (pid " in lines[0]


async def test_the_data_dir_is_free_again_once_the_first_bot_is_gone(api: FakeBotApi, tmp_path: Path) -> None:
    env = bot_environment(api.root_url, tmp_path / "data")
    async with running_bot(api, env, tmp_path) as first:
        first.process.kill()  # kill -9: the kernel drops the lock with the process
        await first.process.wait()
    async with running_bot(api, env, tmp_path) as second:
        assert await second.stop() == ExitCode.OK
