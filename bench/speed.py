"""Matcher speed: per-question latency, index build time and memory, ours and BM25, at 1× and 100×.

Each (matcher, scale) runs in its own process (`python -m bench.speed ours 100`), so its
memory readings start from a clean interpreter. Memory is measured two ways:

- tracemalloc (retained size of the index after a collection, and the peak while building):
  exact Python-level bytes, numpy arrays included; it slows allocation-heavy code about 4×,
  so it is used at 1× only (at 100× our build would take ~40 s traced);
- RSS growth of the process across one build (VmRSS after − before; peak from VmHWM after
  resetting it): what the machine really pays, allocator overhead included; cheap at any scale.

Latency: each call is timed with perf_counter_ns over a stream of the dev set's questions,
repeated and shuffled to 10,000 calls, or as many as fit in a time budget when one call takes
milliseconds (the count is reported).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import statistics
import time
import tracemalloc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.common import DEV_SET, Latency, emit, proc_status, progress, question_stream, run_worker
from bench.synthetic import Perturber, kb_corpus, matcher_documents, scale_documents
from bot.answer import Responder
from bot.evaluation import load_labelled_questions
from bot.kb import KnowledgeBase, load_knowledge_base
from bot.match import SectionIndex
from bot.normalize import normalize_text

CALLS = 10_000
BUILDS_AT_1X = 5
PROFILE_TOP = 6
MEMORY_TOP = 4
Builder = Callable[[], Any]


def _reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux: write 5 to clear_refs); False if not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def rss_growth(build: Builder) -> tuple[Any, dict[str, float]]:
    """Build once; the process's RSS growth (retained) and peak growth during the build, in MB."""
    gc.collect()
    exact_peak = _reset_peak_rss()
    before = proc_status()
    built = build()
    gc.collect()
    after = proc_status()
    if not before or not after:
        return built, {}
    growth = {"rss_retained_mb": (after["VmRSS"] - before["VmRSS"]) / 1024}
    if exact_peak:
        growth["rss_peak_mb"] = (after["VmHWM"] - before["VmRSS"]) / 1024
    return built, growth


