"""End to end: the real bot, over HTTP, against the fake Bot API, next to a bare echo bot.

Design (and why):

- The fake Bot API (the fake_telegram package) runs in this process on 127.0.0.1; the bot runs
  in its own process (bench/e2e_bot.py), as it would in production, talking to it by long
  polling. So the bot's resident memory is read from /proc/<bot pid>/status and contains the
  bot only, and the bot's CPU time is its own. The echo bot is run the very same way on its
  own fresh fake, in the same run, before and after ours; the ratio uses the mean of its rates.
  It uses PTB's default HTTP client (httpx); ours uses aiohttp (bot/telegram/runtime/transport.py), so
  the echo bot runs a third time on ours: "ours / echo on the same client" is our own
  overhead, apart from what the client saves.
- Our bot starts with its start-up cache made (bench/end_to_end.py _warm_start_up_cache), as it
  does every time but the first after an install or an edit.
- Neither bot has a rate limiter: AIORateLimiter caps a bot at ~30 messages/s (Telegram's
  limit), which would make both bots equally "fast" and the ratio meaningless.
- Load (bench/load.py): WINDOW questions in flight, the labelled questions cycled.
- Latency = the time the fake received the sendMessage − the time the update was injected.
  Under load it includes waiting behind the other questions in flight; an unloaded run (one
  question at a time) gives the bare update-to-reply latency.
- Throughput = answered / (last reply − first injection). Every question must get exactly one
  reply; failed Bot API calls are counted. The fake's CPU share and each bot's CPU time per
  message are reported too (CPU time is less sensitive to other work on the machine).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import DEV_SET, HOLDOUTS, PYTHON, REPO, proc_status, progress
from bench.load import Driver
from bench.profiles import bot_profile
from bench.results import BotRun, EndToEndResult, PersistenceTick
from bot.understanding.evaluation import load_labelled_questions
from fake_telegram import FakeBotApi

TOKEN = "123456789:AAE2eTestTokenForTheFakeBotApiServer"
BOT_USERNAME = "SimHelpBot"
QUESTIONS = 5_000
WARM_UP = 200
UNLOADED = 300
WINDOW = 100
PROFILED = 600
TICK_SIZES = (250, 500, 1_000)
# (key, kind): the echo bot on PTB's default client before and after ours (the ratio's base), and
# once on our client (bot/telegram/runtime/transport.py), to tell our own overhead from the client's.
ORDER = (("echo", "echo"), ("ours", "ours"), ("echo-again", "echo"), ("echo-same-client", "echo-same-client"))
ECHO_ON_PTB_CLIENT = ("echo", "echo-again")
START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 30.0
Questions = Sequence[tuple[str, str]]


def _mb(kilobytes: int | None) -> float:
    return (kilobytes or 0) / 1024


async def _stop(process: asyncio.subprocess.Process) -> tuple[float, int | None]:
    """SIGTERM, then wait (the bot flushes persistence); kill after STOP_TIMEOUT_S."""
    started = time.perf_counter()
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        code = await asyncio.wait_for(process.wait(), timeout=STOP_TIMEOUT_S)
    except TimeoutError:
        process.kill()
        await process.wait()
        code = None
    return time.perf_counter() - started, code


async def _warm_start_up_cache(environment: dict[str, str]) -> None:
    """One `python -m bot ask` with the bot's environment first, so that the bot starts as it does
    every time but the first after an install or an edit: with the knowledge base, its index and
    conversions saved in its cache directory (BOT_CACHE_DIR). Else the figures would depend on
    whether an earlier benchmark happened to leave them for this very code."""
    warm = {key: value for key, value in environment.items() if key != "BENCH_STATUS_FILE"}
    process = await asyncio.create_subprocess_exec(
        PYTHON, "-m", "bot", "ask", "warm up", cwd=REPO, env=warm, stdout=asyncio.subprocess.DEVNULL
    )
    await process.wait()


def _bot_environment(api: FakeBotApi, scratch: Path, profile_to: Path | None) -> dict[str, str]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.root_url,
        "BOT_DATA_DIR": str(scratch / "data"),
        "LOG_LEVEL": "WARNING",
        "BENCH_STATUS_FILE": str(scratch / "status.txt"),
    }
    if profile_to is not None:
        env["BENCH_PROFILE_FILE"] = str(profile_to)
    return env


async def _load(
    api: FakeBotApi, pid: int, kind: str, questions: Questions, count: int, full: bool
) -> dict[str, Any]:
    """Warm up, the loaded phase, then one at a time (the last two only when `full`)."""
    driver = Driver(api, questions)
    figures: dict[str, Any] = {}
    if full:
        progress(f"end to end: {kind}: warming up")
        await driver.run(WARM_UP, WINDOW, pid)
    progress(f"end to end: {kind}: {count:,} questions, {WINDOW} in flight")
    figures["loaded"] = await driver.run(count, WINDOW, pid)
    figures["rss_after_mb"] = _mb(proc_status(pid).get("VmRSS"))
    if full:
        progress(f"end to end: {kind}: {UNLOADED} questions one at a time")
        figures["unloaded"] = await driver.run(UNLOADED, 1, pid)
    figures["peak_rss_mb"] = _mb(proc_status(pid).get("VmHWM"))
    await driver.settle()
    figures["extra_replies"] = driver.extra_replies
    figures["failed_calls"] = len(api.failed_calls())
    return figures


def _phases_rss(status_file: Path) -> dict[str, float]:
    """The RSS the bot noted after each start-up phase (bench/e2e_bot.py)."""
    if not status_file.exists():
        return {}
    lines = (line.rsplit(" ", 1) for line in status_file.read_text().splitlines())
    return {phase: _mb(int(kilobytes)) for phase, kilobytes in lines}


async def run_bot(kind: str, questions: Questions, count: int, *, profile_to: Path | None = None) -> BotRun:
    """Start one bot process against a fresh fake, load it, measure it, stop it.

    With `profile_to`, the bot runs under cProfile (stats written there at exit) and only the
    loaded phase is run: the timings of such a run are not reported.
    """
    figures: dict[str, Any] = {"kind": kind}
    with tempfile.TemporaryDirectory(prefix=f"bench-{kind}-") as directory:
        scratch = Path(directory)
        async with FakeBotApi(token=TOKEN, username=BOT_USERNAME) as api:
            environment = _bot_environment(api, scratch, profile_to)
            if kind == "ours":
                await _warm_start_up_cache(environment)
            started = time.perf_counter()
            process = await asyncio.create_subprocess_exec(
                PYTHON, "-m", "bench.e2e_bot", kind, cwd=REPO, env=environment
            )
            try:
                await api.wait_until(lambda: api.pending_polls > 0, timeout=START_TIMEOUT_S, what="polling")
                figures["ready_s"] = time.perf_counter() - started
                figures["rss_ready_mb"] = _mb(proc_status(process.pid).get("VmRSS"))
                progress(f"end to end: {kind}: ready in {figures['ready_s']:.2f} s")
                figures |= await _load(api, process.pid, kind, questions, count, profile_to is None)
            except AssertionError as exc:  # the fake's wait timed out: report, do not crash
                figures["error"] = str(exc).splitlines()[0]
                progress(f"end to end: {kind}: {figures['error']}")
            finally:
                progress(f"end to end: {kind}: stopping (SIGTERM)")
                figures["stop_s"], figures["exit_code"] = await _stop(process)
        figures["phases_rss_mb"] = _phases_rss(scratch / "status.txt")
    return BotRun.model_validate(figures)


def persistence_ticks(sizes: Sequence[int] = TICK_SIZES) -> list[PersistenceTick]:
    """Seconds of one persistence run (every 10 s in the bot) when `n` people changed since the last.

    Each person gets what answering one question leaves: their PersonState under
    chat_data["people"] and an (empty) user_data entry. No Bot API is needed to persist.
    """
    from bot.config import load_settings
    from bot.conversation.service import PersonState
    from bot.kb.base import load_knowledge_base
    from bot.telegram.people import person_key
    from bot.telegram.runtime.app import build_application
    from bot.understanding.answer import build_responder

    responder = build_responder(load_knowledge_base())
    ticks = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-persistence-") as scratch:
            settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_DATA_DIR": scratch})
            application = build_application(settings, responder, rate_limit=False)
            state = PersonState("overview", (), "en", time.time()).to_json()
            people = range(1, size + 1)
            for person in people:
                application.chat_data[person][person_key(person)] = state
                application.user_data[person].clear()
            application.mark_data_for_update_persistence(chat_ids=people, user_ids=people)
            started = time.perf_counter()
            asyncio.run(application.update_persistence())
            ticks.append(PersistenceTick(people=size, seconds=time.perf_counter() - started))
    return ticks


def load_questions() -> list[tuple[str, str]]:
    """(text, language) of every labelled question: dev and the held-out sets."""
    return [(q.q, q.lang) for path in (DEV_SET, *HOLDOUTS) for q in load_labelled_questions(path)]


def _ratios(runs: dict[str, BotRun]) -> dict[str, Any]:
    """Throughput ours / echo (mean of the echo runs on PTB's client), CPU per message echo /
    ours, and throughput ours / the echo bot on our client."""
    echo_rates = [
        run.loaded.per_second for key, run in runs.items() if key in ECHO_ON_PTB_CLIENT and run.loaded
    ]
    echo_rate = statistics.mean(echo_rates) if echo_rates else 0.0
    cpu = {
        key: run.loaded.bot_cpu_s / run.loaded.answered * 1000
        for key, run in runs.items()
        if run.loaded and run.loaded.answered
    }
    echo_cpu = [value for key, value in cpu.items() if key in ECHO_ON_PTB_CLIENT]
    ours = runs["ours"].loaded
    same = runs["echo-same-client"].loaded if "echo-same-client" in runs else None
    return {
        "same_client_ratio": ours.per_second / same.per_second if ours and same and same.per_second else None,
        "echo_per_second": echo_rate,
        "throughput_ratio": ours.per_second / echo_rate if ours and echo_rate else None,
        "cpu_per_message_ms": cpu,
        "cpu_ratio": statistics.mean(echo_cpu) / cpu["ours"] if echo_cpu and cpu.get("ours") else None,
    }


def _profiles(questions: Questions, count: int) -> dict[str, Any]:
    """Each bot once more under cProfile, summarised."""
    found = {}
    for kind in ("ours", "echo"):
        with tempfile.TemporaryDirectory(prefix="bench-profile-") as scratch:
            stats_file = Path(scratch) / f"{kind}.prof"
            progress(f"end to end: profiling {kind} (cProfile, {count} questions)")
            asyncio.run(run_bot(kind, questions, count, profile_to=stats_file))
            if stats_file.exists():
                found[kind] = bot_profile(stats_file, count)
    return found


def run_end_to_end(count: int = QUESTIONS, profile_count: int = PROFILED) -> EndToEndResult:
    """Echo, ours, echo again; ours and echo under cProfile; persistence run times."""
    questions = load_questions()
    runs = {key: asyncio.run(run_bot(kind, questions, count)) for key, kind in ORDER}
    profiles = _profiles(questions, profile_count) if profile_count else {}
    progress(f"end to end: persistence run time for {', '.join(map(str, TICK_SIZES))} changed people")
    return EndToEndResult(
        questions=count,
        window=WINDOW,
        runs=runs,
        profiles=profiles,
        persistence=persistence_ticks(),
        **_ratios(runs),
    )
