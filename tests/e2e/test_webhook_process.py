"""`python -m bot run --webhook` as a process: huge bodies are refused without being read."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.telegram.runtime.webhook import SECRET_HEADER
from fake_telegram import FakeBotApi
from tests.e2e.real_process import bot_environment, running_bot

pytestmark = pytest.mark.slow
SECRET = "s3cret-Value_1"
BODY_BYTES = 95 * 1024 * 1024
PARALLEL = 8


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def peak_rss_kib(pid: int) -> int:
    """The process's peak resident memory (VmHWM) since the last reset."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc/<pid>/status")


def reset_peak_rss(pid: int) -> None:
    """Linux 4.0+: writing 5 to clear_refs resets VmHWM to the current RSS."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


async def until_listening(port: int) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)
        else:
            writer.close()
            return


async def huge_post(client: httpx.AsyncClient, url: str, *, declared: bool) -> int | None:
    """POST 95 MB (streamed: this test process never holds it); the status, or None if the
    server closed the connection before the client could send it all."""

    async def body() -> AsyncIterator[bytes]:
        chunk = b" " * 65536
        for _ in range(BODY_BYTES // len(chunk)):
            yield chunk

    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    if declared:
        headers["Content-Length"] = str(BODY_BYTES)
    try:
        answer = await client.post(url, content=body(), headers=headers, timeout=30)
    except httpx.TransportError:
        return None
    return answer.status_code


async def test_huge_bodies_are_refused_without_growing_the_bots_memory(
    api: FakeBotApi, tmp_path: Path
) -> None:
    if not os.access("/proc/self/clear_refs", os.W_OK):
        pytest.skip("needs /proc/<pid>/clear_refs to measure the peak memory of a moment")
    port = free_port()
    env = bot_environment(
        api.root_url,
        tmp_path / "data",
        BOT_WEBHOOK_URL="https://bot.example.org/telegram",
        BOT_WEBHOOK_LISTEN="127.0.0.1",
        BOT_WEBHOOK_PORT=str(port),
        BOT_WEBHOOK_SECRET=SECRET,
    )
    url = f"http://127.0.0.1:{port}/telegram"
    async with running_bot(
        api, env, tmp_path, arguments=["--webhook"], ready=lambda: bool(api.calls_of("setWebhook"))
    ) as bot:
        await until_listening(port)
        pid = bot.process.pid
        reset_peak_rss(pid)
        before = peak_rss_kib(pid)
        async with httpx.AsyncClient() as client:
            statuses = await asyncio.gather(
                *(huge_post(client, url, declared=n % 2 == 0) for n in range(PARALLEL))
            )
        grown_mib = (peak_rss_kib(pid) - before) / 1024
        assert set(statuses) <= {413, None}, statuses
        assert grown_mib < 20, f"the bot's peak memory grew by {grown_mib:.0f} MiB"
        # Still serving: an ordinary update is answered.
        update = api.inject_message("第四步", chat_id=950, user_id=950)
        headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json; charset=utf-8"}
        async with httpx.AsyncClient() as client:
            answer = await client.post(url, content=json.dumps(update).encode(), headers=headers)
        assert answer.status_code == 200
        [reply] = await api.wait_for_sent(950, timeout=10)
        assert reply["text"].startswith("第 4 步")
        assert await bot.stop() == 0
    log = bot.stderr()
    assert "Traceback" not in log, log
    print(f"\n{PARALLEL} parallel 95 MB bodies refused; peak memory grew {grown_mib:.1f} MiB")