def traced_memory(build: Builder) -> dict[str, Any]:
    """tracemalloc: bytes the built object keeps after a collection, the peak while building,
    and the source lines holding most of what is kept (where the memory goes)."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    built = build()
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    del built
    retained = max(current - base, 1)
    holders = [
        {
            "line": f"{Path(stat.traceback[0].filename).name}:{stat.traceback[0].lineno}",
            "mb": stat.size / 1e6,
            "share": stat.size / retained,
        }
        for stat in snapshot.statistics("lineno")[:MEMORY_TOP]
    ]
    return {
        "traced_retained_mb": (current - base) / 1e6,
        "traced_peak_mb": (peak - base) / 1e6,
        "memory_holders": holders,
    }


def time_calls(call: Callable[[str], object], stream: Sequence[str], budget_s: float) -> Latency:
    """Time every call; stop early (keeping what was measured) once `budget_s` is spent."""
    durations: list[int] = []
    clock = time.perf_counter_ns
    deadline = clock() + int(budget_s * 1e9)
    for text in stream:
        started = clock()
        call(text)
        durations.append(clock() - started)
        if started > deadline:
            break
    return Latency.of(durations)


def profile_calls(call: Callable[[str], object], texts: Sequence[str]) -> list[dict[str, Any]]:
    """cProfile over one pass of `texts`: the functions with the most own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for text in texts:
        call(text)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = max(stats.total_tt, 1e-9)  # type: ignore[attr-defined]
    rows = []
    for (filename, line, name), (_, calls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        label = name if filename == "~" else f"{Path(filename).name}:{line}({name})"
        rows.append(
            {
                "function": label,
                "calls": calls,
                "own_share": own / total,
                "cumulative_share": cumulative / total,
            }
        )
    rows.sort(key=lambda row: -row["own_share"])
    return rows[:PROFILE_TOP]


def _documents(kb: KnowledgeBase, matcher: str, scale: int) -> Mapping[str, Sequence[str]]:
    if matcher == "ours":
        documents: Mapping[str, Sequence[str]] = matcher_documents(kb)
    else:
        from bench.baselines import guide_documents

        documents = guide_documents(kb)
    if scale == 1:
        return documents
    return scale_documents(documents, Perturber(kb_corpus(kb)), scale)


def measure(
    matcher: str, scale: int, calls: int, budget_s: float, trace: bool, profile: bool
) -> dict[str, Any]:
    """Everything about one matcher at one scale (runs inside the worker process)."""
    kb = load_knowledge_base()
    texts = [question.q for question in load_labelled_questions(DEV_SET)]
    progress(f"speed: {matcher} {scale}×: generating documents")
    documents = _documents(kb, matcher, scale)
    result: dict[str, Any] = {
        "matcher": matcher,
        "scale": scale,
        "labels": len(documents),
        "texts": sum(len(texts) for texts in documents.values()),
    }
    build: Builder
    if matcher == "ours":

        def build() -> SectionIndex:
            return SectionIndex(documents, kb.synonyms)
    else:
        from bench.baselines import Bm25Ranker, segment

        segment("预热 warm up")  # jieba loads its dictionary on first use: not part of a build

        def build() -> Bm25Ranker:
            return Bm25Ranker(documents)

    progress(f"speed: {matcher} {scale}×: building the index ({result['labels']} labels)")
    started = time.perf_counter()
    index, growth = rss_growth(build)
    build_times = [time.perf_counter() - started]
    for _ in range(BUILDS_AT_1X - 1 if scale == 1 else 0):
        started = time.perf_counter()
        build()
        build_times.append(time.perf_counter() - started)
    result["build_s"] = statistics.median(build_times)
    result["builds"] = len(build_times)
    result |= growth
    if trace:
        progress(f"speed: {matcher} {scale}×: tracemalloc build")
        result |= traced_memory(build)

    gc.collect()
    gc.freeze()  # as the bot does after start-up (bot.telegram.runner.load_responder)
    timed: dict[str, Callable[[str], object]] = {}
    if matcher == "ours":
        if scale == 1:
            timed["respond"] = Responder(kb, index).respond
        # As Responder.respond uses it: the three most probable sections (plus out-of-scope).
        timed["rank"] = lambda text: index.rank(normalize_text(text), limit=3)
    else:
        timed["best"] = index.best
    stream = question_stream(texts, calls)
    for name, call in timed.items():
        for text in texts:  # warm-up: first calls fill caches (regex, OpenCC, jieba)
            call(text)
        progress(f"speed: {matcher} {scale}×: timing {name} over up to {calls:,} questions")
        result[f"latency_{name}"] = asdict(time_calls(call, stream, budget_s))
    if profile:
        name, call = next(reversed(timed.items()))
        progress(f"speed: {matcher} {scale}×: profiling {name}")
        result["profile"] = profile_calls(call, texts)
    return result


def run_speed(budget_s: float = 15.0) -> list[dict[str, Any]]:
    """Every (matcher, scale) in its own worker process; the results in a fixed order."""
    results = []
    for matcher, scale in (("ours", 1), ("bm25", 1), ("ours", 100), ("bm25", 100)):
        args = [matcher, str(scale), "--budget", str(budget_s)]
        if scale == 1:
            args.append("--trace")
        if matcher == "ours":
            args.append("--profile")
        results.append(run_worker("speed", *args))
    return results


def main() -> None:
    """Worker entry point: measure one matcher at one scale, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("matcher", choices=["ours", "bm25"])
    parser.add_argument("scale", type=int)
    parser.add_argument("--calls", type=int, default=CALLS)
    parser.add_argument("--budget", type=float, default=15.0, help="seconds of timed calls at most")
    parser.add_argument("--trace", action="store_true", help="also measure memory with tracemalloc")
    parser.add_argument("--profile", action="store_true", help="cProfile one pass of the dev set")
    args = parser.parse_args()
    emit(measure(args.matcher, args.scale, args.calls, args.budget, args.trace, args.profile))


if __name__ == "__main__":
    main()
