"""End to end: the real bot, over HTTP, against the tests' fake Bot API, next to a bare echo bot.

Design (and why):

- The fake Bot API (the fake_telegram package) runs in this process on 127.0.0.1; the bot runs
  in its own process (bench/e2e_bot.py), as it would in production, talking to it by long
  polling. So the bot's resident memory is read from /proc/<bot pid>/status and contains the
  bot only (not the fake, which keeps every message and call it saw), and the bot's CPU time is
  its own. The echo bot is run the very same way on its own fresh fake, in the same run.
- Neither bot has a rate limiter: AIORateLimiter caps a bot at ~30 messages/s (Telegram's
  limit), which would make both bots equally "fast" and the ratio meaningless.
- Load: a closed loop with WINDOW questions in flight (a full getUpdates batch); each reply
  lets the next question in. About POOL_USERS people ask in turn, never faster than our flood
  guard allows (see Driver). Questions are the dev set's, cycled. The echo bot runs before and
  after ours; the ratio uses the mean of its two rates.
- Latency = the time the fake received the sendMessage (Call.at) − the time the update was
  injected. Under load it includes waiting behind the other questions in flight; an unloaded
  run (one question at a time) gives the bare update-to-reply latency.
- Throughput = answered / (last reply − first injection). Every question must get exactly one
  reply; failed Bot API calls are counted.
- With two processes, the fake and the bot can use a core each. If the fake's process were
  saturated (CPU ≈ wall time) the bot would not be the bottleneck and the ratio would
  understate the difference: the fake's CPU share and each bot's CPU time per message are
  reported too (CPU time is also less sensitive to other work on the machine).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.common import DEV_SET, PYTHON, REPO, percentile, proc_cpu_seconds, proc_status, progress
from bot.evaluation import load_labelled_questions

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
from fake_telegram import FakeBotApi

TOKEN = "123456789:AAE2eTestTokenForTheFakeBotApiServer"
BOT_USERNAME = "SimHelpBot"
QUESTIONS = 5_000
WARM_UP = 200
UNLOADED = 300
WINDOW = 100
POOL_USERS = 1_000
FLOOD_SPACING_S = 1.5  # the flood guard allows 8 per 10 s: one per 1.25 s is always fine
PROFILED = 600
TICK_SIZES = (250, 500, 1_000)
# (key, kind): the echo bot runs before and after ours.
ORDER = (("echo", "echo"), ("ours", "ours"), ("echo-again", "echo"))
REPLY_TIMEOUT_S = 30.0
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
# Functions whose cumulative time per message is compared between the bots (PTB's and ours).
ENTRY_POINTS = (
    "process_update",  # PTB: dispatching one update, handler included
    "answer_question",  # ours: the question handler
    "echo",  # the echo bot's handler
    "take_turn",  # ours: decide and render (no Telegram)
    "reply_text",  # PTB: build the sendMessage request, send it, parse the returned Message
    "note_unanswered",  # ours: the unanswered-questions log (SQLite)
    "get_updates",  # PTB: long polling, parsing updates
    "update_persistence",  # PTB (+ ours): a persistence run
)
LANGUAGE_CODES = {"zh-Hans": "zh-hans", "zh-Hant": "zh-hant", "en": "en"}


@dataclass
class Phase:
    """One batch of questions: throughput, latency, and what came back."""

    questions: int
    window: int
    answered: int = 0
    seconds: float = 0.0
    per_second: float = 0.0
    latency_median_ms: float = 0.0
    latency_p99_ms: float = 0.0
    latency_max_ms: float = 0.0
    bot_cpu_s: float = 0.0
    fake_cpu_s: float = 0.0
    users: int = 0  # distinct users so far (all phases)


@dataclass
class BotRun:
    """Everything measured about one bot process."""

    kind: str
    ready_s: float = 0.0
    rss_ready_mb: float = 0.0
    rss_after_mb: float = 0.0
    peak_rss_mb: float = 0.0
    phases_rss_mb: dict[str, float] = field(default_factory=dict)
    loaded: Phase | None = None
    unloaded: Phase | None = None
    extra_replies: int = 0
    failed_calls: int = 0
    stop_s: float = 0.0
    exit_code: int | None = None
    error: str | None = None


class Driver:
    """Injects questions into a fake Bot API and matches each reply to its question.

    Users: a pool of POOL_USERS people asking in turn (least recently asked first). Someone
    whose last question is unanswered or under FLOOD_SPACING_S old is skipped for a new user,
    so our flood guard (8 messages per user in 10 s) never drops a question, however fast
    the machine, and every chat has at most one question in flight (replies match by chat).
    """

    def __init__(self, api: FakeBotApi, questions: Sequence[tuple[str, str]]) -> None:
        self.api = api
        self.questions = questions
        self.users: deque[tuple[int, float]] = deque()  # (user id, last asked), oldest first
        self.next_new_user = 1_000_001
        self.asked_total = 0
        self.extra_replies = 0
        self.unanswered = 0
        self._scanned = 0

    def _new_replies(self) -> list[tuple[int, float]]:
        """(chat id, arrival time) of sendMessage calls recorded since the last look."""
        calls = self.api.calls
        found = [
            (int(call.params["chat_id"]), call.at)
            for call in calls[self._scanned :]
            if call.method == "sendMessage" and call.ok
        ]
        self._scanned = len(calls)
        return found

    def _pick_user(self, waiting: Mapping[int, float], now: float) -> int:
        if self.users and len(self.users) >= POOL_USERS:
            user, last = self.users[0]
            if user not in waiting and now - last >= FLOOD_SPACING_S:
                self.users.popleft()
                return user
        user = self.next_new_user
        self.next_new_user += 1
        return user

    async def run(self, count: int, window: int, bot_pid: int) -> Phase:
        """Ask `count` questions, at most `window` unanswered at a time; measure."""
        phase = Phase(questions=count, window=window)
        waiting: dict[int, float] = {}  # chat id → injection time of its unanswered question
        latencies: list[float] = []
        asked = 0
        self._new_replies()  # earlier phases' calls are not this phase's replies

        def ask() -> None:
            nonlocal asked
            now = time.time()
            user = self._pick_user(waiting, now)
            text, lang = self.questions[self.asked_total % len(self.questions)]
            self.asked_total += 1
            asked += 1
            waiting[user] = now
            self.users.append((user, now))
            self.api.inject_message(text, user_id=user, language_code=LANGUAGE_CODES.get(lang))

        bot_cpu, fake_cpu = proc_cpu_seconds(bot_pid), time.process_time()
        first = time.time()
        for _ in range(min(window, count)):
            ask()
        last_reply = first
        while phase.answered < count:
            await self.api.wait_until(
                lambda: len(self.api.calls) > self._scanned,
                timeout=REPLY_TIMEOUT_S,
                what=f"a reply ({phase.answered}/{count} answered)",
            )
            for chat_id, at in self._new_replies():
                sent_at = waiting.pop(chat_id, None)
                if sent_at is None:
                    self.extra_replies += 1  # a second reply to one question
                    continue
                latencies.append(at - sent_at)
                last_reply = max(last_reply, at)
                phase.answered += 1
                if asked < count:
                    ask()
        phase.bot_cpu_s = proc_cpu_seconds(bot_pid) - bot_cpu
        phase.fake_cpu_s = time.process_time() - fake_cpu
        phase.seconds = last_reply - first
        phase.per_second = phase.answered / phase.seconds if phase.seconds > 0 else 0.0
        phase.latency_median_ms = statistics.median(latencies) * 1000
        phase.latency_p99_ms = percentile(latencies, 0.99) * 1000
        phase.latency_max_ms = max(latencies) * 1000
        phase.users = self.next_new_user - 1_000_001
        return phase

    async def settle(self) -> None:
        """Give a late duplicate reply a moment to arrive, then count it."""
        await asyncio.sleep(0.2)
        self.extra_replies += len(self._new_replies())


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


async def run_bot(
    kind: str, questions: Sequence[tuple[str, str]], count: int, *, profile_to: Path | None = None
) -> BotRun:
    """Start one bot process against a fresh fake, load it, measure it, stop it.

    With `profile_to`, the bot runs under cProfile (stats written there at exit) and only
    the loaded phase is run: the timings of such a run are not reported.
    """
    result = BotRun(kind)
    with tempfile.TemporaryDirectory(prefix=f"bench-{kind}-") as scratch:
        status_file = Path(scratch) / "status.txt"
        async with FakeBotApi(token=TOKEN, username=BOT_USERNAME) as api:
            env = {
                **os.environ,
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": api.root_url,
                "BOT_DATA_DIR": str(Path(scratch) / "data"),
                "LOG_LEVEL": "WARNING",
                "BENCH_STATUS_FILE": str(status_file),
            }
            if profile_to is not None:
                env["BENCH_PROFILE_FILE"] = str(profile_to)
            started = time.perf_counter()
            process = await asyncio.create_subprocess_exec(
                PYTHON, "-m", "bench.e2e_bot", kind, cwd=REPO, env=env
            )
            try:
                await api.wait_until(lambda: api.pending_polls > 0, timeout=START_TIMEOUT_S, what="polling")
                result.ready_s = time.perf_counter() - started
                result.rss_ready_mb = _mb(proc_status(process.pid).get("VmRSS"))
                driver = Driver(api, questions)
                if profile_to is None:
                    progress(f"end to end: {kind}: ready in {result.ready_s:.2f} s; warming up")
                    await driver.run(WARM_UP, WINDOW, process.pid)
                progress(f"end to end: {kind}: {count:,} questions, {WINDOW} in flight")
                result.loaded = await driver.run(count, WINDOW, process.pid)
                result.rss_after_mb = _mb(proc_status(process.pid).get("VmRSS"))
                if profile_to is None:
                    progress(f"end to end: {kind}: {UNLOADED} questions one at a time")
                    result.unloaded = await driver.run(UNLOADED, 1, process.pid)
                result.peak_rss_mb = _mb(proc_status(process.pid).get("VmHWM"))
                await driver.settle()
                result.extra_replies = driver.extra_replies
                result.failed_calls = len(api.failed_calls())
            except AssertionError as exc:  # the fake's wait timed out: report, do not crash
                result.error = str(exc).splitlines()[0]
                progress(f"end to end: {kind}: {result.error}")
            finally:
                progress(f"end to end: {kind}: stopping (SIGTERM)")
                result.stop_s, result.exit_code = await _stop(process)
        if status_file.exists():
            for line in status_file.read_text().splitlines():
                phase, kilobytes = line.rsplit(" ", 1)
                result.phases_rss_mb[phase] = _mb(int(kilobytes))
    return result


def profile_summary(path: Path, messages: int, top: int = 8) -> dict[str, Any]:
    """What a bot process spent its time on: key entry points per message, top own time.

    cProfile slows everything down (2-3×): compare the two bots' figures with each other,
    not with the unprofiled run. Time blocked in epoll is idle, not busy.
    """
    stats = pstats.Stats(str(path))
    entries = stats.stats  # type: ignore[attr-defined]
    total = max(stats.total_tt, 1e-9)  # type: ignore[attr-defined]
    waiting = ("poll", "select")
    idle = sum(row[2] for key, row in entries.items() if any(w in key[2] for w in waiting))
    busy = max(total - idle, 1e-9)

    def label(key: tuple[str, int, str]) -> str:
        filename, line, name = key
        return name if filename == "~" else f"{Path(filename).name}:{line}({name})"

    cumulative: dict[str, float] = {}
    for key, row in entries.items():
        if key[2] in ENTRY_POINTS:
            cumulative[key[2]] = max(cumulative.get(key[2], 0.0), row[3])
    own = sorted(
        (item for item in entries.items() if not any(w in item[0][2] for w in waiting)),
        key=lambda item: -item[1][2],
    )
    return {
        "busy_s": busy,
        "messages": messages,
        "busy_per_message_ms": busy / messages * 1000,
        "per_message_ms": {name: seconds / messages * 1000 for name, seconds in cumulative.items()},
        "entry_points": {name: seconds / busy for name, seconds in cumulative.items()},
        "top_own": [
            {"function": label(key), "calls": row[1], "share": row[2] / busy} for key, row in own[:top]
        ],
    }


def persistence_ticks(sizes: Sequence[int] = TICK_SIZES) -> list[dict[str, float]]:
    """Seconds of one persistence run (PTB's update_persistence, every 10 s in the bot) when
    `n` people changed since the last one, with our application's persistence settings.

    Each person gets what answering one question leaves: a Context under chat_data["people"]
    and an (empty) user_data entry. Run in this process: no Bot API is needed to persist.
    """
    from bot.answer import Context, build_responder
    from bot.config import load_settings
    from bot.kb import load_knowledge_base
    from bot.telegram.app import build_application
    from bot.telegram.people import PEOPLE_KEY

    responder = build_responder(load_knowledge_base())
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-persistence-") as scratch:
            settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_DATA_DIR": scratch})
            application = build_application(settings, responder, rate_limit=False)
            now = time.time()
            people = range(1, size + 1)
            for person in people:
                application.chat_data[person][PEOPLE_KEY] = {person: Context("overview", (), now, "en")}
                application.user_data[person].clear()
            application.mark_data_for_update_persistence(chat_ids=people, user_ids=people)
            started = time.perf_counter()
            asyncio.run(application.update_persistence())
            rows.append({"people": size, "seconds": time.perf_counter() - started})
    return rows


def run_end_to_end(count: int = QUESTIONS, profile_count: int = PROFILED) -> dict[str, Any]:
    """Each bot in a fresh process on a fresh fake: echo, ours, echo again.

    The echo bot runs before and after ours and the ratio uses the mean of its two rates, so a
    machine getting busier or quieter during the run does not favour either side (the two
    echo rows show how steady the machine was). The CPU time per message is less sensitive to
    other load than wall time: its ratio is reported too. Then ours under cProfile
    (`profile_count` questions), to show where its time goes.
    """
    questions = [(q.q, q.lang) for q in load_labelled_questions(DEV_SET)]
    runs: dict[str, BotRun] = {}
    for key, kind in ORDER:
        runs[key] = asyncio.run(run_bot(kind, questions, count))
    result: dict[str, Any] = {
        "runs": {key: asdict(run) for key, run in runs.items()},
        "questions": count,
        "window": WINDOW,
    }
    echo_rates = [run.loaded.per_second for key, run in runs.items() if key.startswith("echo") and run.loaded]
    echo_rate = statistics.mean(echo_rates) if echo_rates else 0.0
    result["echo_per_second"] = echo_rate
    ours = runs["ours"].loaded
    if ours is not None and echo_rate:
        result["throughput_ratio"] = ours.per_second / echo_rate
    result["cpu_per_message_ms"] = {
        key: run.loaded.bot_cpu_s / run.loaded.answered * 1000
        for key, run in runs.items()
        if run.loaded and run.loaded.answered
    }
    cpu = result["cpu_per_message_ms"]
    echo_cpu = [value for key, value in cpu.items() if key.startswith("echo")]
    if echo_cpu and cpu.get("ours"):
        result["cpu_ratio"] = statistics.mean(echo_cpu) / cpu["ours"]
    if profile_count:
        result["profiles"] = {}
        for kind in ("ours", "echo"):
            with tempfile.TemporaryDirectory(prefix="bench-profile-") as scratch:
                stats_file = Path(scratch) / f"{kind}.prof"
                progress(f"end to end: profiling {kind} (cProfile, {profile_count} questions)")
                asyncio.run(run_bot(kind, questions, profile_count, profile_to=stats_file))
                if stats_file.exists():
                    result["profiles"][kind] = profile_summary(stats_file, profile_count)
    progress(f"end to end: persistence run time for {', '.join(map(str, TICK_SIZES))} changed people")
    try:
        result["persistence_ticks"] = persistence_ticks()
    except (ImportError, AttributeError, TypeError) as exc:  # bot internals moved: skip, say so
        result["persistence_ticks_error"] = repr(exc)
    return result
