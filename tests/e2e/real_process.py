"""`python -m bot run` as a child process: for what only the process boundary shows — exit codes,
what reaches stderr, what a fresh start does with the files an earlier run left behind.

`in_small_filesystem` runs the child in a private mount namespace (`unshare`) with a tmpfs at
its data directory, so "read-only" and "disk full" are real kernel answers (EROFS, ENOSPC),
also when the tests run as root (for whom chmod proves nothing).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from fake_telegram import FakeBotApi
from tests.e2e.conftest import TOKEN

REPO_ROOT = Path(__file__).resolve().parents[2]
WAIT = 30.0
BOT_COMMAND = (sys.executable, "-m", "bot", "run")


def bot_environment(api_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """The child's whole environment: nothing inherited but PATH and HOME."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "PYTHONIOENCODING": "utf-8",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api_url,
        "BOT_DATA_DIR": str(data_dir),
        "LOG_LEVEL": "INFO",
        **extra,
    }


def unshare_available() -> bool:
    """Whether this machine lets us mount a tmpfs in a private (user and mount) namespace."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /tmp 2>/dev/null || exit 1"],
        capture_output=True,
        timeout=10,
    )
    return probe.returncode == 0


def in_small_filesystem(mountpoint: Path, options: str, *, fill: bool = False) -> tuple[str, ...]:
    """A command prefix: run the rest with a tmpfs (`options`, e.g. "ro" or "size=1m") at
    `mountpoint`; with `fill`, a file first takes all the space there is."""
    if not unshare_available():
        pytest.skip("needs `unshare -rm` (user and mount namespaces) to mount a small tmpfs")
    filler = f'head -c 100000000 /dev/zero > "{mountpoint}/filler" 2>/dev/null;' if fill else ""
    script = f'mount -t tmpfs -o "{options}" tmpfs "{mountpoint}" && {{ {filler} exec "$@"; }}'
    return ("unshare", "-rm", "sh", "-c", script, "sh")


@dataclass(frozen=True)
class Finished:
    """A child that ran to its end."""

    code: int
    stdout: str
    stderr: str


async def run_to_exit(env: dict[str, str], prefix: Sequence[str] = ()) -> Finished:
    """Run the bot until it exits by itself (a failed start); fail the test if it does not."""
    process = await asyncio.create_subprocess_exec(
        *prefix,
        *BOT_COMMAND,
        env=env,
        cwd=REPO_ROOT,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout=WAIT)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError("the bot did not exit by itself") from None
    assert process.returncode is not None
    return Finished(process.returncode, out.decode(), err.decode())


@dataclass
class RunningBot:
    """A child that is polling the fake Bot API."""

    process: asyncio.subprocess.Process
    stderr_path: Path

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    async def stop(self) -> int:
        """SIGTERM, then the exit status (the state is flushed on the way out)."""
        self.process.terminate()
        try:
            return await asyncio.wait_for(self.process.wait(), timeout=WAIT)
        except TimeoutError:
            raise AssertionError(f"the bot did not stop\n{self.stderr()}") from None


@contextlib.asynccontextmanager
async def running_bot(
    api: FakeBotApi,
    env: dict[str, str],
    log_dir: Path,
    *,
    arguments: Sequence[str] = (),
    ready: Callable[[], bool] | None = None,
    prefix: Sequence[str] = (),
    command: Sequence[str] = BOT_COMMAND,
) -> AsyncIterator[RunningBot]:
    """Start the bot, wait until it long-polls (or until `ready()`, e.g. for a webhook); kill it
    on the way out if still alive."""
    stderr_path = log_dir / "bot.stderr"
    with stderr_path.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            *prefix,
            *command,
            *arguments,
            env=env,
            cwd=REPO_ROOT,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
        )
    bot = RunningBot(process, stderr_path)
    try:
        exited = asyncio.ensure_future(process.wait())
        started = ready or (lambda: api.pending_polls > 0)
        polling = asyncio.ensure_future(api.wait_until(started, timeout=WAIT))
        done, _ = await asyncio.wait({exited, polling}, return_when=asyncio.FIRST_COMPLETED)
        if polling not in done:
            polling.cancel()
            raise AssertionError(f"the bot exited ({process.returncode}) instead of starting\n{bot.stderr()}")
        exited.cancel()
        polling.result()
        yield bot
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
