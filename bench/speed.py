"""Matcher speed: per-call latency, index build time and memory, ours and BM25, at 1× and 100×.

Each (matcher, scale) runs in its own process (`python -m bench.speed ours 100`), so its
memory readings start from a clean interpreter. Memory is measured two ways:

- tracemalloc (retained size of the index after a collection, and the peak while building):
  exact Python-level bytes; it slows allocation-heavy code about 4×, so it is used at 1× only;
- RSS growth of the process across one build (VmRSS after − before; peak from VmHWM after
  resetting it): what the machine really pays, allocator overhead included.

What is timed for ours: at 1×, the full text turn a user gets (Conversation.handle: the
decision plus rendering), the decision alone (Responder.understand) and the ranking alone
(Responder.rank); at 100×, the ranking and the decision (no rendering: the synthetic sections
have no answers to render). Calls are timed with perf_counter_ns over every labelled question
(dev and the held-out sets), repeated and shuffled to 10,000 calls or as many as fit in a time
budget; the calling thread's CPU time is recorded too (thread_time_ns).

At 100× the index is the bot's own build (bench/growth.py measures how the build grows).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from bench.common import (
    emit,
    labelled_texts,
    proc_status,
    progress,
    question_stream,
    time_calls,
)
from bench.profiles import profile_lines
from bench.results import MemoryLine, SpeedRun
from bench.synthetic import IndexInput, Perturber, kb_corpus, real_input, scale_documents, scale_input
from bot.conversation.service import Conversation, PersonState, Speaker, Text
from bot.kb.base import KnowledgeBase, load_knowledge_base
from bot.text.normalize import normalize_text
from bot.text.small_talk import build_small_talk
from bot.understanding.answer import Responder
from bot.understanding.match import SectionIndex

CALLS = 10_000
BUILDS_AT_1X = 3
PROFILE_TOP = 8
MEMORY_TOP = 4
NOW = 1_700_000_000.0  # a fixed clock for the turns: a new person each time, no place to expire
Builder = Callable[[], Any]
Call = Callable[[str], object]


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
    """tracemalloc: bytes the built object keeps, the peak while building, the lines holding most."""
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
    return {
        "traced_retained_mb": (current - base) / 1e6,
        "traced_peak_mb": (peak - base) / 1e6,
        "memory": [
            MemoryLine(
                line=f"{Path(stat.traceback[0].filename).name}:{stat.traceback[0].lineno}",
                mb=stat.size / 1e6,
                share=stat.size / retained,
            )
            for stat in snapshot.statistics("lineno")[:MEMORY_TOP]
        ],
    }


def index_input(kb: KnowledgeBase, scale: int) -> IndexInput:
    """What our index is built from at `scale` (1: the real knowledge base)."""
    real = real_input(kb)
    return real if scale == 1 else scale_input(real, Perturber(kb_corpus(kb)), scale)


def ours_builder(kb: KnowledgeBase, scale: int) -> tuple[IndexInput, Builder, str]:
    """Our index's input, its builder and a note on how it is built."""
    source = index_input(kb, scale)
    return source, lambda: SectionIndex.learn(source.documents, source.topic_texts, kb.synonyms), ""


def ours_calls(kb: KnowledgeBase, index: SectionIndex, scale: int) -> dict[str, Call]:
    """The operations timed for ours, the one a user waits for first."""
    responder = Responder(kb, index, build_small_talk(kb.small_talk, normalize_text))
    calls: dict[str, Call] = {}
    if scale == 1:
        conversation = Conversation(responder)
        calls["turn"] = lambda text: conversation.handle(Text(text), PersonState(), Speaker(), NOW)
    calls["understand"] = responder.understand
    calls["rank"] = responder.rank
    if scale > 1:
        from bench.trades import numpy_rank

        calls["numpy-what-if"] = numpy_rank(index)
    return calls


