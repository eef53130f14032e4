"""Long polling under faults PTB's Updater handles noisily: a 409 (another process polls with
this token) and a getUpdates that never answers. One clear warning each, no tracebacks, and the
bot answers again as soon as the fault is gone."""

from __future__ import annotations

import io

import pytest

from bot.telegram.runtime import intake
from fake_telegram import FakeBotApi
from tests.e2e.conftest import StartBot, reply_to

ZOE = 611


def warnings_about(log: io.StringIO, words: str) -> list[str]:
    return [line for line in log.getvalue().splitlines() if words in line]


@pytest.mark.slow  # waits on real time for 40 conflicts: 2 s
async def test_a_conflict_is_one_warning_without_tracebacks(
    api: FakeBotApi, start_bot: StartBot, log_stream: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intake, "CONFLICT_PAUSE_SECONDS", 0.05)
    async with start_bot():
        await reply_to(api, "第四步", chat_id=ZOE, user_id=ZOE)
        mark = api.mark()
        api.fail_next("getUpdates", status=409, times=40)
        await api.wait_until(
            lambda: len([c for c in api.calls_of("getUpdates", since=mark) if c.status == 409]) == 40,
            timeout=20,
            what="40 conflicts",
        )
        await reply_to(api, "第五步", chat_id=ZOE, user_id=ZOE)  # polling goes on once the other is gone
    log = log_stream.getvalue()
    # before: one ERROR with a traceback per 409 and no line saying what was wrong
    assert len(warnings_about(log_stream, "another process is polling with this token")) == 1
    assert "Traceback" not in log
    assert "Conflict: terminated" not in log


@pytest.mark.slow  # waits out a stalled getUpdates (BOT_HTTP_TIMEOUT=1): 4 s
async def test_a_get_updates_that_never_answers_is_noticed(
    api: FakeBotApi, start_bot: StartBot, log_stream: io.StringIO
) -> None:
    async with start_bot(BOT_HTTP_TIMEOUT="1") as application:
        api.stall_next("getUpdates", after=1)
        await api.wait_until(lambda: api.stalled == 0 and len(api.calls_of("getUpdates")) >= 3, timeout=20)
        await reply_to(api, "第四步", chat_id=ZOE, user_id=ZOE, timeout=10)
        health = application.bot.health  # type: ignore[attr-defined]
        assert health.seconds_since_update() is not None
    assert len(warnings_about(log_stream, "getUpdates got no answer within")) == 1
    assert "Traceback" not in log_stream.getvalue()
