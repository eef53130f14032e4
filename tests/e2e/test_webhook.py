"""Webhook mode: updates arrive by HTTPS POST and must carry the secret token."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx

from bot.answer import Responder
from bot.telegram.app import build_application
from bot.telegram.runner import webhook_options
from fake_telegram import FakeBotApi
from tests.cli import run_cli
from tests.e2e.conftest import TOKEN, bot_settings

SECRET = "s3cret-Value_1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_webhook_refuses_requests_without_the_secret(
    api: FakeBotApi, data_dir: Path, responder: Responder
) -> None:
    port = free_port()
    public_url = "https://bot.example.org/telegram"  # behind a reverse proxy that forwards to the port
    url = f"http://127.0.0.1:{port}/telegram"
    settings = bot_settings(
        api,
        data_dir,
        BOT_WEBHOOK_URL=public_url,
        BOT_WEBHOOK_LISTEN="127.0.0.1",
        BOT_WEBHOOK_PORT=str(port),
        BOT_WEBHOOK_SECRET=SECRET,
    )
    application = build_application(settings, responder)
    async with application:
        assert application.updater is not None
        await application.updater.start_webhook(**webhook_options(settings))
        await application.start()
        try:
            [registered] = api.calls_of("setWebhook")
            assert registered.params["url"] == public_url
            assert registered.params["secret_token"] == SECRET
            async with httpx.AsyncClient() as client:
                missing = api.inject_message("第四步", chat_id=701, user_id=701)
                wrong = api.inject_message("第四步", chat_id=702, user_id=702)
                right = api.inject_message("第四步", chat_id=703, user_id=703)
                refused = await client.post(url, json=missing)
                forged = await client.post(
                    url, json=wrong, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}
                )
                mark = api.mark()
                accepted = await client.post(
                    url, json=right, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
                )
            assert (refused.status_code, forged.status_code, accepted.status_code) == (403, 403, 200)
            [reply] = await api.wait_for_sent(703, since=mark)
            assert reply["text"].startswith("第 4 步")
            assert api.sent(701) == []
            assert api.sent(702) == []
        finally:
            await application.updater.stop()
            await application.stop()


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
