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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.results import Latency

REPO = Path(__file__).resolve().parent.parent
HOLDOUTS = tuple(sorted((REPO / "tests" / "data").glob("holdout*.yaml")))
PYTHON = sys.executable
SEED = 20_240_605
# One clock for the run and its worker processes (they inherit the variable), so progress
# lines from every process count from the same start.
_STARTED = float(os.environ.setdefault("BENCH_STARTED_AT", str(time.time())))


def _main_checkout(repo: Path) -> Path | None:
    """The main checkout when `repo` is a git worktree (.git is then a file naming its gitdir)."""
    marker = repo / ".git"
    if not marker.is_file():
        return None
    gitdir = Path(marker.read_text(encoding="utf-8").removeprefix("gitdir:").strip())
    common = gitdir / "commondir"
    if not common.is_file():
        return None
    return (gitdir / common.read_text(encoding="utf-8").strip()).resolve().parent


def shared_eval_dir(repo: Path = REPO) -> Path:
    """../shared/eval next to the checkout (or, in a git worktree, next to the main checkout).

    BENCH_SHARED_EVAL names it explicitly. The first that exists wins; when none does, the
    path next to this checkout is returned so that error messages name the expected place.
    """
    explicit = os.environ.get("BENCH_SHARED_EVAL")
    if explicit:
        return Path(explicit)
    candidates = [repo.parent / "shared" / "eval"]
    main = _main_checkout(repo)
    if main is not None:
        candidates.append(main.parent / "shared" / "eval")
    return next((path for path in candidates if path.is_dir()), candidates[0])


SHARED_EVAL = shared_eval_dir()
DEV_SET = SHARED_EVAL / "dev.yaml"
OUT_OF_SCOPE_DIR = SHARED_EVAL / "out-of-scope"  # half of each file is in knowledge/negatives/
EXTRA_OUT_OF_SCOPE_DIR = SHARED_EVAL / "out-of-scope-extra"  # never trained or tuned on


def progress(message: str) -> None:
    """One progress line on stderr, with the time since the benchmark started."""
    print(f"[{time.time() - _STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


def labelled_texts() -> list[str]:
    """Every labelled question's text (dev and the held-out sets): what latency is timed over."""
    from bot.understanding.evaluation import load_labelled_questions

    return [question.q for path in (DEV_SET, *HOLDOUTS) for question in load_labelled_questions(path)]


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


def latency_of(wall_ns: Sequence[int], cpu_ns: Sequence[int]) -> Latency:
    """Summarise per-call durations (perf_counter_ns and thread_time_ns differences)."""
    return Latency(
        count=len(wall_ns),
        median_us=statistics.median(wall_ns) / 1_000,
        p99_us=percentile(wall_ns, 0.99) / 1_000,
        max_us=max(wall_ns) / 1_000,
        cpu_p99_us=percentile(cpu_ns, 0.99) / 1_000,
    )


def time_calls(call: Callable[[str], object], stream: Sequence[str], budget_s: float) -> Latency:
    """Time every call (wall clock and this thread's CPU); stop once `budget_s` is spent."""
    wall: list[int] = []
    cpu: list[int] = []
    clock, cpu_clock = time.perf_counter_ns, time.thread_time_ns
    deadline = clock() + int(budget_s * 1e9)
    for text in stream:
        started, cpu_started = clock(), cpu_clock()
        call(text)
        cpu.append(cpu_clock() - cpu_started)
        wall.append(clock() - started)
        if started > deadline:
            break
    return latency_of(wall, cpu)


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
