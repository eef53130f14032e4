"""`make bench`: measure everything, write the figures to bench/results.json, then render
bench/RESULTS.md from that file (and print it).

All figures come from one run on one machine, so the comparisons (ours vs BM25, ours vs an echo
bot) are ratios measured under the same conditions. Benchmarks are not tests: nothing here
asserts a timing; a missed budget is reported with the profile that explains it.

Usage: .venv/bin/python bench/run.py [--render-only] [--results PATH] [--output PATH]
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

if __package__ in {None, ""}:  # run as a script (bench/run.py): make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import DEV_SET, REPO, progress
from bench.end_to_end import run_end_to_end
from bench.growth import run_growth
from bench.machine import describe
from bench.quality import run_quality
from bench.report import render
from bench.results import BenchResults
from bench.speed import run_speed
from bench.startup import run_startup
from bench.state_memory import PEOPLE, run_state_memory
from bench.trades import run_trades

HERE = Path(__file__).resolve().parent
T = TypeVar("T")


def _load() -> str:
    """The 1-minute load average: how busy the machine was besides us."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "unknown"


def _commit() -> str:
    """The commit measured, marked when the working tree has changes."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (
        " (with uncommitted changes)" if git("status", "--porcelain", "--", "bot", "knowledge") else ""
    )


def _step(title: str, measure: Callable[[], T]) -> T:
    progress(title)
    return measure()


def measure() -> BenchResults:
    """Run every benchmark in order."""
    started = time.perf_counter()
    date = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_before = _load()
    quality = _step(
        "1/7 answer quality: ours, BM25 and fuzzy; labelled sets and out-of-scope files", run_quality
    )
    speed = _step("2/7 matcher speed: ours and BM25, real and 100× knowledge base", run_speed)
    growth = _step("3/7 how the bot's own index build grows", run_growth)
    end_to_end = _step("4/7 end to end: this bot and an echo bot against the fake Bot API", run_end_to_end)
    startup = _step("5/7 start-up and footprint", run_startup)
    trades = _step("6/7 what the suggested changes would give (bot/ unchanged)", lambda: run_trades(speed))
    state_memory = _step(f"7/7 memory with {PEOPLE:,} people coming and going", run_state_memory)
    return BenchResults(
        date=date,
        commit=_commit(),
        duration_s=time.perf_counter() - started,
        load_before=load_before,
        load_after=_load(),
        machine=describe(),
        quality=quality,
        speed=speed,
        build_growth=growth,
        end_to_end=end_to_end,
        startup=startup,
        trades=trades,
        state_memory=state_memory,
    )


def main() -> None:
    """Measure (unless --render-only), write the results, render the report."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--results", type=Path, default=HERE / "results.json", help="where the figures go (JSON)"
    )
    parser.add_argument(
        "--output", type=Path, default=HERE / "RESULTS.md", help="where the report goes (Markdown)"
    )
    parser.add_argument(
        "--render-only", action="store_true", help="render the report from --results, measure nothing"
    )
    args = parser.parse_args()
    if args.render_only:
        results = BenchResults.model_validate_json(args.results.read_text(encoding="utf-8"))
    else:
        if not DEV_SET.exists():
            sys.exit(f"error: the labelled dev set {DEV_SET} is missing (../shared/eval beside the checkout)")
        results = measure()
        args.results.write_text(results.model_dump_json(indent=1) + "\n", encoding="utf-8")
    report = render(results)
    args.output.write_text(report, encoding="utf-8")
    print(report)
    progress(f"report written to {args.output} (figures in {args.results})")


if __name__ == "__main__":
    main()
