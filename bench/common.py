"""Shared pieces of the benchmarks: paths, the question stream, statistics, /proc readings, workers.

Benchmarks that build big structures or start a bot run in child processes (`python -m
bench.<worker>`): each measurement starts from a fresh interpreter, so memory readings are not
polluted by what an earlier benchmark left behind, and one crash names its own stage.
"""

from __future__ import annotations

import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEV_SET = (REPO / ".." / "shared" / "eval" / "dev.yaml").resolve()
HOLDOUT2 = REPO / "tests" / "data" / "holdout2.yaml"
PYTHON = sys.executable
SEED = 20_240_605
# One clock for the run and its worker processes (they inherit the variable), so progress
# lines from every process count from the same start.
_STARTED = float(os.environ.setdefault("BENCH_STARTED_AT", str(time.time())))


def progress(message: str) -> None:
    """One progress line on stderr, with the time since the benchmark started."""
    print(f"[{time.time() - _STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


def question_stream(texts: Sequence[str], count: int, seed: int = SEED) -> list[str]:
    """`count` questions: `texts` repeated, each round shuffled (deterministic)."""
    rng = random.Random(seed)
    stream: list[str] = []
    while len(stream) < count:
        round_ = list(texts)
        rng.shuffle(round_)
        stream.extend(round_)
    return stream[:count]


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Latency:
    """Per-call latency over `count` calls, in microseconds."""

    count: int
    median_us: float
    p99_us: float
    max_us: float

    @classmethod
    def of(cls, nanoseconds: Sequence[int]) -> Latency:
        """Summarise per-call durations measured with time.perf_counter_ns."""
        return cls(
            count=len(nanoseconds),
            median_us=statistics.median(nanoseconds) / 1_000,
            p99_us=percentile(nanoseconds, 0.99) / 1_000,
            max_us=max(nanoseconds) / 1_000,
        )


def proc_status(pid: int | str = "self") -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process in kB, from /proc/<pid>/status (Linux)."""
    values: dict[str, int] = {}
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return values
    for line in lines:
        key, _, rest = line.partition(":")
        if key in {"VmRSS", "VmHWM"}:
            values[key] = int(rest.split()[0])
    return values


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / os.sysconf("SC_CLK_TCK")


def run_worker(module: str, *args: str, timeout: float = 240) -> dict[str, Any]:
    """Run `python -m bench.<module> args…` from the repository; its last stdout line is JSON.

    The worker's stderr (progress lines) passes straight through to ours.
    """
    completed = subprocess.run(
        [PYTHON, "-m", f"bench.{module}", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"bench.{module} {' '.join(args)} failed with exit code {completed.returncode}")
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def emit(result: dict[str, Any]) -> None:
    """A worker's answer to run_worker(): one JSON line on stdout."""
    print(json.dumps(result, ensure_ascii=False), flush=True)
