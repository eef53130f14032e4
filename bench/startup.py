"""Start-up and footprint: `python -m bot ask "…"` from a cold process, and where its time goes.

Cold means a new interpreter each time (bytecode caches are warm, as after any install:
one unmeasured run first). Wall time is measured around the whole process; its peak RSS
comes from wait4(). The profile splits one start-up into phases in a fresh process
(imports, knowledge-base load, building the responder, the first turn), sums `-X importtime`
by top-level package, profiles building the responder with cProfile (the largest phase), and
measures the memory each OpenCC converter of bot.text.chinese costs on first use (OpenCC allocates
in C++, invisible to tracemalloc).
"""

from __future__ import annotations

import cProfile
import json
import re
import statistics
import subprocess
from collections import defaultdict

from bench.common import PYTHON, REPO, emit, progress, run_worker
from bench.profiles import profile_lines
from bench.results import ColdRuns, PackageTime, ProfileLine, StartupPhase, StartupResult

QUESTION = "卡丢了还能注销吗"
RUNS = 5
PHASE_RUNS = 3
TOP_PACKAGES = 6
PROFILE_TOP = 8

_PHASES = """
import json, os, time
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
marks = [("interpreter", time.perf_counter(), rss())]
import bot.cli
marks.append(("imports", time.perf_counter(), rss()))
from bot.config import resolve_cache_dir
from bot.kb.base import load_knowledge_base
cache_dir = resolve_cache_dir(os.environ)  # as `ask` does: the index kept between starts
kb = load_knowledge_base(cache_dir=cache_dir)
marks.append(("knowledge base", time.perf_counter(), rss()))
from bot.understanding.answer import build_responder
responder = build_responder(kb, cache_dir=cache_dir)
marks.append(("responder (index, small talk)", time.perf_counter(), rss()))
from bot.conversation.service import Conversation, PersonState, Speaker, Text
Conversation(responder).handle(Text(QUESTION), PersonState(), Speaker(), time.time())
marks.append(("first turn", time.perf_counter(), rss()))
print(json.dumps([[name, seconds, mb] for name, seconds, mb in marks]))
"""

_CONVERTER = """
import json
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
import bot.text.chinese as chinese
before = rss()
getattr(chinese, NAME)("测试測試")
print(json.dumps(rss() - before))
"""
_LAUNCHER = """
import json, os, subprocess, sys, time
args, runs = json.loads(sys.argv[1]), int(sys.argv[2])
samples = []
for attempt in range(runs + 1):  # the first run is not measured: it warms the bytecode caches
    started = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"{args} exited with {child.returncode}")
    if attempt:
        samples.append([elapsed, usage.ru_maxrss / 1024])  # ru_maxrss: kB on Linux
print(json.dumps(samples))
"""
CONVERTERS = ("to_simplified", "to_traditional", "characters_to_simplified")


def cold_runs(args: list[str], runs: int = RUNS) -> ColdRuns:
    """Median wall time and peak RSS over `runs` fresh processes (after one unmeasured run).

    The processes are started by a small launcher interpreter, not by this (large) process:
    Linux carries a parent's peak RSS into a forked child's ru_maxrss, even across exec.
    """
    completed = subprocess.run(
        [PYTHON, "-c", _LAUNCHER, json.dumps(args), str(runs)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    samples = json.loads(completed.stdout)
    seconds = [wall for wall, _ in samples]
    return ColdRuns(
        runs=runs,
        median_s=statistics.median(seconds),
        min_s=min(seconds),
        max_s=max(seconds),
        peak_rss_mb=statistics.median(mb for _, mb in samples),
    )


def phases() -> list[StartupPhase]:
    """Seconds and RSS after each start-up phase (median over PHASE_RUNS fresh processes)."""
    code = f"QUESTION = {QUESTION!r}\n{_PHASES}"
    runs = []
    for _ in range(PHASE_RUNS):
        output = subprocess.run(
            [PYTHON, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout
        runs.append(json.loads(output))
    return [
        StartupPhase(
            phase=name,
            seconds=statistics.median(run[position][1] - run[position - 1][1] for run in runs),
            rss_mb=statistics.median(run[position][2] for run in runs),
        )
        for position, (name, _, _) in enumerate(runs[0])
        if position > 0
    ]


def import_profile() -> list[PackageTime]:
    """`python -X importtime -c "import bot.cli"`: import time summed by top-level package."""
    stderr = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", "import bot.cli"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    by_package: dict[str, int] = defaultdict(int)
    for line in stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s+(\S+)", line)
        if found:
            by_package[found.group(2).split(".")[0]] += int(found.group(1))
    ranked = sorted(by_package.items(), key=lambda item: -item[1])[:TOP_PACKAGES]
    return [PackageTime(package=name, ms=micros / 1000) for name, micros in ranked]


def build_profile() -> list[ProfileLine]:
    """cProfile of building the responder, in a fresh process (`python -m bench.startup`)."""
    return [ProfileLine.model_validate(line) for line in run_worker("startup")["profile"]]


def _profile_build() -> None:
    """Worker: load the knowledge base, then profile build_responder() alone."""
    from bot.kb.base import load_knowledge_base
    from bot.understanding.answer import build_responder

    kb = load_knowledge_base()
    profiler = cProfile.Profile()
    profiler.runcall(build_responder, kb)
    emit({"profile": [line.model_dump() for line in profile_lines(profiler, PROFILE_TOP)]})


def converter_memory() -> dict[str, float]:
    """RSS growth (MB) on first use of each bot.text.chinese conversion, each in a fresh process."""
    growth: dict[str, float] = {}
    for name in CONVERTERS:
        completed = subprocess.run(
            [PYTHON, "-c", f"NAME = {name!r}\n{_CONVERTER}"], cwd=REPO, capture_output=True, text=True
        )
        if completed.returncode == 0:
            growth[name] = float(json.loads(completed.stdout))
    return growth


def run_startup() -> StartupResult:
    """All start-up figures."""
    progress(f"start-up: python -m bot ask, {RUNS} cold processes")
    ask = cold_runs([PYTHON, "-m", "bot", "ask", QUESTION])
    progress("start-up: bare interpreter and `import bot.cli`")
    interpreter = cold_runs([PYTHON, "-c", "pass"])
    imports = cold_runs([PYTHON, "-c", "import bot.cli"])
    progress("start-up: phases, import profile, build profile, OpenCC converters")
    return StartupResult(
        question=QUESTION,
        ask=ask,
        interpreter=interpreter,
        imports=imports,
        phases=phases(),
        imports_by_package=import_profile(),
        build_profile=build_profile(),
        converters_mb=converter_memory(),
    )


if __name__ == "__main__":
    _profile_build()
