"""`python -m fake_telegram` and `python -m bot run` as two processes: what a developer does by hand.

The console prints the two settings the bot needs; the bot, started with them and nothing else,
answers a question typed into the console, and a button pressed there by number.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.conversation.render import heading
from bot.kb.base import KnowledgeBase
from bot.understanding.answer import Responder
from bot.understanding.outcomes import Answered
from fake_telegram.__main__ import main as fake_telegram_main
from tests.e2e.real_process import REPO_ROOT, WAIT, bot_environment

pytestmark = pytest.mark.slow


class Console:
    """The fake's console as a child process: lines in, lines out."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.seen: list[str] = []

    async def type(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        await self.process.stdin.drain()

    async def read_until(self, wanted: str) -> str:
        """Lines until one containing `wanted` (that line is returned); fails after WAIT seconds."""
        assert self.process.stdout is not None
        try:
            async with asyncio.timeout(WAIT):
                while True:
                    raw = await self.process.stdout.readline()
                    if not raw:
                        raise AssertionError("the console exited:\n" + "\n".join(self.seen))
                    line = raw.decode().rstrip("\n")
                    self.seen.append(line)
                    if wanted in line:
                        return line
        except TimeoutError:
            raise AssertionError(f"no line with {wanted!r} in:\n" + "\n".join(self.seen)) from None


@contextlib.asynccontextmanager
async def child(
    *command: str, env: dict[str, str] | None = None, log: Path | None = None
) -> AsyncIterator[asyncio.subprocess.Process]:
    """A child process, killed on the way out if it is still running."""
    with open(log or "/dev/null", "wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            *command,
            cwd=REPO_ROOT,
            env=env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE if log is None else asyncio.subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def test_help_shows_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        fake_telegram_main(["--help"])
    assert exited.value.code == 0
    assert "TELEGRAM_API_BASE_URL=http://127.0.0.1:8081" in capsys.readouterr().out


async def test_the_bot_answers_through_the_console_of_a_fake_started_by_hand(
    tmp_path: Path, kb: KnowledgeBase, responder: Responder
) -> None:
    async with child(sys.executable, "-m", "fake_telegram", "--user-id", "42") as fake:
        console = Console(fake)
        base_url = (await console.read_until("TELEGRAM_API_BASE_URL=")).split("=", 1)[1]
        token = (await console.read_until("TELEGRAM_BOT_TOKEN=")).split("=", 1)[1]
        env = bot_environment(base_url, tmp_path / "data", TELEGRAM_BOT_TOKEN=token)
        async with child(sys.executable, "-m", "bot", "run", env=env, log=tmp_path / "bot.stderr"):
            await console.read_until("the bot is polling")
            question = "卡丢了还能注销吗"
            expected = responder.understand(question)
            assert isinstance(expected, Answered)
            section = kb.section(expected.section_id)
            await console.type(question)
            await console.read_until(heading(section, "zh-Hans"))
            buttons = await console.read_until("[#1 ")
            await console.type("#1")
            await console.read_until("bot (edited):")
            await console.type("/quit")
            assert await asyncio.wait_for(fake.wait(), WAIT) == 0
        assert buttons.startswith("  [#1 ")
