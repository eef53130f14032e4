"""BOT_HEALTH_PORT: /healthz says whether the bot works, /metrics counts what it did — scraped
from the real process, as Docker's HEALTHCHECK and Prometheus would; BOT_LOG_FORMAT=json gives
one JSON object per log line."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from fake_telegram import FakeBotApi
from tests.e2e.conftest import StartBot, reply_to
from tests.e2e.real_process import bot_environment, running_bot
from tests.e2e.test_webhook import free_port

GUS = 911


@pytest.mark.slow  # `python -m bot run` as a process: 1 s
async def test_healthz_and_metrics_of_a_running_bot(api: FakeBotApi, tmp_path: Path) -> None:
    port = free_port()
    env = bot_environment(api.root_url, tmp_path / "data", BOT_HEALTH_PORT=str(port), BOT_LOG_FORMAT="json")
    async with running_bot(api, env, tmp_path) as bot, httpx.AsyncClient() as client:
        await reply_to(api, "第四步", chat_id=GUS, user_id=GUS, timeout=15)
        await reply_to(api, "how long does pizza take", chat_id=GUS, user_id=GUS, timeout=15)
        await reply_to(api, "hello", chat_id=GUS, user_id=GUS, timeout=15)
        health = await client.get(f"http://127.0.0.1:{port}/healthz")
        assert health.status_code == 200
        status = health.json()
        assert status["status"] == "ok"
        assert status["polling_alive"] is True
        assert status["seconds_since_last_update"] is not None
        metrics = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
        assert 'bot_turns_total{outcome="answer"} 1.0' in metrics
        assert 'bot_turns_total{outcome="decline"} 1.0' in metrics
        assert 'bot_turns_total{outcome="small_talk"} 1.0' in metrics
        assert 'bot_declines_total{reason="off_topic"} 1.0' in metrics
        assert "bot_update_seconds_count 3.0" in metrics
        assert "bot_update_queue_depth" in metrics
        assert "bot_log_errors_total" in metrics or "bot_log_errors" in metrics
        await bot.stop()
        lines = bot.stderr().splitlines()
    assert lines
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert {"time", "level", "logger", "message"} <= set(entries[0])
    assert not any("pizza" in line for line in lines)  # users' texts are never logged


async def test_healthz_is_503_once_polling_has_ended(api: FakeBotApi, start_bot: StartBot) -> None:
    port = free_port()
    async with start_bot(BOT_HEALTH_PORT=str(port)), httpx.AsyncClient() as client:
        await reply_to(api, "第四步", chat_id=GUS, user_id=GUS)
        assert (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
        api.reject_token()
        await api.wait_until(lambda: any(c.status == 401 for c in api.calls_of("getUpdates")), timeout=15)
        health = await client.get(f"http://127.0.0.1:{port}/healthz")
        assert health.status_code == 503
        assert "401" in health.json()["polling_ended"]
        api.reject_token(False)