def measure_build(build: Builder, scale: int, trace: bool) -> tuple[Any, dict[str, Any]]:
    """Build the index (timed, RSS measured); at 1× a few more times for the median, traced once."""
    started = time.perf_counter()
    index, figures = rss_growth(build)
    times = [time.perf_counter() - started]
    for _ in range(BUILDS_AT_1X - 1 if scale == 1 else 0):
        started = time.perf_counter()
        build()
        times.append(time.perf_counter() - started)
    figures |= {"build_s": statistics.median(times), "builds": len(times)}
    if trace:
        progress("speed: tracemalloc build")
        figures |= traced_memory(build)
    return index, figures


def time_all(calls: dict[str, Call], texts: Sequence[str], count: int, budget_s: float) -> dict[str, Any]:
    """Warm each call up on every text once, then time it over the question stream."""
    gc.collect()
    gc.freeze()  # as the bot does after start-up (bot.telegram.runtime.runner.load_responder)
    stream = question_stream(texts, count)
    latency = {}
    for name, call in calls.items():
        for text in texts:
            call(text)
        progress(f"speed: timing {name} over up to {count:,} calls")
        latency[name] = time_calls(call, stream, budget_s)
    return {"latency": latency}


def profile(name: str, call: Call, texts: Sequence[str]) -> dict[str, Any]:
    """cProfile over one pass of `texts`."""
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [call(text) for text in texts])
    return {"profiled": name, "profile": profile_lines(profiler, PROFILE_TOP)}


def measure(
    matcher: Literal["ours", "bm25"], scale: int, calls: int, budget_s: float, trace: bool
) -> SpeedRun:
    """Everything about one matcher at one scale (runs inside the worker process)."""
    kb = load_knowledge_base()
    texts = labelled_texts()
    progress(f"speed: {matcher} {scale}×: generating the index input")
    if matcher == "ours":
        source, build, note = ours_builder(kb, scale)
        labels, text_count = len(source.documents), source.text_count
    else:
        build, note, labels, text_count = bm25_builder(kb, scale)
    progress(f"speed: {matcher} {scale}×: building the index ({labels:,} labels)")
    index, figures = measure_build(build, scale, trace)
    timed = ours_calls(kb, index, scale) if matcher == "ours" else {"best": index.best}
    figures |= time_all(timed, texts, calls, budget_s)
    if matcher == "ours":
        name = next(iter(timed))
        progress(f"speed: {matcher} {scale}×: profiling {name}")
        figures |= profile(name, timed[name], texts)
    return SpeedRun(matcher=matcher, scale=scale, labels=labels, texts=text_count, build_note=note, **figures)


def bm25_builder(kb: KnowledgeBase, scale: int) -> tuple[Builder, str, int, int]:
    """The BM25 baseline's builder at `scale`, with its label and text counts."""
    from bench.baselines import Bm25Ranker, guide_documents, segment

    documents = guide_documents(kb)
    if scale > 1:
        documents = scale_documents(documents, Perturber(kb_corpus(kb)), scale)
    segment("预热 warm up")  # jieba loads its dictionary on first use: not part of a build
    texts = sum(len(texts) for texts in documents.values())
    return lambda: Bm25Ranker(documents), "", len(documents), texts


def run_speed(budget_s: float = 15.0) -> list[SpeedRun]:
    """Every (matcher, scale) in its own worker process, in a fixed order."""
    from bench.common import run_worker

    runs = []
    for matcher, scale in (("ours", 1), ("bm25", 1), ("ours", 100), ("bm25", 100)):
        args = [matcher, str(scale), "--budget", str(budget_s)]
        if scale == 1:
            args.append("--trace")
        runs.append(SpeedRun.model_validate(run_worker("speed", *args, timeout=1_800)))
    return runs


def main() -> None:
    """Worker entry point: measure one matcher at one scale, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("matcher", choices=["ours", "bm25"])
    parser.add_argument("scale", type=int)
    parser.add_argument("--calls", type=int, default=CALLS)
    parser.add_argument("--budget", type=float, default=15.0, help="seconds of timed calls at most")
    parser.add_argument("--trace", action="store_true", help="also measure memory with tracemalloc")
    args = parser.parse_args()
    emit(measure(args.matcher, args.scale, args.calls, args.budget, args.trace).model_dump(mode="json"))


if __name__ == "__main__":
    main()
