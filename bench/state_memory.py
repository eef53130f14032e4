"""Memory with many people: does the bot's resident memory stay flat as people come and go?

The real bot (build_application, as `python -m bot run` builds it, minus the rate limiter, and
saving every second instead of every 10 s so that forgetting 20,000 people takes 20 s) runs
in its own process against the tests' fake Bot API in this one, so its RSS is its own. Each
person asks one question in a private chat (that leaves a place in chat_data and an entry in
user_data). The bot's clock for "not seen for 30 days" is the real one plus an offset the
benchmark moves with SIGUSR1, so 30 days pass in a moment:

1. started and polling; then 100 people ask, which loads what the first questions load once
   (the OpenCC converter, caches): the baseline for the per-person figures;
2. `--people` people (default 20,000) each ask once; a save runs;
3. 31 days pass (SIGUSR1); the next saves forget them all (1,000 a save), in memory and on disk;
4. as many new people ask once; a save runs — memory should be back where step 2 left it.

Prints the figures as a table (and writes them as JSON with --json); `make bench` runs it as
its last step. Nothing is asserted: benchmarks report, tests decide. Takes about 4 minutes on
a small machine.

Usage: .venv/bin/python bench/state_memory.py [--people N] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if __package__ in {None, ""}:  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PYTHON, REPO, proc_status, progress
from bench.results import StateMemoryResult, StateMemorySnapshot
from bot.storage.state_store import STATE_FILE
from bot.telegram.runtime.persistence import FORGET_PER_SAVE

if TYPE_CHECKING:  # the fake is imported lazily: the bot process must not carry it in its RSS
    from fake_telegram import FakeBotApi

TOKEN = "123456789:AAE2eTestTokenForTheFakeBotApiServer"
PEOPLE = 20_000
WARM_UP = 100
WINDOW = 100  # questions in flight
SAVE_INTERVAL_S = 1.0  # the bot saves every 10 s; here every second, so 30 days pass in a minute
SAVE_WAIT_S = 2.0  # after this long, a save has run
DAY_S = 86_400.0
QUESTIONS = (("第四步", "zh-hans"), ("卡丢了还能注销吗", "zh-hans"), ("去營業廳要帶什麼", "zh-hant"))
QUESTIONS_EN = (("what should I take to the shop", "en"),)


# ---- the bot process (`bench/state_memory.py --serve`)


class OffsetClock:
    """Real time plus days the benchmark adds with SIGUSR1."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def serve(status_file: Path) -> None:
    """Run our application until SIGTERM; SIGUSR1: 31 days pass; SIGUSR2: report counts."""
    from bot.config import load_settings
    from bot.telegram.runtime.app import build_application, running_application
    from bot.telegram.runtime.logging_setup import configure_logging
    from bot.telegram.runtime.runner import load_responder

    settings = load_settings(os.environ)
    configure_logging(settings.log_level)
    clock = OffsetClock()
    application = build_application(
        settings, load_responder(settings), rate_limit=False, clock=clock, save_interval=SAVE_INTERVAL_S
    )

    def report() -> None:
        counts = {"users": len(application.user_data), "chats": len(application.chat_data)}
        with status_file.open("a", encoding="utf-8") as status:
            status.write(json.dumps(counts) + "\n")

    def thirty_one_days() -> None:
        clock.offset += 31 * DAY_S

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_signal_handler(signal.SIGUSR1, thirty_one_days)
        loop.add_signal_handler(signal.SIGUSR2, report)
        async with running_application(application, poll_timeout=10):
            await stop.wait()

    asyncio.run(main())


# ---- the benchmark


def _more_calls_than(api: FakeBotApi, seen: int) -> Callable[[], bool]:
    """A condition for wait_until: the fake has recorded more than `seen` calls."""
    return lambda: len(api.calls) > seen


async def ask_new_people(api: FakeBotApi, count: int, first_id: int) -> None:
    """`count` new people ask one question each, at most WINDOW unanswered at a time."""
    questions = QUESTIONS * 3 + QUESTIONS_EN
    scanned = len(api.calls)
    asked = answered = 0

    def ask() -> None:
        nonlocal asked
        text, language_code = questions[asked % len(questions)]
        api.inject_message(text, user_id=first_id + asked, language_code=language_code)
        asked += 1

    for _ in range(min(WINDOW, count)):
        ask()
    while answered < count:
        await api.wait_until(_more_calls_than(api, scanned), timeout=60, what="a reply")
        calls = api.calls
        replies = sum(1 for call in calls[scanned:] if call.method == "sendMessage" and call.ok)
        scanned = len(calls)
        answered += replies
        for _ in range(min(replies, count - asked)):
            ask()
        if answered and answered % 5_000 < replies:
            progress(f"state memory: {answered:,} of {count:,} people answered")


