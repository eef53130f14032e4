"""The webhook under hostile input: JSON nested too deep for the parser is a 400 (it was a 500
with a traceback), and connections that never finish their headers are closed (they were all
held open)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.telegram.runtime import webhook
from bot.telegram.runtime.app import build_application
from bot.understanding.answer import Responder
from fake_telegram import FakeBotApi
from tests.e2e.conftest import bot_settings
from tests.e2e.test_webhook import PUBLIC_URL, SECRET, free_port, post, with_secret

HALF_OPEN = 60


@pytest.fixture
async def quick_webhook(
    api: FakeBotApi, data_dir: Path, responder: Responder, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[str, int]]:
    """The bot in webhook mode with a 0.5 s idle timeout; (its URL, its port)."""
    monkeypatch.setattr(webhook, "IDLE_TIMEOUT_SECONDS", 0.5)
    port = free_port()
    settings = bot_settings(
        api,
        data_dir,
        BOT_WEBHOOK_URL=PUBLIC_URL,
        BOT_WEBHOOK_LISTEN="127.0.0.1",
        BOT_WEBHOOK_PORT=str(port),
        BOT_WEBHOOK_SECRET=SECRET,
    )
    async with webhook.serving_webhook(
        build_application(settings, responder), webhook.webhook_endpoint(settings)
    ):
        yield f"http://127.0.0.1:{port}/telegram", port


async def test_json_nested_too_deep_is_a_400_without_a_traceback(
    quick_webhook: tuple[str, int], log_stream: io.StringIO
) -> None:
    url, _ = quick_webhook
    deep = b'{"update_id": 1, "x": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    response = await post(url, deep, with_secret())
    assert response.status_code == 400  # before: 500
    assert "Traceback" not in log_stream.getvalue()
    assert "RecursionError" not in log_stream.getvalue()


async def test_connections_that_never_finish_their_headers_are_closed(quick_webhook: tuple[str, int]) -> None:
    _, port = quick_webhook
    connections = [await asyncio.open_connection("127.0.0.1", port) for _ in range(HALF_OPEN)]
    for position, (_, writer) in enumerate(connections):
        if position % 2:  # half of them start a request and stop mid-headers
            writer.write(b"POST /telegram HTTP/1.1\r\nHost: x\r\n")
            await writer.drain()

    async def closed(reader: asyncio.StreamReader) -> bytes:
        return await reader.read()  # b"" once the server closes the connection

    results = await asyncio.wait_for(asyncio.gather(*(closed(reader) for reader, _ in connections)), 30)
    assert all(result in (b"",) or result.startswith(b"HTTP/1.1 ") for result in results)
    for _, writer in connections:
        writer.close()
