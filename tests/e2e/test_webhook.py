"""Webhook mode: updates arrive by POST, must carry the secret token, and are handled once."""

from __future__ import annotations

import asyncio
import io
import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.telegram.runtime.app import build_application
from bot.telegram.runtime.webhook import MAX_BODY_BYTES, SECRET_HEADER, serving_webhook, webhook_endpoint
from bot.understanding.answer import Responder
from fake_telegram import FakeBotApi
from tests.cli import run_cli
from tests.e2e.conftest import TOKEN, bot_settings

SECRET = "s3cret-Value_1"
PUBLIC_URL = "https://bot.example.org/telegram"  # behind a reverse proxy that forwards to the port
JSON_TYPE = {"Content-Type": "application/json"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def webhook_url(api: FakeBotApi, data_dir: Path, responder: Responder) -> AsyncIterator[str]:
    """The bot in webhook mode; the local URL the reverse proxy would forward to."""
    port = free_port()
    settings = bot_settings(
        api,
        data_dir,
        BOT_WEBHOOK_URL=PUBLIC_URL,
        BOT_WEBHOOK_LISTEN="127.0.0.1",
        BOT_WEBHOOK_PORT=str(port),
        BOT_WEBHOOK_SECRET=SECRET,
    )
    async with serving_webhook(build_application(settings, responder), webhook_endpoint(settings)):
        yield f"http://127.0.0.1:{port}/telegram"


async def post(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(url, content=body, headers=headers)


def with_secret(**headers: str) -> dict[str, str]:
    return {SECRET_HEADER: SECRET, **JSON_TYPE, **headers}


async def test_the_webhook_is_registered_with_the_public_url_and_the_secret(
    api: FakeBotApi, webhook_url: str
) -> None:
    [registered] = api.calls_of("setWebhook")
    assert registered.params["url"] == PUBLIC_URL
    assert registered.params["secret_token"] == SECRET


async def test_requests_without_the_right_secret_are_refused_and_not_answered(
    api: FakeBotApi, webhook_url: str
) -> None:
    missing = api.inject_message("第四步", chat_id=701, user_id=701)
    wrong = api.inject_message("第四步", chat_id=702, user_id=702)
    right = api.inject_message("第四步", chat_id=703, user_id=703)
    refused = await post(webhook_url, json.dumps(missing).encode(), JSON_TYPE)
    forged = await post(webhook_url, json.dumps(wrong).encode(), {SECRET_HEADER: "guess", **JSON_TYPE})
    mark = api.mark()
    accepted = await post(webhook_url, json.dumps(right).encode(), with_secret())
    assert (refused.status_code, forged.status_code, accepted.status_code) == (403, 403, 200)
    [reply] = await api.wait_for_sent(703, since=mark)
    assert reply["text"].startswith("第 4 步")
    assert api.sent(701) == []
    assert api.sent(702) == []


async def status_for_headers(url: str, headers: dict[str, str]) -> int:
    """Send only the request's headers (a client that would stream a body next); the status."""
    address = httpx.URL(url)
    reader, writer = await asyncio.open_connection(address.host, address.port)
    lines = [
        f"POST {address.path} HTTP/1.1",
        f"Host: {address.host}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), timeout=5)
    writer.close()
    return int(status_line.split()[1])


async def test_the_secret_is_checked_before_anything_else(webhook_url: str) -> None:
    huge = str(50 * MAX_BODY_BYTES)
    assert (
        await status_for_headers(webhook_url, {"Content-Type": "text/plain", "Content-Length": huge}) == 403
    )
    assert await status_for_headers(webhook_url, {**with_secret(), "Content-Length": huge}) == 413


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json; charset=utf-8",
        "Application/JSON;charset=UTF-8",
        'application/json; charset="utf-8"',
    ],
)
async def test_json_with_a_charset_parameter_is_accepted(
    api: FakeBotApi, webhook_url: str, content_type: str
) -> None:
    update = api.inject_message("第四步", chat_id=704, user_id=704)
    mark = api.mark()
    answer = await post(
        webhook_url, json.dumps(update).encode(), with_secret(**{"Content-Type": content_type})
    )
    assert answer.status_code == 200
    [reply] = await api.wait_for_sent(704, since=mark)
    assert reply["text"].startswith("第 4 步")


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"]
)
async def test_other_content_types_are_refused(api: FakeBotApi, webhook_url: str, content_type: str) -> None:
    update = api.inject_message("第四步", chat_id=705, user_id=705)
    answer = await post(
        webhook_url, json.dumps(update).encode(), with_secret(**{"Content-Type": content_type})
    )
    assert answer.status_code == 415
    assert api.sent(705) == []


async def test_the_same_update_posted_twice_is_answered_once(api: FakeBotApi, webhook_url: str) -> None:
    update = api.inject_message("第四步", chat_id=706, user_id=706)
    mark = api.mark()
    body = json.dumps(update).encode()
    first, second = await post(webhook_url, body, with_secret()), await post(webhook_url, body, with_secret())
    assert (first.status_code, second.status_code) == (200, 200)  # Telegram must not retry either
    await api.wait_for_sent(706, since=mark)
    later = api.inject_message("第五步", chat_id=706, user_id=706)
    assert (await post(webhook_url, json.dumps(later).encode(), with_secret())).status_code == 200
    await api.wait_for_sent(706, count=2, since=mark)
    assert [text.split("\n")[0] for text in api.sent_texts(706, since=mark)] == [
        "第 4 步 · 去营业厅办理",
        "第 5 步 · 注销后的注意事项",
    ]


@pytest.mark.parametrize("body", [b'{"update_id": 1, "message": ', b"\xff\xfe not json", b"[1, 2, 3]", b""])
async def test_malformed_json_is_answered_400_without_a_traceback(
    webhook_url: str, log_stream: io.StringIO, body: bytes
) -> None:
    answer = await post(webhook_url, body, with_secret())
    assert answer.status_code == 400
    assert "Traceback" not in log_stream.getvalue()


async def test_a_body_declared_over_the_limit_is_refused_before_it_is_read(webhook_url: str) -> None:
    async def endless() -> AsyncIterator[bytes]:  # would never end: only the headers may be read
        chunk = b" " * 65536
        for _ in range(10_000):
            yield chunk

    headers = with_secret(**{"Content-Length": str(95 * 1024 * 1024)})
    async with httpx.AsyncClient() as client:
        try:
            answer = await client.post(webhook_url, content=endless(), headers=headers, timeout=10)
        except httpx.TransportError:  # the server may close before the client sent it all
            return
    assert answer.status_code == 413


async def test_a_chunked_body_that_grows_over_the_limit_is_cut_off(webhook_url: str) -> None:
    async def growing() -> AsyncIterator[bytes]:
        for _ in range(40):
            yield b" " * 65536

    async with httpx.AsyncClient() as client:
        try:
            answer = await client.post(webhook_url, content=growing(), headers=with_secret(), timeout=10)
        except httpx.TransportError:
            return
    assert answer.status_code == 413


def test_webhook_mode_without_a_secret_refuses_to_start(tmp_path: Path) -> None:
    env = {
        "HOME": str(tmp_path),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "BOT_WEBHOOK_URL": "https://bot.example.org/telegram",
    }
    result = run_cli("run", "--webhook", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "BOT_WEBHOOK_SECRET" in result.stderr
    assert "Traceback" not in result.stderr
    assert TOKEN not in result.stderr
