"""`make bench`: quality, matcher speed, end to end and start-up in one run; prints the report
and writes bench/RESULTS.md.

All figures come from one run on one machine, so the comparisons (ours vs BM25, ours vs an
echo bot) are ratios measured under the same conditions. Benchmarks are not tests: nothing
here asserts a timing; missed targets are reported with the profile that explains them.

Usage: .venv/bin/python bench/run.py [--output PATH]
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

if __package__ in {None, ""}:  # run as a script (bench/run.py): make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import DEV_SET, progress
from bench.end_to_end import run_end_to_end
from bench.machine import describe
from bench.quality import run_quality
from bench.report import render
from bench.speed import run_speed
from bench.startup import run_startup

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "RESULTS.md"


def _load() -> str:
    """The 1-minute load average: how busy the machine was besides us."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "unknown"


def main() -> None:
    """Run every benchmark in order, then print and write the report."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the Markdown report"
    )
    args = parser.parse_args()
    if not DEV_SET.exists():
        sys.exit(f"error: the labelled dev set {DEV_SET} is missing (it lives next to the repository)")
    started = time.perf_counter()
    date = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    results: dict[str, object] = {"machine": describe(), "date": date, "load_before": _load()}
    progress("1/4 answer quality: ours, BM25 and fuzzy on the labelled sets")
    results["quality"] = run_quality()
    progress("2/4 matcher speed: ours and BM25, real and 100× knowledge base")
    results["speed"] = run_speed()
    progress("3/4 end to end: this bot and an echo bot against the fake Bot API")
    results["end_to_end"] = run_end_to_end()
    progress("4/4 start-up and footprint")
    results["startup"] = run_startup()
    results["duration_s"] = time.perf_counter() - started
    results["load_after"] = _load()
    report = render(results)
    args.output.write_text(report, encoding="utf-8")
    print(report)
    progress(f"done in {results['duration_s']:.0f} s; report written to {args.output}")


if __name__ == "__main__":
    main()