async def snapshot(
    moment: str, process: asyncio.subprocess.Process, status_file: Path, db: Path
) -> StateMemorySnapshot:
    """RSS from /proc, counts in memory from the bot (SIGUSR2), rows on disk from the file."""
    lines_before = len(status_file.read_text().splitlines()) if status_file.exists() else 0
    process.send_signal(signal.SIGUSR2)
    for _ in range(200):
        lines = status_file.read_text().splitlines() if status_file.exists() else []
        if len(lines) > lines_before:
            break
        await asyncio.sleep(0.05)
    counts = json.loads(lines[-1])
    with contextlib.closing(sqlite3.connect(db)) as state:
        users = state.execute("SELECT COUNT(*) FROM user_data").fetchone()[0]
        chats = state.execute("SELECT COUNT(*) FROM chat_data").fetchone()[0]
    rss = (proc_status(process.pid).get("VmRSS") or 0) / 1024
    found = StateMemorySnapshot(
        moment=moment,
        rss_mb=rss,
        users_in_memory=counts["users"],
        chats_in_memory=counts["chats"],
        users_on_disk=users,
        chats_on_disk=chats,
    )
    progress(f"state memory: {moment}: {rss:.1f} MB, {counts['users']:,} people in memory")
    return found


async def forgotten(
    process: asyncio.subprocess.Process, status_file: Path, db: Path, people: int
) -> StateMemorySnapshot:
    """Wait while the bot forgets everyone (FORGET_PER_SAVE a save), then take a snapshot."""
    for _ in range(people // FORGET_PER_SAVE + 5):
        await asyncio.sleep(SAVE_WAIT_S)
        found = await snapshot("31 days later", process, status_file, db)
        if found.users_in_memory == found.chats_in_memory == 0:
            break
    return found.model_copy(update={"moment": "31 days later, all forgotten"})


async def measure(people: int) -> list[StateMemorySnapshot]:
    """The four moments of the module docstring."""
    from fake_telegram import FakeBotApi

    snapshots: list[StateMemorySnapshot] = []
    with tempfile.TemporaryDirectory(prefix="bench-state-") as scratch:
        status_file = Path(scratch) / "status.jsonl"
        data_dir = Path(scratch) / "data"
        async with FakeBotApi(token=TOKEN) as api:
            env = {
                **os.environ,
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": api.root_url,
                "BOT_DATA_DIR": str(data_dir),
                "LOG_LEVEL": "WARNING",
                "BOT_LOG_UNANSWERED": "0",
            }
            process = await asyncio.create_subprocess_exec(
                PYTHON, str(Path(__file__).resolve()), "--serve", str(status_file), cwd=REPO, env=env
            )
            try:
                await api.wait_until(lambda: api.pending_polls > 0, timeout=60, what="polling")
                db = data_dir / STATE_FILE
                snapshots.append(await snapshot("started", process, status_file, db))
                # Warm-up: what the first questions load once (converters, caches) is not per person.
                await ask_new_people(api, WARM_UP, first_id=900_001)
                snapshots.append(await snapshot(f"{WARM_UP} people asked (warm)", process, status_file, db))
                await ask_new_people(api, people, first_id=1_000_001)
                await asyncio.sleep(SAVE_WAIT_S)
                snapshots.append(await snapshot(f"{people:,} people asked", process, status_file, db))
                process.send_signal(signal.SIGUSR1)
                snapshots.append(await forgotten(process, status_file, db, people))
                await ask_new_people(api, people, first_id=2_000_001)
                await asyncio.sleep(SAVE_WAIT_S)
                snapshots.append(await snapshot(f"{people:,} more asked", process, status_file, db))
            finally:
                process.terminate()
                await process.wait()
    return snapshots


def run_state_memory(people: int = PEOPLE) -> StateMemoryResult:
    """The whole benchmark (make bench's last step)."""
    return StateMemoryResult(people=people, snapshots=asyncio.run(measure(people)))


def render(snapshots: list[StateMemorySnapshot]) -> str:
    """The figures as a Markdown table."""
    rows = [
        "| moment | RSS (MB) | users / chats in memory | users / chats on disk |",
        "|---|---:|---:|---:|",
    ]
    rows += [
        f"| {s.moment} | {s.rss_mb:.1f} | {s.users_in_memory:,} / {s.chats_in_memory:,}"
        f" | {s.users_on_disk:,} / {s.chats_on_disk:,} |"
        for s in snapshots
    ]
    return "\n".join(rows)


def main() -> None:
    """Parse arguments; run the benchmark (or, with --serve, be the bot process)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=PEOPLE, help=f"people per wave (default {PEOPLE:,})")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--serve", type=Path, metavar="STATUS_FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    result = run_state_memory(args.people)
    if args.json:
        args.json.write_text(result.model_dump_json(indent=2), encoding="utf-8")
    print(render(result.snapshots))


if __name__ == "__main__":
    main()
